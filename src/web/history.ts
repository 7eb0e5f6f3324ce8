import type { XmlElement } from '../cib/xml.js';
import type { FenceHistoryEntry } from '../fencing/history.js';
import type { ClusterStatusView } from '../status/index.js';

/**
 * The history page: recent operations from the CIB's status section (the operation history
 * every node's controller records), current failures, fencing, and the transition engine.
 */

export interface OperationEvent {
  node: string;
  resource: string;
  task: string;
  intervalMs: number;
  rc: number;
  /** Pacemaker's op-status (-1 pending, 0 done, 1 cancelled, 2 timed out, 3+ errors). */
  opStatus: number;
  /** Epoch seconds of the last change of result. */
  when: number | null;
  callId: number;
  exitReason?: string;
  failed: boolean;
}

export interface HistoryView {
  operations: OperationEvent[];
  failures: ClusterStatusView['failures'];
  fencing: { target: string; action: string; state: string; by?: string; origin?: string; when: number | null; detail?: string }[];
  transitions: unknown;
}

const int = (v: string | undefined): number => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : 0);

export function operationHistory(cib: XmlElement, limit = 200): OperationEvent[] {
  const out: OperationEvent[] = [];
  for (const state of cib.children.find((c) => c.name === 'status')?.children ?? []) {
    if (state.name !== 'node_state' || state.attrs.uname === undefined) continue;
    for (const lrm of state.children) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
      for (const op of r.children) {
        if (op.name !== 'lrm_rsc_op') continue;
        const rc = int(op.attrs['rc-code']);
        const opStatus = int(op.attrs['op-status']);
        const task = op.attrs.operation ?? '?';
        const intervalMs = int(op.attrs.interval);
        const probe = task === 'monitor' && intervalMs === 0;
        const expected = int(op.attrs['transition-key']?.split(':')[2] ?? (probe ? '7' : '0'));
        const changed = op.attrs['last-rc-change'] ?? op.attrs['last-run'];
        out.push({
          node: state.attrs.uname,
          resource: r.attrs.id ?? '?',
          task,
          intervalMs,
          rc,
          opStatus,
          when: changed !== undefined && /^\d+$/.test(changed) ? Number(changed) : null,
          callId: int(op.attrs['call-id']),
          ...(op.attrs['exit-reason'] ? { exitReason: op.attrs['exit-reason'] } : {}),
          failed: (opStatus !== 0 && opStatus !== 1 && opStatus !== -1) || (rc !== expected && !(probe && (rc === 7 || rc === 0 || rc === 8))),
        });
      }
    }
  }
  out.sort((a, b) => (b.when ?? 0) - (a.when ?? 0) || b.callId - a.callId);
  return out.slice(0, limit);
}

export function historyView(cib: XmlElement, status: ClusterStatusView, fenceLog: readonly FenceHistoryEntry[], transitions: unknown): HistoryView {
  const fencing: HistoryView['fencing'] = [
    ...fenceLog.map((e) => ({
      target: e.target,
      action: e.action,
      state: e.state,
      by: e.executioner,
      origin: e.origin,
      when: Math.floor((e.completedMs ?? e.requestedMs) / 1000),
      detail: e.detail,
    })),
    ...status.fencing
      .filter((f) => !fenceLog.some((e) => e.target === f.target && Math.floor((e.completedMs ?? e.requestedMs) / 1000) === f.completed))
      .map((f) => ({ target: f.target, action: f.action, state: f.state, ...(f.delegate ? { by: f.delegate } : {}), ...(f.origin ? { origin: f.origin } : {}), when: f.completed ?? null })),
  ].sort((a, b) => (b.when ?? 0) - (a.when ?? 0));
  return { operations: operationHistory(cib), failures: status.failures, fencing, transitions };
}
