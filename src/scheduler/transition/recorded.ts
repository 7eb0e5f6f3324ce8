import type { Act } from '../actions/action.js';
import { activeOn } from '../actions/cancel.js';
import type { Resource } from '../model.js';

/**
 * Actions Pacemaker already created while unpacking a resource's history, node by node: an
 * action for each recurring operation still running there (a later cancel or required monitor
 * of the same key on that node is that action), then, when the resource failed there and is
 * recovered, its stop. They are the resource's oldest actions, before any made by scheduling.
 */
function unpackRank(r: Resource, a: Act): number | undefined {
  if (r.kind !== 'primitive' || !a.node) return undefined;
  if (a.recorded || (a.task === 'monitor' && a.intervalMs > 0 && activeOn(r, a.node, a.task, a.intervalMs))) return a.node.index * 2;
  const h = r.history.get(a.node.uname);
  if (a.task === 'stop' && h && h.failed && h.role !== 'Stopped' && (h.onFail === undefined || h.onFail === 'restart')) return a.node.index * 2 + 1;
  return undefined;
}

export function unpackedFirst(r: Resource, acts: Act[]): Act[] {
  const ranked = acts.map((a) => ({ a, rank: unpackRank(r, a) }));
  const head = ranked.filter((x) => x.rank !== undefined).sort((x, y) => (x.rank as number) - (y.rank as number));
  if (head.length === 0) return acts;
  return [...head.map((x) => x.a), ...ranked.filter((x) => x.rank === undefined).map((x) => x.a)];
}
