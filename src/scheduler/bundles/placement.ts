/**
 * Where a bundle's containers may go: like a clone's instances, at most replicas-per-host of them
 * share a node, and a replica that runs where it may stay keeps its node (running replicas are
 * placed first, see connectionsOf).
 */
import type { Context } from '../context.js';
import type { Node, Primitive } from '../model.js';
import { nodeCanHost } from '../model.js';
import { isActive } from '../unpack/history.js';
import { BUNDLE_META, PER_HOST_META, REPLICA_META } from './expand.js';

/** A filter on the nodes a bundle container may be placed on now; undefined for other resources. */
export function replicaFilter(ctx: Context, p: Primitive, scores: number[]): ((n: Node) => boolean) | undefined {
  const bundle = p.meta.get(BUNDLE_META);
  if (bundle === undefined || p.meta.get(REPLICA_META) === undefined || !p.meta.has(PER_HOST_META)) return undefined;
  const perHost = Number(p.meta.get(PER_HOST_META));
  const used = new Map<Node, number>();
  for (const [r, pl] of ctx.placement) {
    if (r === p || r.kind !== 'primitive' || !pl.node || r.meta.get(BUNDLE_META) !== bundle || !r.meta.has(PER_HOST_META)) continue;
    used.set(pl.node, (used.get(pl.node) ?? 0) + 1);
  }
  const room = (n: Node): boolean => (used.get(n) ?? 0) < perHost;
  const current = [...p.history.values()].filter(isActive).map((h) => h.node);
  const here = current.length === 1 ? current[0] : undefined;
  if (here && nodeCanHost(here) && scores[here.index] >= 0 && room(here)) return (n) => n === here;
  return room;
}
