import type { Context } from '../context.js';
import type { Node, Primitive } from '../model.js';
import { hasRoom } from '../features/colocated-utilization.js';

/** Whether the node still has room for the primitive's utilization (strategies other than default). */
export function fitsCapacity(ctx: Context, node: Node, p: Primitive, scores?: number[]): boolean {
  if (ctx.placementStrategy === 'default') return true;
  return hasRoom(ctx, node, p, scores);
}

export function reserveCapacity(ctx: Context, node: Node, p: Primitive): void {
  if (ctx.placementStrategy === 'default') return;
  for (const [k, demand] of p.utilization) node.freeUtilization.set(k, (node.freeUtilization.get(k) ?? 0) - demand);
}

/** Negative when `a` should be preferred over `b` on capacity alone (balanced: more free capacity). */
export function compareCapacity(ctx: Context, a: Node, b: Node): number {
  if (ctx.placementStrategy !== 'balanced') return 0;
  let aWins = 0;
  let bWins = 0;
  const keys = new Set([...a.freeUtilization.keys(), ...b.freeUtilization.keys()]);
  for (const k of keys) {
    const fa = a.freeUtilization.get(k) ?? 0;
    const fb = b.freeUtilization.get(k) ?? 0;
    if (fa > fb) aWins++;
    else if (fb > fa) bWins++;
  }
  return aWins > bWins ? -1 : bWins > aWins ? 1 : 0;
}
