/**
 * Which recurring operations a node's executor still runs for a resource, read from its history
 * as Pacemaker reads it: the recurring operations recorded since the last start (or since the
 * last stop when the resource stopped there). The result code does not matter: a monitor for
 * the Stopped role that found the resource not running is still scheduled there.
 */

/** The parts of an operation record this reading needs, in call order. */
export interface RecordedOp {
  task: string;
  intervalMs: number;
  rc: number;
  /** op-status: -1 pending, 0 done ... */
  status: number;
}

export interface ActiveOps {
  /** Recurring operations still scheduled on the node. */
  ops: { task: string; intervalMs: number }[];
  /** The last stop came after the last start: the resource stopped there. */
  stopped: boolean;
}

/** Positions of the last start and the last successful stop; a monitor or role change that found it running implies a start. */
function startAndStop(ops: RecordedOp[]): { start: number; stop: number } {
  let start = -1;
  let stop = -1;
  let impliedByMonitor = -1;
  let impliedByRole = -1;
  ops.forEach((op, i) => {
    if (op.task === 'stop' && op.status === 0) stop = i;
    else if (op.task === 'start' || op.task === 'migrate_from') start = i;
    else if (op.task === 'monitor' && impliedByMonitor <= stop && (op.rc === 0 || op.rc === 8)) impliedByMonitor = i;
    else if (op.task === 'promote' || op.task === 'demote') impliedByRole = i;
  });
  if (start === -1) start = impliedByRole !== -1 ? impliedByRole : impliedByMonitor;
  return { start, stop };
}

/** The operations recorded since the resource last started there; none when it stopped since. */
export function sinceLastStart<T extends RecordedOp>(ops: T[]): T[] {
  const { start, stop } = startAndStop(ops);
  return start < stop ? [] : ops.slice(Math.max(start, 0));
}

export function activeRecurringOps(ops: RecordedOp[], nodeOnline: boolean): ActiveOps {
  const { start, stop } = startAndStop(ops);
  const stopped = start < stop;
  const out: ActiveOps = { ops: [], stopped };
  if (!nodeOnline) return out;
  ops.forEach((op, i) => {
    if (stopped ? i <= stop : i < start) return;
    if (op.intervalMs === 0 || op.status === -1) return;
    if (!out.ops.some((o) => o.task === op.task && o.intervalMs === op.intervalMs)) out.ops.push({ task: op.task, intervalMs: op.intervalMs });
  });
  return out;
}
