import type { Act } from '../actions/action.js';
import { activeOn } from '../actions/cancel.js';
import type { Resource } from '../model.js';

/**
 * Actions Pacemaker already created while unpacking and checking a resource's history, node by
 * node: an action for each recurring operation still running there (a later cancel or required
 * monitor of the same key on that node is that action), then its stop when it failed there and
 * is recovered or runs another agent than configured, then the deletion of its history. They are
 * the resource's oldest actions, before any made by scheduling.
 */
function unpackRank(r: Resource, a: Act): number | undefined {
  if (r.kind !== 'primitive' || !a.node) return undefined;
  const rank = a.node.index * 3;
  if (a.task === 'delete') return rank + 2;
  if (a.recorded || (a.task === 'monitor' && a.intervalMs > 0 && activeOn(r, a.node, a.task, a.intervalMs))) return rank;
  const h = r.history.get(a.node.uname);
  if (!h || h.role === 'Stopped') return undefined;
  const recovered = h.failed && (h.onFail ?? 'restart') === 'restart';
  // The failed operation's own action comes with the failure (see creationOrder), before the stop.
  const failedOp = recovered && a.task === h.lastFailure?.task && a.intervalMs === h.lastFailure.intervalMs;
  if (failedOp || (a.task === 'stop' && (recovered || h.agentChanged === true))) return rank + 1;
  return undefined;
}

export function unpackedFirst(r: Resource, acts: Act[]): Act[] {
  const ranked = acts.map((a) => ({ a, rank: unpackRank(r, a) }));
  const head = ranked.filter((x) => x.rank !== undefined).sort((x, y) => (x.rank as number) - (y.rank as number));
  if (head.length === 0) return acts;
  return [...head.map((x) => x.a), ...ranked.filter((x) => x.rank === undefined).map((x) => x.a)];
}
