import type { OpDef } from '../model.js';

/**
 * Pacemaker rejects an operation whose name and interval are configured more than once for a
 * resource (even with different roles): none of the copies is scheduled as a recurring action.
 */
export function isDuplicatedOp(ops: readonly OpDef[], op: OpDef): boolean {
  return ops.filter((o) => o.name === op.name && o.intervalMs === op.intervalMs).length > 1;
}
