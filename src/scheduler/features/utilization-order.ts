/**
 * Allocation order under a placement strategy (anything but `default`): resources that care
 * most about where they are go first, so they get the room. After priority, the resource with the
 * higher score on the node it runs on goes first; then the higher score on the first node where
 * they differ, nodes taken in placement order (for balanced: the roomiest first; then the ones
 * running fewer resources; then by name).
 */
import type { Context } from '../context.js';
import type { Node, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { activeHistories } from '../placement/scores.js';
import { addScores, INFINITY } from '../score.js';

function running(r: Resource): Node | undefined {
  for (const p of primitivesOf(r)) {
    const h = activeHistories(p)[0];
    if (h) return h.node;
  }
  return undefined;
}

/** Negative when `a` has free room in more of the utilization kinds than `b`. */
export function compareRoom(a: Node, b: Node): number {
  let score = 0;
  for (const k of new Set([...a.freeUtilization.keys(), ...b.freeUtilization.keys()])) {
    const fa = a.freeUtilization.get(k) ?? 0;
    const fb = b.freeUtilization.get(k) ?? 0;
    if (fa > fb) score--;
    else if (fb > fa) score++;
  }
  return score;
}

function placementOrder(ctx: Context, resources: Resource[]): Node[] {
  const load = new Map<Node, number>();
  for (const r of resources) for (const p of primitivesOf(r)) for (const h of activeHistories(p)) load.set(h.node, (load.get(h.node) ?? 0) + 1);
  return [...ctx.nodes].sort((a, b) => {
    if (ctx.placementStrategy === 'minimal') return a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0;
    if (ctx.placementStrategy === 'balanced') {
      const room = compareRoom(a, b);
      if (room !== 0) return room;
    }
    const la = load.get(a) ?? 0;
    const lb = load.get(b) ?? 0;
    if (la !== lb) return la - lb;
    return a.uname < b.uname ? -1 : a.uname > b.uname ? 1 : 0;
  });
}

/**
 * A resource's scores for ordering: its own, with those of the resources it is colocated with
 * folded in (scaled by the colocation's score), as far as the chain goes.
 */
function withPrimaries(ctx: Context, r: Resource, scoresOf: (r: Resource) => number[], seen: Set<Resource>): number[] {
  seen.add(r);
  const scores = scoresOf(r);
  for (const c of ctx.thisWith.get(r) ?? []) {
    if (!c.influence || seen.has(c.primary)) continue;
    const primary = withPrimaries(ctx, c.primary, scoresOf, seen);
    const factor = c.score / INFINITY;
    for (let i = 0; i < scores.length; i++) {
      const v = primary[i];
      const add = v <= -INFINITY ? (factor > 0 ? -INFINITY : 0) : v >= INFINITY ? (factor > 0 ? INFINITY : -INFINITY) : Math.trunc(v * factor);
      scores[i] = addScores(scores[i], add);
    }
  }
  return scores;
}

/** `order` sorted for allocation; `scoresOf` gives a resource's scores per node index. */
export function allocationOrder(ctx: Context, order: Resource[], scoresOf: (r: Resource) => number[]): Resource[] {
  const nodes = placementOrder(ctx, order);
  const scores = new Map(order.map((r) => [r, withPrimaries(ctx, r, scoresOf, new Set())]));
  const here = new Map(order.map((r) => [r, running(r)]));
  const scoreOn = (r: Resource, n: Node | undefined): number => (n === undefined ? -INFINITY : (scores.get(r) as number[])[n.index]);
  return [...order].sort((x, y) => {
    if (x.priority !== y.priority) return y.priority - x.priority;
    const cx = scoreOn(x, here.get(x));
    const cy = scoreOn(y, here.get(y));
    if (cx !== cy) return cy - cx;
    for (const n of nodes) {
      const sx = scoreOn(x, n);
      const sy = scoreOn(y, n);
      if (sx !== sy) return sy - sx;
    }
    return 0;
  });
}
