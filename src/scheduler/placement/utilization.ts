import type { Context } from '../context.js';
import type { Node, Primitive } from '../model.js';

/** Whether the node still has room for the primitive's utilization (strategies other than default). */
export function fitsCapacity(ctx: Context, node: Node, p: Primitive): boolean {
  if (ctx.placementStrategy === 'default') return true;
  // A group's first member brings the whole group's demand: the members must fit together.
  const demands = new Map<string, number>();
  const members = p.parent?.kind === 'group' && p.parent.children[0] === p ? p.parent.children : [p];
  for (const m of members) for (const [k, v] of m.utilization) demands.set(k, (demands.get(k) ?? 0) + v);
  for (const [k, demand] of demands) {
    if (demand <= 0) continue;
    const free = node.freeUtilization.get(k) ?? 0;
    if (free < demand) return false;
  }
  return true;
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
