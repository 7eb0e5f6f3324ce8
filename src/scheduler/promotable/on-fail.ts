import type { NodeHistory } from '../model.js';

/**
 * A promoted instance whose failure carries on-fail=demote recovers by demotion alone: it keeps
 * running, unpromoted, and may not be promoted again on that node while the failure stands.
 */
export function recoversByDemotion(h: NodeHistory): boolean {
  return h.failed && h.onFail === 'demote' && h.role === 'Promoted' && !h.stopFailed;
}
