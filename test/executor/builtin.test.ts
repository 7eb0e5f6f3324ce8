import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_AGENTS } from '../../src/executor/agents/registry.js';
import type { OperationResult } from '../../src/executor/types.js';
import { alive, gone, needsBuild, ocf, req, removeSandboxes, ROOT, sandbox } from './helpers.js';

const sb = sandbox();
afterAll(removeSandboxes);
const vigil = (type: string) => ocf('vigil', type);

/** Waits, bounded, for a condition the test then asserts on. */
async function until(ok: () => boolean, withinMs = 5000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!ok() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('built-in agents, run inside the executor', () => {
  it('every built-in agent prints meta-data that parses, with its actions', async () => {
    for (const name of BUILTIN_AGENTS.keys()) {
      const md = await sb.executor.metadata(vigil(name));
      expect(md.name).toBe(name);
      expect(md.actions.map((a) => a.name)).toEqual(expect.arrayContaining(['start', 'stop', 'monitor', 'meta-data']));
    }
  });

  it.skipIf(needsBuild())('each built-in agent also has an OCF wrapper under libexec/resource.d/vigil, which runs it as a process', () => {
    const wrappers = readdirSync(join(ROOT, 'libexec', 'resource.d', 'vigil')).sort();
    expect(wrappers).toEqual([...BUILTIN_AGENTS.keys()].sort());
    const md = execFileSync(join(ROOT, 'libexec', 'resource.d', 'vigil', 'Dummy'), ['meta-data'], { encoding: 'utf8' });
    expect(md).toContain('<resource-agent name="Dummy"');
    const wrapper = join(ROOT, 'libexec', 'resource.d', 'vigil', 'Dummy');
    const env = { ...process.env, OCF_ROOT: '/usr/lib/ocf', OCF_RA_VERSION_MAJOR: '1', OCF_RESOURCE_INSTANCE: 'wrapped', HA_RSCTMP: sb.rscTmp };
    const code = (action: string): number => {
      try {
        execFileSync(wrapper, [action], { env, stdio: 'ignore' });
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    };
    expect([code('monitor'), code('start'), code('monitor'), code('stop'), code('monitor'), code('frobnicate')]).toEqual([7, 0, 0, 0, 7, 3]);
  });

  it('a built-in action past its timeout is reported timed out, and changes nothing afterwards', async () => {
    const late = await sb.executor.run(req('slow', vigil('Dummy'), 'start', { op_sleep: '0.4' }, { timeoutMs: 100 }));
    expect(late).toMatchObject({ rc: 1, status: 'timed-out' });
    await new Promise((r) => setTimeout(r, 600));
    expect(existsSync(join(sb.rscTmp, 'vigil-Dummy-slow.state'))).toBe(false);
  });

  it('ocf:vigil:Dummy starts, monitors, reloads and stops', async () => {
    const params = { fake: 'a' };
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'monitor', params))).rc).toBe(7);
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'start', params))).rc).toBe(0);
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'monitor', params, { intervalMs: 10000 }))).rc).toBe(0);
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'reload-agent', { fake: 'b' }))).rc).toBe(0);
    expect(readFileSync(join(sb.rscTmp, 'vigil-Dummy-d.state'), 'utf8')).toBe('b\n');
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'stop', params))).rc).toBe(0);
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'monitor', params))).rc).toBe(7);
    expect((await sb.executor.run(req('d', vigil('Dummy'), 'frobnicate', params))).rc).toBe(3);
    const bad = await sb.executor.run(req('d', vigil('Dummy'), 'validate-all', { op_sleep: 'soon' }));
    expect(bad).toMatchObject({ rc: 6, exitReason: "op_sleep must be a number of seconds, not 'soon'" });
  });

  it('ocf:vigil:Stateful moves between roles and publishes promotion scores', async () => {
    const run = (task: string) => sb.executor.run(req('ms:1', vigil('Stateful'), task));
    expect((await run('start')).rc).toBe(0);
    expect(sb.transient('master-ms')).toBe('5');
    expect((await run('promote')).rc).toBe(0);
    expect(sb.transient('master-ms')).toBe('10');
    expect((await run('monitor')).rc).toBe(8);
    expect((await run('demote')).rc).toBe(0);
    expect((await run('monitor')).rc).toBe(0);
    expect((await run('stop')).rc).toBe(0);
    expect(sb.transient('master-ms')).toBeUndefined();
    const promoteStopped = await run('promote');
    expect(promoteStopped).toMatchObject({ rc: 1, exitReason: 'cannot promote: not running' });
  });

  it('ocf:vigil:Supervisor keeps a program running outside the operation, and stops it', async () => {
    const params = { binfile: '/bin/sleep', cmdline_options: '1000' };
    const start = await sb.executor.run(req('sup', vigil('Supervisor'), 'start', params));
    expect(start.rc, start.stderr).toBe(0);
    const pid = Number(readFileSync(join(sb.rscTmp, 'vigil-Supervisor-sup.state'), 'utf8'));
    expect(alive(pid)).toBe(true);
    expect((await sb.executor.run(req('sup', vigil('Supervisor'), 'monitor', params))).rc).toBe(0);
    expect((await sb.executor.run(req('sup', vigil('Supervisor'), 'stop', params))).rc).toBe(0);
    expect(await gone(pid)).toBe(true);
    expect((await sb.executor.run(req('sup', vigil('Supervisor'), 'monitor', params))).rc).toBe(7);

    // A resource deleted from the configuration is stopped with no parameters left to say how:
    // the executor stops it with those it was started with.
    const orphan = await sb.executor.run(req('orphan', vigil('Supervisor'), 'start', params));
    expect(orphan.rc, orphan.stderr).toBe(0);
    const orphanPid = Number(readFileSync(join(sb.rscTmp, 'vigil-Supervisor-orphan.state'), 'utf8'));
    expect((await sb.executor.run(req('orphan', vigil('Supervisor'), 'stop', {}))).rc).toBe(0);
    expect(await gone(orphanPid)).toBe(true);

    const crashed = await sb.executor.run(req('sup2', vigil('Supervisor'), 'start', { binfile: '/bin/sleep', cmdline_options: 'not-a-number' }));
    expect(crashed).toMatchObject({ rc: 1, exitReason: '/bin/sleep exited right after starting' });
    const missingBin = await sb.executor.run(req('sup3', vigil('Supervisor'), 'start', { binfile: '/nonexistent/daemon' }));
    expect(missingBin.rc).toBe(5);
    const badCheck = await sb.executor.run(req('sup4', vigil('Supervisor'), 'start', { ...params, start_check_ms: 'soon' }));
    expect(badCheck).toMatchObject({ rc: 6, exitReason: "start_check_ms must be a number of milliseconds, not 'soon'" });
  });

  it("ocf:vigil:Supervisor: the program's death runs the recurring monitor at once, not at its next interval", async () => {
    const params = { binfile: '/bin/sleep', cmdline_options: '1000' };
    expect((await sb.executor.run(req('watched', vigil('Supervisor'), 'start', params))).rc).toBe(0);
    const pid = Number(readFileSync(join(sb.rscTmp, 'vigil-Supervisor-watched.state'), 'utf8'));
    const results: OperationResult[] = [];
    // Ten minutes: a second result within the test can only come from watching the process.
    sb.executor.startRecurring(req('watched', vigil('Supervisor'), 'monitor', params, { intervalMs: 600_000 }), (r) => results.push(r));
    await until(() => results.length === 1);
    expect(results.map((r) => r.rc)).toEqual([0]);
    process.kill(pid, 'SIGKILL');
    await until(() => results.length === 2);
    expect(results[1]).toMatchObject({ rc: 1, exitReason: `/bin/sleep (pid ${pid}) is no longer running` });
    expect((await sb.executor.run(req('watched', vigil('Supervisor'), 'stop', params))).rc).toBe(0);
    expect(sb.executor.listRecurring()).toEqual([]);
  });

  describe('ocf:vigil:HttpCheck', () => {
    let server: Server;
    let status = 200;
    let url = '';
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(status);
        res.end(status === 200 ? 'all good' : 'broken');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('is healthy while the URL answers as expected, failed otherwise', async () => {
      const params = () => ({ url, expect_body: 'good' });
      expect((await sb.executor.run(req('hc', vigil('HttpCheck'), 'monitor', params()))).rc).toBe(7);
      expect((await sb.executor.run(req('hc', vigil('HttpCheck'), 'start', params()))).rc).toBe(0);
      expect((await sb.executor.run(req('hc', vigil('HttpCheck'), 'monitor', params(), { intervalMs: 10000 }))).rc).toBe(0);
      status = 503;
      const failed = await sb.executor.run(req('hc', vigil('HttpCheck'), 'monitor', params(), { intervalMs: 10000 }));
      expect(failed).toMatchObject({ rc: 1, exitReason: `${url} answered 503, expected 200` });
      status = 200;
      expect((await sb.executor.run(req('hc', vigil('HttpCheck'), 'stop', params()))).rc).toBe(0);
      const badUrl = await sb.executor.run(req('hc', vigil('HttpCheck'), 'validate-all', { url: 'ftp://x' }));
      expect(badUrl).toMatchObject({ rc: 6, exitReason: "url must be http:// or https://, not 'ftp:'" });
    });

    it('start waits for a service that answers only a moment later, and fails with the reason when it never does', async () => {
      const late = createServer((_req, res) => res.end('late but good'));
      const port = await new Promise<number>((r) => {
        // Bound to learn a free port, then closed: nothing answers there until it listens again.
        late.listen(0, '127.0.0.1', () => {
          const p = (late.address() as AddressInfo).port;
          late.close(() => r(p));
        });
      });
      const lateUrl = `http://127.0.0.1:${port}/`;
      const opening = setTimeout(() => late.listen(port, '127.0.0.1'), 400);
      try {
        const started = await sb.executor.run(req('hc-late', vigil('HttpCheck'), 'start', { url: lateUrl, expect_body: 'good' }, { timeoutMs: 10_000 }));
        expect(started).toMatchObject({ rc: 0, status: 'done', exitReason: '' });
      } finally {
        clearTimeout(opening);
        await new Promise<void>((r) => late.close(() => r()));
      }
      const never = await sb.executor.run(req('hc-never', vigil('HttpCheck'), 'start', { url: lateUrl }, { timeoutMs: 1000 }));
      expect(never.rc).toBe(1);
      expect(never.status).toBe('done');
      expect(never.exitReason).toContain(`${lateUrl}: connect ECONNREFUSED`);
    });
  });
});
