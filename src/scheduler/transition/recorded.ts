import type { Act } from '../actions/action.js';
import { activeOn } from '../actions/cancel.js';
import type { Resource } from '../model.js';
import { isActive } from '../unpack/history.js';

/**
 * Actions Pacemaker already created while unpacking and checking a resource's history, node by
 * node: an action for each recurring operation still running there (a later cancel or required
 * monitor of the same key on that node is that action), then its stop when it failed there and
 * is recovered or runs another agent than configured, then what the configuration check adds (the
 * start of a restart for changed parameters, the deletion of its history, clearing a fail count). They are the resource's oldest actions, before
 * any made by scheduling.
 */
function unpackRank(r: Resource, a: Act): number | undefined {
  if (r.kind !== 'primitive' || !a.node) return undefined;
  const rank = a.node.index * 4;
  // Made by the configuration check, after unpacking; an orphan's fail count is cleared later still.
  if (a.task === 'delete' || (a.task === 'clear_failcount' && !a.recorded && !r.orphan)) return rank + 3;
  if (a.recorded || (a.task === 'monitor' && a.intervalMs > 0 && activeOn(r, a.node, a.task, a.intervalMs))) return rank;
  const h = r.history.get(a.node.uname);
  if (!h || h.role === 'Stopped') return undefined;
  // A reload is asked for by that check too; when the start is still in flight, the check asks
  // for the stop instead (the start then comes as for any restart).
  if (a.task === 'reload-agent' || (a.task === 'stop' && h.reload === true && h.definitionChanged)) return rank + 2;
  // The restart for changed parameters is asked for by the check of the start recorded there.
  if (a.task === 'start' && h.definitionChanged && h.reload !== true && h.agentChanged !== true && isActive(h)) return rank + 2;
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
