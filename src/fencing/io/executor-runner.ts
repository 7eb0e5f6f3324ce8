import type { Executor } from '../../executor/index.js';
import type { FenceStep } from '../decision.js';

export interface StepOutcome {
  ok: boolean;
  /** Why it failed; empty when it worked. */
  why: string;
}

/** Runs one fencing step (one device, one target) and says whether it worked. */
export type FenceRunner = (step: FenceStep, timeoutMs: number) => Promise<StepOutcome>;

/**
 * Fence agents run through the executor's stonith class, as every other agent does: the same
 * process-group handling, timeouts, output limits and node-wide concurrency limit. Each fencing
 * gets an operation id of its own, so it never waits behind the device's monitor.
 */
export function executorFenceRunner(executor: Pick<Executor, 'run'>): FenceRunner {
  let seq = 0;
  return async (step, timeoutMs) => {
    seq += 1;
    const r = await executor.run({
      resourceId: `${step.device}#fence-${seq}`,
      agent: { agentClass: 'stonith', type: step.agent },
      params: step.params,
      meta: {},
      task: step.action,
      intervalMs: 0,
      timeoutMs,
    });
    if (r.status === 'done' && r.rc === 0) return { ok: true, why: '' };
    if (r.status === 'timed-out') return { ok: false, why: `timed out after ${timeoutMs} ms` };
    if (r.status === 'not-installed') return { ok: false, why: `agent ${step.agent} not found` };
    const said = (r.exitReason || r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ').slice(-500);
    const exit = r.rawExit === undefined ? r.status : 'code' in r.rawExit ? `exit ${r.rawExit.code}` : `killed by ${r.rawExit.signal}`;
    return { ok: false, why: `${exit}${said ? `: ${said}` : ''}` };
  };
}
