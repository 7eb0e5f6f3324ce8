/**
 * A bundle's guest nodes belong to the bundle: Pacemaker creates them unusable (-INFINITY) and
 * never to be probed, so nothing but the bundle's own resources is scored, placed or probed there,
 * whatever the cluster's symmetry or a location rule says.
 */
import type { Context } from '../context.js';
import type { Node, Primitive, Resource } from '../model.js';
import { INFINITY } from '../score.js';
import { BUNDLE_META } from './expand.js';

function bundleOf(r: Resource | undefined): string | undefined {
  for (let cur = r; cur; cur = cur.parent) {
    const b = cur.meta.get(BUNDLE_META);
    if (b !== undefined) return b;
  }
  return undefined;
}

/** The bundle a guest node is a replica of, if it is one. */
export function bundleOfNode(ctx: Context, node: Node): string | undefined {
  if (!node.guest) return undefined;
  return bundleOf(ctx.byId.get(node.guest.container));
}

/** Whether `node` is another bundle's guest node, closed to `r`. */
export function closedBundleNode(ctx: Context, r: Resource, node: Node): boolean {
  const owner = bundleOfNode(ctx, node);
  return owner !== undefined && bundleOf(r) !== owner;
}

/** Every other resource scores -INFINITY on a bundle's guest nodes, whatever its constraints say. */
export function banFromBundleNodes(ctx: Context, p: Primitive, scores: number[]): void {
  for (const n of ctx.nodes) if (closedBundleNode(ctx, p, n)) scores[n.index] = -INFINITY;
}

/** Whether a bundle's own primitive may be probed on `node`: only inside that bundle's replicas. */
export function bundledProbeAllowed(ctx: Context, r: Resource, node: Node): boolean {
  const clone = r.parent?.kind === 'clone' ? r.parent : undefined;
  const bundle = clone?.meta.get(BUNDLE_META);
  return bundle === undefined || bundleOfNode(ctx, node) === bundle;
}
