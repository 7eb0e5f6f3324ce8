import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Node, Primitive, Resource } from '../model.js';
import type { GraphEdge } from './implicit.js';

/** Node names compared as Pacemaker sorts them for its tests: digit runs by value. */
function byUname(a: Node, b: Node): number {
  return a.uname.localeCompare(b.uname, 'en', { numeric: true, sensitivity: 'base' });
}

function allowedNodes(ctx: Context, p: Primitive): Node[] {
  if (ctx.symmetric) return [...ctx.nodes].sort(byUname);
  const named = new Set<number>();
  for (let cur: Resource | undefined = p; cur; cur = cur.parent) for (const loc of ctx.locationsOf.get(cur) ?? []) for (const idx of loc.scores.keys()) named.add(idx);
  return ctx.nodes.filter((n) => named.has(n.index)).sort(byUname);
}

/**
 * Under a placement strategy other than `default`, every node a resource with utilization is
 * running on or may run on gets a `load_stopped_NODE` pseudo action: the stops on that node come before it and the
 * starts on that node after it, so a node's capacity is freed before it is used again. Pacemaker
 * creates them per primitive in configuration order (current nodes, then allowed nodes by name)
 * and always puts them in the graph. Returned in creation order.
 */
export function loadStoppedActions(ctx: Context, plan: Plan): { acts: Act[]; edges: GraphEdge[] } {
  const acts: Act[] = [];
  const edges: GraphEdge[] = [];
  if (ctx.placementStrategy === 'default') return { acts, edges };
  const byNode = new Map<Node, Act>();
  const of = (n: Node): Act => {
    let a = byNode.get(n);
    if (!a) {
      a = { seq: -1, key: `load_stopped_${n.uname}`, task: 'load_stopped', pseudo: true, kind: 'pseudo', optional: false, runnable: true, intervalMs: 0 };
      byNode.set(n, a);
      acts.push(a);
    }
    return a;
  };
  const users: Primitive[] = [];
  for (const r of ctx.byId.values()) {
    if (r.kind !== 'primitive' || r.utilization.size === 0) continue;
    users.push(r);
    for (const stop of plan.stops.get(r)?.values() ?? []) if (stop.node) of(stop.node);
    for (const n of allowedNodes(ctx, r)) of(n);
  }
  for (const p of users) {
    for (const s of plan.stops.get(p)?.values() ?? []) if (s.node) edges.push({ first: s, then: of(s.node) });
    const start = plan.starts.get(p);
    if (start?.node) edges.push({ first: of(start.node), then: start });
    // A live migration starts where the resource goes: it waits for that node's load.
    const to = (plan.byRsc.get(p) ?? []).find((a) => a.task === 'migrate_to');
    if (to && start?.node) edges.push({ first: of(start.node), then: to });
  }
  return { acts, edges };
}
