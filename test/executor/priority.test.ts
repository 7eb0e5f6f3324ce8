import { readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/executor/process.js';
import { gone, ocf, removeSandboxes, req, sandbox } from './helpers.js';

const root = process.getuid?.() === 0;
const niceOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);

// vigild runs at nice -20; what it starts must not inherit that.
describe.skipIf(!root)('agents and supervised programs run at the normal priority under a raised daemon', () => {
  const before = getPriority();
  const sb = sandbox();
  beforeAll(() => setPriority(-5));
  afterAll(() => {
    setPriority(before);
    removeSandboxes();
  });

  it('an agent process runs at nice 0', async () => {
    const out = await runProcess({ command: 'sh', args: ['-c', 'nice'], env: { PATH: '/usr/bin:/bin' } }, { timeoutMs: 5000, killGraceMs: 100, outputLimit: 1024 });
    expect(out).toMatchObject({ kind: 'exited', code: 0, stdout: '0\n' });
  });

  it('a missing program still fails, named', async () => {
    const out = await runProcess({ command: '/nonexistent/agent', args: [], env: { PATH: '/usr/bin:/bin' } }, { timeoutMs: 5000, killGraceMs: 100, outputLimit: 1024 });
    expect(out.kind === 'spawn-failed' || (out.kind === 'exited' && out.code === 127)).toBe(true);
    expect(out.kind === 'spawn-failed' ? out.error : out.stderr).toContain('/nonexistent/agent');
  });

  it("ocf:vigil:Supervisor's program runs at nice 0", async () => {
    const params = { binfile: '/bin/sleep', cmdline_options: '1001' };
    const start = await sb.executor.run(req('prio', ocf('vigil', 'Supervisor'), 'start', params));
    expect(start.rc, start.stderr).toBe(0);
    const pid = Number(readFileSync(`${sb.rscTmp}/vigil-Supervisor-prio.state`, 'utf8'));
    expect(niceOf(pid)).toBe(0);
    expect((await sb.executor.run(req('prio', ocf('vigil', 'Supervisor'), 'stop', params))).rc).toBe(0);
    expect(await gone(pid)).toBe(true);
  });
});
