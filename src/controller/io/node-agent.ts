import { Executor, pacemakerOpStatus, requestFromAction, type OperationResult } from '../../executor/index.js';
import type { ResourceAction } from '../../scheduler/graph.js';
import type { OperationOutcome } from '../controller.js';
import { OpStatus } from '../history.js';
import type { ControllerMessage } from './messages.js';

/** The executor's view of how an operation ended, in the CIB's op-status codes. */
export function outcomeOf(result: OperationResult): OperationOutcome {
  return {
    rc: result.rc,
    opStatus: pacemakerOpStatus(result.status),
    exitReason: result.exitReason,
    startedAtMs: result.startedAtMs,
    durationMs: result.durationMs,
    digest: result.digest,
  };
}

/**
 * Every node's side of the transition engine: runs the operations the DC sends on the local
 * executor and answers with their results; recurring monitors report their first result as the
 * answer and every later change on their own, to whoever is DC then.
 */
export class NodeAgent {
  /** Fence devices started (registered) on this node: what a stonith probe asks about. */
  private readonly devices = new Set<string>();
  /** Operations asked for and not answered yet, for a new DC to learn about. */
  private readonly running = new Map<string, { transition: number; origin: string; action: ResourceAction }>();

  constructor(
    private readonly executor: Executor,
    private readonly reply: (msg: ControllerMessage) => void,
    private readonly log: (level: 'info' | 'warn' | 'error', msg: string) => void,
  ) {}

  /** Operations still running that a DC asked for, oldest first. */
  inFlight(): { transition: number; origin: string; action: ResourceAction }[] {
    return [...this.running.values()];
  }

  run(transition: number, origin: string, action: ResourceAction): void {
    const request = requestFromAction(action);
    const id = `${origin}:${transition}:${action.id}`;
    this.running.set(id, { transition, origin, action });
    const answer = (outcome: OperationOutcome): void => {
      this.running.delete(id);
      this.reply({ t: 'op-result', transition, action: action.id, outcome, origin, about: action });
    };
    if (action.resource.agentClass === 'stonith') {
      // A fence device "runs" where the fencer has registered it; the agent's monitor only says
      // the device is reachable, which is true on every node, so a probe is answered from here.
      if (action.task === 'monitor' && action.intervalMs === 0 && !this.devices.has(action.resource.id)) {
        const now = Date.now();
        return answer({ rc: 7, opStatus: OpStatus.done, exitReason: '', startedAtMs: now, durationMs: 0 });
      }
      if (action.task === 'stop') this.devices.delete(action.resource.id);
    }
    if (action.task === 'cancel') {
      const task = action.resource.meta.operation ?? action.resource.meta.CRM_meta_operation ?? 'monitor';
      this.executor.cancelRecurring({ resourceId: action.resource.id, task, intervalMs: action.intervalMs });
      const now = Date.now();
      answer({ rc: 0, opStatus: OpStatus.done, exitReason: '', startedAtMs: now, durationMs: 0 });
      return;
    }
    if (action.intervalMs > 0) {
      let first = true;
      this.executor.startRecurring(request, (result, changed) => {
        if (first) {
          first = false;
          answer(outcomeOf(result));
        } else if (changed && result.status !== 'cancelled') {
          this.reply({ t: 'monitor-result', resource: action.resource, intervalMs: action.intervalMs, outcome: outcomeOf(result) });
        }
      });
      return;
    }
    this.executor.run(request).then(
      (result) => {
        if (action.resource.agentClass === 'stonith' && action.task === 'start' && result.rc === 0 && result.status === 'done') this.devices.add(action.resource.id);
        answer(outcomeOf(result));
      },
      (err: unknown) => {
        this.log('error', `${action.key}: the executor failed: ${err instanceof Error ? err.message : String(err)}`);
        const now = Date.now();
        answer({ rc: 1, opStatus: OpStatus.error, exitReason: 'executor failure', startedAtMs: now, durationMs: 0 });
      },
    );
  }

  async shutdown(): Promise<void> {
    await this.executor.shutdown();
  }
}
