import { describe, expect, it } from 'vitest';
import type { OperationRequest, OperationResult } from '../../executor/index.js';
import { executorFenceRunner } from './executor-runner.js';

const step = { device: 'f1', agent: 'fence_dummy', params: { plug: 'n2' }, action: 'reboot', delayMs: 0 };

function fakeExecutor(result: Partial<OperationResult>): { run: (r: OperationRequest) => Promise<OperationResult>; seen: OperationRequest[] } {
  const seen: OperationRequest[] = [];
  return {
    seen,
    run: async (r) => {
      seen.push(r);
      return { resourceId: r.resourceId, task: r.task, intervalMs: 0, rc: 0, status: 'done', exitReason: '', stdout: '', stderr: '', startedAtMs: 0, durationMs: 1, queueTimeMs: 0, digest: '', ...result };
    },
  };
}

describe('fencing through the executor', () => {
  it("runs the device's agent in the stonith class with the step's action and parameters", async () => {
    const ex = fakeExecutor({});
    const run = executorFenceRunner(ex);
    expect(await run(step, 5000)).toEqual({ ok: true, why: '' });
    expect(await run(step, 5000)).toEqual({ ok: true, why: '' });
    expect(ex.seen[0]).toMatchObject({ agent: { agentClass: 'stonith', type: 'fence_dummy' }, task: 'reboot', params: { plug: 'n2' }, timeoutMs: 5000, intervalMs: 0 });
    // Never queued behind the device's monitor, nor behind another fencing.
    expect(new Set(ex.seen.map((r) => r.resourceId)).size).toBe(2);
    expect(ex.seen.every((r) => r.resourceId !== 'f1')).toBe(true);
  });

  it('says why a step failed', async () => {
    expect(await executorFenceRunner(fakeExecutor({ rc: 1, rawExit: { code: 1 }, stderr: 'no such plug\n' }))(step, 1000)).toEqual({ ok: false, why: 'exit 1: no such plug' });
    expect(await executorFenceRunner(fakeExecutor({ rc: 1, status: 'timed-out' }))(step, 1000)).toEqual({ ok: false, why: 'timed out after 1000 ms' });
    expect(await executorFenceRunner(fakeExecutor({ rc: 5, status: 'not-installed' }))(step, 1000)).toEqual({ ok: false, why: 'agent fence_dummy not found' });
  });
});
