import type { Act } from '../actions/action.js';
import { orderingActs, type Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { GraphEdge } from './implicit.js';

/** Label the ordering stage gives the edges of an order that waits for enough clone instances. */
export const ONE_OR_MORE = 'clone-one-or-more:';

/**
 * An order that waits for enough instances of its first clone (clone-min, or one with
 * require-all=false) goes through a pseudo action, `clone-one-or-more:ORDER-ID`, in the graph:
 * it follows the instances' actions and the order's then action follows it, so the then side
 * waits for enough instances, not for all. A set with require-all=false has its pseudo action,
 * `one-or-more:SET-ID`, in the plan already (with its edges). Either is in the graph when one of
 * the actions feeding it is. Returned in creation order (constraint order: Pacemaker creates
 * them while unpacking constraints, before anything else).
 */
export function oneOrMoreActions(ctx: Context, plan: Plan, keep: Set<Act>): { acts: Act[]; edges: GraphEdge[] } {
  const acts: Act[] = [];
  const edges: GraphEdge[] = [];
  for (const o of ctx.ordersOf) {
    if (o.kind === 'Serialize') continue;
    if (o.waits.kind === 'any') {
      const a = plan.pseudo.get(o.waits.pseudo);
      if (a && a.runnable && !acts.includes(a) && plan.edges.some((e) => e.then === a && keep.has(e.first))) acts.push(a);
      continue;
    }
    if (o.waits.kind !== 'instances' || o.first.kind !== 'clone') continue;
    const firsts = o.first.instances.flatMap((i) => orderingActs(plan, i, o.firstAction, false)).filter((a) => keep.has(a));
    if (firsts.length === 0) continue;
    const thens = orderingActs(plan, o.then, o.thenAction, false).filter((a) => keep.has(a));
    const key = `${ONE_OR_MORE}${o.id}`;
    const a: Act = { seq: -1, key, task: key, pseudo: true, kind: 'pseudo', optional: false, runnable: true, intervalMs: 0 };
    acts.push(a);
    for (const f of firsts) edges.push({ first: f, then: a });
    for (const t of thens) edges.push({ first: a, then: t });
  }
  return { acts, edges };
}
