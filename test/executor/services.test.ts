import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missing, needs, ocf, removeSandboxes, req, sandbox } from './helpers.js';

/** A loopback port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const sb = sandbox();
afterAll(removeSandboxes);

const MODULES = '/usr/lib/apache2/modules';
describe.skipIf(needs('/usr/sbin/apache2', 'apache2') || needs('/usr/lib/ocf/resource.d/heartbeat/apache', 'resource-agents'))('ocf:heartbeat:apache with Debian apache2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-apache-'));
  chmodSync(dir, 0o755);
  let params: Record<string, string> = {};
  const run = (task: string) => sb.executor.run(req('web', ocf('heartbeat', 'apache'), task, params, { timeoutMs: 30_000 }));
  afterAll(async () => {
    if (params.configfile) await run('stop');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts apache2, monitors it through server-status, stops it', async () => {
    const port = await freePort();
    mkdirSync(join(dir, 'htdocs'));
    mkdirSync(join(dir, 'run'));
    const config = join(dir, 'httpd.conf');
    writeFileSync(config, [
      `ServerRoot ${dir}`,
      'ServerName localhost',
      `PidFile ${dir}/run/httpd.pid`,
      `DefaultRuntimeDir ${dir}/run`,
      `Listen 127.0.0.1:${port}`,
      ...['mpm_event', 'authz_core', 'authz_host', 'status'].map((m) => `LoadModule ${m}_module ${MODULES}/mod_${m}.so`),
      'User www-data',
      'Group www-data',
      `ErrorLog ${dir}/error.log`,
      `DocumentRoot ${dir}/htdocs`,
      '<Location /server-status>',
      '  SetHandler server-status',
      '  Require local',
      '</Location>',
      '',
    ].join('\n'));
    params = { configfile: config, httpd: '/usr/sbin/apache2', statusurl: `http://127.0.0.1:${port}/server-status`, envfiles: '' };
    expect((await run('monitor')).rc).toBe(7);
    const start = await run('start');
    expect(start.rc, start.stderr).toBe(0);
    const status = await fetch(params.statusurl);
    expect(status.status).toBe(200);
    const mon = await sb.executor.run(req('web', ocf('heartbeat', 'apache'), 'monitor', params, { intervalMs: 10_000, timeoutMs: 30_000 }));
    expect(mon.rc, mon.stderr).toBe(0);
    expect((await run('stop')).rc).toBe(0);
    expect((await run('monitor')).rc).toBe(7);
    await expect(fetch(params.statusurl)).rejects.toThrow();
  });
});

const PG_BIN = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((v) => `/usr/lib/postgresql/${v}/bin`).find((b) => existsSync(`${b}/pg_ctl`)) : undefined;
describe.skipIf(missing(PG_BIN !== undefined, 'no /usr/lib/postgresql/*/bin/pg_ctl (Debian package postgresql)') || needs('/usr/lib/ocf/resource.d/heartbeat/pgsql', 'resource-agents'))('ocf:heartbeat:pgsql with Debian postgresql', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pgsql-'));
  let params: Record<string, string> = {};
  const run = (task: string) => sb.executor.run(req('db', ocf('heartbeat', 'pgsql'), task, params, { timeoutMs: 45_000 }));
  afterAll(async () => {
    if (params.pgdata) await run('stop');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts PostgreSQL, monitors it with psql, stops it', async () => {
    const bin = PG_BIN as string;
    const data = join(dir, 'data');
    const sock = join(dir, 'sock');
    chmodSync(dir, 0o755);
    mkdirSync(data);
    mkdirSync(sock);
    execFileSync('chown', ['-R', 'postgres:postgres', dir]);
    execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/initdb`, '-D', data, '-A', 'trust'], { stdio: 'ignore' });
    // From PostgreSQL 9.3 the agent needs the socket directory named in the configuration too.
    appendFileSync(join(data, 'postgresql.conf'), `unix_socket_directories = '${sock}'\nlisten_addresses = ''\n`);
    const port = await freePort();
    params = { pgctl: `${bin}/pg_ctl`, psql: `${bin}/psql`, pgdata: data, pgport: String(port), socketdir: sock, logfile: join(dir, 'pg.log') };
    expect((await run('monitor')).rc).toBe(7);
    const start = await run('start');
    expect(start.rc, start.stderr).toBe(0);
    const out = execFileSync('runuser', ['-u', 'postgres', '--', `${bin}/psql`, '-h', sock, '-p', String(port), '-Atc', 'select 40+2', 'postgres'], { encoding: 'utf8' });
    expect(out.trim()).toBe('42');
    const mon = await sb.executor.run(req('db', ocf('heartbeat', 'pgsql'), 'monitor', params, { intervalMs: 10_000, timeoutMs: 45_000 }));
    expect(mon.rc, mon.stderr).toBe(0);
    expect((await run('stop')).rc).toBe(0);
    expect((await run('monitor')).rc).toBe(7);
  });
});
