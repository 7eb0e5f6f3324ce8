import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eUnavailable, primitive, properties, rscDefaults, startE2eCluster, type E2eCluster } from './harness.js';

const PGBIN = '/usr/lib/postgresql/15/bin';
const AGENT = '/usr/lib/ocf/resource.d/heartbeat/pgsql';
const VIP = '10.213.0.102';

async function unavailable(): Promise<string | null> {
  for (const f of [join(PGBIN, 'initdb'), join(PGBIN, 'pg_ctl'), join(PGBIN, 'psql'), AGENT]) if (!existsSync(f)) return `${f} is missing (Debian's postgresql-15 and resource-agents)`;
  try {
    execFileSync('id', ['postgres'], { stdio: 'ignore' });
  } catch {
    return 'there is no postgres user (Debian’s postgresql package makes it)';
  }
  return e2eUnavailable();
}
const why = await unavailable();

/**
 * A database cluster initialised once, on the "shared disk" (the namespaces share the file
 * system), owned by postgres: listening on the VIP only, its socket in the temp dir, and open
 * (trust) to the test network, for the client's psql.
 */
function initDatabase(dir: string): { pgdata: string; socketdir: string; logfile: string } {
  chmodSync(dir, 0o755);
  const pgdata = join(dir, 'pgdata');
  const socketdir = join(dir, 'sock');
  for (const d of [pgdata, socketdir]) {
    mkdirSync(d);
    execFileSync('chown', ['postgres:postgres', d]);
  }
  execFileSync('runuser', ['-u', 'postgres', '--', join(PGBIN, 'initdb'), '-D', pgdata, '--auth=trust', '--username=postgres', '--no-sync'], { cwd: dir, stdio: 'pipe', timeout: 60_000 });
  appendFileSync(join(pgdata, 'postgresql.conf'), `listen_addresses = '${VIP}'\nunix_socket_directories = '${socketdir}'\nmax_connections = 20\nshared_buffers = 16MB\n`);
  writeFileSync(join(pgdata, 'pg_hba.conf'), 'local all all trust\nhost all all 10.213.0.0/24 trust\n');
  return { pgdata, socketdir, logfile: join(dir, 'postgres.log') };
}

const group = (db: ReturnType<typeof initDatabase>): string =>
  `<resources><group id="db">${primitive('db-ip', 'ocf:heartbeat:IPaddr2', { ip: VIP, cidr_netmask: '24', nic: 'eth0' })}` +
  primitive('db-pg', 'ocf:heartbeat:pgsql', { pgctl: join(PGBIN, 'pg_ctl'), psql: join(PGBIN, 'psql'), pgdata: db.pgdata, socketdir: db.socketdir, logfile: db.logfile }, '3s') +
  '</group></resources>';

/** PostgreSQL servers started on this test's data directory, wherever they run. */
function strayPostgres(pgdata: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', pgdata], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

// Story 4 of the source documents: VIP + PostgreSQL (Debian's postgresql-15 through
// ocf:heartbeat:pgsql) preferring node1, with stickiness. node1 loses power: the group fails over
// to node2 and the row written before is read through the VIP after; node1 comes back and nothing
// moves (no auto-failback). Each node has its own pids, as separate hosts would: the agent judges
// "running" by the postmaster.pid on the shared data directory.
describe.skipIf(why !== null)(`PostgreSQL group on a VIP${why ? ` (skipped: ${why})` : ''}`, () => {
  let e: E2eCluster | undefined;
  let dir: string;
  let db: ReturnType<typeof initDatabase>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-pgsql-'));
    db = initDatabase(dir);
    e = await startE2eCluster({ nodes: 2, clients: 1, ownPids: true });
    await e.cluster.replace(0, 'crm_config', properties({ 'stonith-enabled': 'false', 'no-quorum-policy': 'ignore' }));
    await e.cluster.replace(0, 'rsc_defaults', rscDefaults({ 'resource-stickiness': '200' }));
    await e.cluster.replace(0, 'constraints', '<constraints><rsc_location id="db-prefers-node1" rsc="db" node="node1" score="100"/></constraints>');
    await e.cluster.replace(0, 'resources', group(db));
  }, 90_000);
  afterAll(async () => {
    await e?.destroy();
    const left = db ? strayPostgres(db.pgdata) : [];
    rmSync(dir, { recursive: true, force: true });
    expect(left, 'PostgreSQL processes left behind').toEqual([]);
  });

  /** SQL through the VIP from the client namespace; throws psql's complaint when it cannot. */
  const sql = (query: string): string => e!.net.exec(2, join(PGBIN, 'psql'), [`host=${VIP} user=postgres dbname=postgres connect_timeout=2`, '-qAtc', query]).trim();

  it('fails over to node2 with the data, and node1 coming back takes nothing back', async () => {
    const c = e!;
    await c.waitFor('db on node1', () => c.where('db-pg'), (w) => w.length === 1 && w[0] === 'node1', 60_000);
    await c.waitFor('the server answering through the VIP', async () => sql('select 1'), (r) => r === '1', 10_000);
    expect(sql("create table story(v text); insert into story values ('before') returning v")).toBe('before');
    expect(c.pidsNamed(0, 'postgres').length).toBeGreaterThan(0);
    expect(c.pidsNamed(1, 'postgres')).toEqual([]);

    // node1 loses power: node2 starts the group on the same data directory.
    c.powerOff(0);
    await c.waitFor('db on node2', () => c.where('db-pg', 1), (w) => w.length === 1 && w[0] === 'node2', 60_000);
    await c.waitFor('the row read through the VIP from node2', async () => sql('select v from story'), (r) => r === 'before', 10_000);
    expect(sql("insert into story values ('after') returning v")).toBe('after');

    // node1 comes back, is probed (it must not take node2's server for its own), and gets nothing
    // back: sampled all along, since a start there that is stopped again would not show at the end.
    // node1 is the DC as soon as it joins (lowest id) and holds the CIB it persisted before it lost
    // power: neither the VIP nor the server may appear there even for a moment.
    const vipOnNode1 = (): boolean => c.net.exec(0, 'ip', ['-o', 'addr', 'show', 'dev', 'eth0']).includes(`inet ${VIP}/`);
    let samplesWithServer = 0;
    let samplesWithVip = 0;
    let sampling = true;
    // Sampling starts once powerOn has flushed the addresses the node had before it lost power
    // (it spawns vigild without waiting for it, so nothing vigild does is missed).
    c.powerOn(0);
    const sampler = (async () => {
      while (sampling) {
        if (c.pidsNamed(0, 'postgres').length > 0) samplesWithServer++;
        if (vipOnNode1()) samplesWithVip++;
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    try {
      await c.cluster.waitForMembers(2, 30_000);
      await new Promise((r) => setTimeout(r, 5000));
    } finally {
      sampling = false;
      await sampler;
    }
    expect(samplesWithVip, 'samples in which the VIP was on node1 after it came back').toBe(0);
    expect(samplesWithServer, 'samples in which PostgreSQL ran on node1 after it came back').toBe(0);
    expect(await c.where('db-pg')).toEqual(['node2']);
    expect(await c.where('db-ip')).toEqual(['node2']);
    expect(c.pidsNamed(0, 'postgres')).toEqual([]);
    expect(sql('select string_agg(v, \',\' order by v) from story')).toBe('after,before');
  }, 150_000);
});
