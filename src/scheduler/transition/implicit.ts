import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Primitive, Resource } from '../model.js';

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
 * - a group's start comes before its running, as a clone's does; a promotable clone promotes
 *   only after its stops and starts only after its demotions;
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
    const own = (task: string): Act | undefined => acts.find((a) => a.collectiveOf === r && a.task === task);
    const pairs: [string, string][] = r.kind === 'group' ? [['start', 'running']] : r.kind === 'clone' && r.promotable ? [['stopped', 'promote'], ['demoted', 'start']] : [];
    for (const [f, t] of pairs) {
      const first = own(f);
      const then = own(t);
      if (first && then) out.push({ first, then });
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
  // The same for a collective's own "member stop, then ..." orderings, which hold between the
  // resources even where a member has no stop to carry them (it is not active).
  for (const [r, acts] of plan.byRsc) {
    if (r.kind !== 'group' && r.kind !== 'clone') continue;
    const stopped = acts.find((a) => a.collectiveOf === r && a.task === 'stopped');
    const kids = r.kind === 'group' ? r.children : r.instances;
    kids.forEach((k, i) => {
      for (const p of probesOf.get(k) ?? []) {
        if (stopped) out.push({ first: p, then: stopped });
        const prev = r.kind === 'group' && i > 0 ? r.children[i - 1] : undefined;
        if (prev?.kind === 'primitive') for (const s of plan.stops.get(prev)?.values() ?? []) out.push({ first: p, then: s });
      }
    });
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
  out.push(...restartOrderings(plan, probesOf));
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
  // A bundle replica's "fencing" is the recovery of its container, ordered within the bundle.
  for (const f of fences) {
    const container = f.node?.guest ? ctx.byId.get(f.node.guest.container) : undefined;
    if (!container?.parent) out.push(...afterFencing(ctx, plan, f));
  }
  return out;
}

function requiresFencing(ctx: Context, p: Primitive): boolean {
  const requires = p.meta.get('requires') ?? (p.cls === 'stonith' ? 'quorum' : ctx.stonithEnabled ? 'fencing' : 'quorum');
  return requires === 'fencing' || requires === 'unfencing';
}

/**
 * What waits for a node's fencing besides its own resources' stops: every start and promote of
 * a resource that requires fencing (it may have been active on that node), and the top-level
 * collective's stop of a resource whose stop the fencing implies.
 */
function afterFencing(ctx: Context, plan: Plan, fence: Act): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const [p, start] of plan.starts) {
    if (plan.frozen.has(p) || !requiresFencing(ctx, p)) continue;
    out.push({ first: fence, then: start });
    const promote = plan.promotes.get(p);
    if (promote) out.push({ first: fence, then: promote });
  }
  for (const [p, stops] of plan.stops) {
    const implied = [...stops.values()].some((s) => s.pseudo && s.node === fence.node);
    if (!implied || !p.parent || !requiresFencing(ctx, p)) continue;
    let top: Resource = p;
    while (top.parent) top = top.parent;
    const topStop = plan.pseudo.get(`${top.id}_stop_0`);
    if (topStop) out.push({ first: fence, then: topStop });
  }
  return out;
}

/**
 * A probe comes before the stop (or demote) of every other resource that restarts (or is
 * re-promoted) when the probed resource starts: should the probe find it active, those must not
 * have been stopped for nothing. Followed as Pacemaker follows them: along orderings that make
 * the next action required, and from a group or non-interleaved clone down to its children.
 */
function restartOrderings(plan: Plan, probesOf: Map<Resource, Act[]>): GraphEdge[] {
  const out: GraphEdge[] = [];
  const after = new Map<Act, { then: Act; implies: boolean }[]>();
  for (const e of plan.edges) {
    const list = after.get(e.first) ?? [];
    list.push({ then: e.then, implies: e.flags.has('implies_then') });
    after.set(e.first, list);
  }
  for (const [r, probes] of probesOf) {
    const seen = new Set<Act>();
    const targets = new Set<Act>();
    const visit = (a: Act): void => {
      if (seen.has(a)) return;
      seen.add(a);
      if (a.rsc?.kind === 'primitive' && a.rsc !== r) {
        const then = a.task === 'start' ? [...(plan.stops.get(a.rsc)?.values() ?? [])] : a.task === 'promote' ? [plan.demotes.get(a.rsc)].filter((x): x is Act => x !== undefined) : [];
        for (const t of then) if (!t.pseudo) targets.add(t);
      }
      for (const { then, implies } of after.get(a) ?? []) {
        if (!implies) {
          const coll = a.rsc;
          if (!coll || coll.kind === 'primitive' || r.parent === coll || !then.rsc || then.rsc.parent !== coll) continue;
          if (coll.kind === 'clone' && coll.interleave) continue;
        }
        visit(then);
      }
    };
    for (const p of probes) for (const { then } of after.get(p) ?? []) visit(then);
    for (const p of probes) for (const t of targets) out.push({ first: p, then: t });
  }
  return out;
}

/**
 * Actions on a Pacemaker Remote node go through its connection: they wait for the connection's
 * start, and the node's resources stop before the connection stops.
 */
export function remoteConnectionOrder(ctx: Context, plan: Plan): GraphEdge[] {
  const out: GraphEdge[] = [];
  for (const a of plan.acts) {
    const n = a.node;
    if (!n || n.kind !== 'remote' || !a.rsc || (a.kind !== 'resource' && a.task !== 'stop')) continue;
    const conn = ctx.byId.get(n.uname);
    if (!conn || conn.kind !== 'primitive' || conn === a.rsc) continue;
    if (a.task === 'stop' || a.task === 'demote' || a.task === 'migrate_to') for (const s of plan.stops.get(conn)?.values() ?? []) out.push({ first: a, then: s });
    else {
      // A connection that migrates stays up throughout: nothing waits for its (pseudo) start.
      const start = plan.starts.get(conn);
      if (start && !start.pseudo) out.push({ first: start, then: a });
    }
  }
  return out;
}
