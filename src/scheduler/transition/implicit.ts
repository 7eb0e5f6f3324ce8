import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Resource } from '../model.js';

/** An ordering that only shapes the graph's inputs: it carries no required/unrunnable flags. */
export interface GraphEdge {
  first: Act;
  then: Act;
}

/** The outermost clone a resource belongs to, if any. */
function outerClone(r: Resource): Resource | undefined {
  let found: Resource | undefined;
  for (let cur = r.parent; cur; cur = cur.parent) if (cur.kind === 'clone') found = cur;
  return found;
}

function isProbe(a: Act): boolean {
  return a.task === 'monitor' && a.intervalMs === 0 && a.kind === 'resource' && a.rsc?.kind === 'primitive';
}

/**
 * Whether a scheduling edge also becomes a graph input. A clone instance's start does not wait
 * for its own probes: Pacemaker orders them before the clone's start instead (see `implicitEdges`).
 */
export function bindsInGraph(first: Act, then: Act): boolean {
  // Fencing is ordered among itself by `fencingOrder`.
  if (first.kind === 'fence' && then.kind === 'fence') return false;
  // A clone's promoted waits for its instances' promotions only, not for its own promote.
  if (first.collectiveOf && first.collectiveOf === then.collectiveOf && first.task === 'promote' && then.task === 'promoted') return false;
  if (isProbe(first) && then.rsc === first.rsc && then.task === 'start') return first.rsc === undefined || outerClone(first.rsc) === undefined;
  return true;
}

/**
 * Orderings Pacemaker adds while building the graph that the scheduling edges do not carry:
 * - a group's start comes before its running, as a clone's does;
 * - a clone instance's probes come before the clone's start (`clone_start_0`);
 * - for "X stop, then Y" between two different resources, X's probes also come before Y, so
 *   nothing is done on the strength of a resource being stopped before it is known to be;
 * - a live migration's migrate_from completes before its (pseudo) start;
 * - a group member's stop comes before the stop of the nearest earlier member that has one:
 *   a member that is not active has no stop to carry the chain.
 */
export function implicitEdges(plan: Plan): GraphEdge[] {
  const out: GraphEdge[] = [];
  const probesOf = new Map<Resource, Act[]>();
  for (const a of plan.acts) {
    if (!isProbe(a) || !a.rsc) continue;
    const list = probesOf.get(a.rsc) ?? [];
    list.push(a);
    probesOf.set(a.rsc, list);
  }
  for (const [r, acts] of plan.byRsc) {
    if (r.kind === 'group') {
      const start = acts.find((a) => a.collectiveOf === r && a.task === 'start');
      const running = acts.find((a) => a.collectiveOf === r && a.task === 'running');
      if (start && running) out.push({ first: start, then: running });
    }
  }
  for (const [r, probes] of probesOf) {
    const t = outerClone(r);
    if (!t) continue;
    const start = (plan.byRsc.get(t) ?? []).find((a) => a.collectiveOf === t && a.task === 'start');
    if (start) for (const p of probes) out.push({ first: p, then: start });
  }
  for (const e of plan.edges) {
    if (e.first.task !== 'stop' || !e.first.rsc || !e.then.rsc || e.first.rsc === e.then.rsc) continue;
    for (const p of probesOf.get(e.first.rsc) ?? []) out.push({ first: p, then: e.then });
  }
  for (const r of plan.byRsc.keys()) {
    if (r.kind !== 'group') continue;
    const stopsOf = (i: number): Act[] => {
      const c = r.children[i];
      return c.kind === 'primitive' ? [...(plan.stops.get(c)?.values() ?? [])] : [];
    };
    for (let i = r.children.length - 1; i > 0; i--) {
      const later = stopsOf(i);
      if (later.length === 0 || stopsOf(i - 1).length > 0) continue;
      let j = i - 1;
      while (j >= 0 && stopsOf(j).length === 0) j--;
      if (j >= 0) for (const a of later) for (const b of stopsOf(j)) out.push({ first: a, then: b });
    }
  }
  for (const p of plan.migrating) {
    const acts = plan.byRsc.get(p) ?? [];
    const from = acts.find((a) => a.task === 'migrate_from');
    const start = plan.starts.get(p);
    if (from && start) out.push({ first: from, then: start });
  }
  return out;
}

/**
 * How fencing actions wait for each other: the DC is fenced last, after every other node, so the
 * cluster does not lose its coordinator while it still has fencing to do. Without
 * concurrent-fencing the others are fenced one by one in node order, the DC after the last.
 */
export function fencingOrder(ctx: Context, plan: Plan): GraphEdge[] {
  const out: GraphEdge[] = [];
  const fences = ctx.nodes.map((n) => plan.fenceActs.get(n.uname)).filter((a): a is Act => a !== undefined);
  const dc = fences.find((a) => a.node?.attrs.get('#is_dc') === 'true');
  const others = fences.filter((a) => a !== dc);
  const concurrent = (ctx.props.get('concurrent-fencing') ?? 'false').toLowerCase() === 'true';
  if (!concurrent) for (let i = 1; i < others.length; i++) out.push({ first: others[i - 1], then: others[i] });
  if (dc) for (const a of concurrent ? others : others.slice(-1)) out.push({ first: a, then: dc });
  return out;
}
