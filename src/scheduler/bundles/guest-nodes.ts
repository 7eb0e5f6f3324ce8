import type { Context } from '../context.js';
import type { Primitive, Resource } from '../model.js';
import { INFINITY } from '../score.js';
import { BUNDLE_META } from './expand.js';

function bundleOf(r: Resource | undefined): string | undefined {
  for (let cur = r; cur; cur = cur.parent) {
    const b = cur.meta.get(BUNDLE_META);
    if (b !== undefined) return b;
  }
  return undefined;
}

/**
 * A bundle's guest nodes are for the bundle's own resource: every other resource scores
 * -INFINITY there, whatever its constraints say (Pacemaker creates those nodes with that score).
 */
export function banFromBundleNodes(ctx: Context, p: Primitive, scores: number[]): void {
  const own = bundleOf(p);
  for (const n of ctx.nodes) {
    if (!n.guest) continue;
    const host = bundleOf(ctx.byId.get(n.guest.container));
    if (host !== undefined && host !== own) scores[n.index] = -INFINITY;
  }
}
