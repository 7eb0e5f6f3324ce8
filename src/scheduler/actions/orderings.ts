import { restartTypeImpliesThen } from '../features/restart-type.js';
import type { Context } from '../context.js';
import type { Clone, Primitive, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import type { Ordering } from '../constraints/parse.js';
import { appendAct, edgeFlags, type Act, type Edge, type EdgeKind } from './action.js';
import { orderingActs, type Plan } from './plan.js';
import { actsWithin, instanceActsOf } from '../clones/ordered-instances.js';
import { ONE_OR_MORE } from '../transition/one-or-more.js';
import { cloneAcross, judgingCollectives, requiredOn } from '../clones/required-on-node.js';
import { unassignInstance } from '../clones/unassign.js';

const INVERSE: Record<string, string> = { start: 'stop', stop: 'start', promote: 'demote', demote: 'promote' };

function push(plan: Plan, first: Act, then: Act, label: string, flags: Edge['flags']): void {
  if (first === then) return;
  plan.edges.push({ first, then, flags: edgeFlags(flags), label });
}

function labelOf(r: Resource, a: Act): string {
  return `${r.id} ${a.task}`;
}

/** Turns ordering constraints into edges between the plan's actions. */
export function applyOrderings(ctx: Context, plan: Plan): void {
  for (const o of ctx.ordersOf) {
    if (o.kind === 'Serialize') continue;
    const mandatory = o.kind === 'Mandatory';
    if (o.waits.kind === 'any') {
      relaxedOrder(plan, o, o.waits.pseudo);
      continue;
    }
    // With clone-min (or require-all=false) the first clone counts as started once enough instances run, anywhere.
    const oneOrMore = o.waits.kind === 'instances';
    const interleaved = !oneOrMore && o.first.kind === 'clone' && o.then.kind === 'clone' && (o.then.interleave || (o.then.meta.get('interleave') ?? '') === 'true');
    if (interleaved) {
      interleave(ctx, plan, o.first as Clone, o.firstAction, o.then as Clone, o.thenAction, mandatory);
      wholeCloneOrder(plan, o.first, o.firstAction, o.then, o.thenAction);
      if (o.symmetrical && INVERSE[o.thenAction] && INVERSE[o.firstAction]) {
        interleave(ctx, plan, o.then as Clone, INVERSE[o.thenAction], o.first as Clone, INVERSE[o.firstAction], false, mandatory);
        wholeCloneOrder(plan, o.then, INVERSE[o.thenAction], o.first, INVERSE[o.firstAction]);
      }
      continue;
    }
    const firsts = orderingActs(plan, o.first, o.firstAction, true);
    const thens = orderingActs(plan, o.then, o.thenAction, false);
    const flags = new Set<EdgeKind>(mandatory ? ['runnable', 'implies_then', 'order'] : ['order']);
    if (mandatory && o.symmetrical) flags.add('symmetric');
    if (restartTypeImpliesThen(o)) flags.add('implies_then');
    for (const f of firsts) for (const t of thens) push(plan, f, t, oneOrMore ? `${ONE_OR_MORE}${o.id}` : labelOf(o.first, f), flags);
    if (o.symmetrical && INVERSE[o.thenAction] && INVERSE[o.firstAction]) {
      const f2 = orderingActs(plan, o.then, INVERSE[o.thenAction], true);
      const t2 = orderingActs(plan, o.first, INVERSE[o.firstAction], false);
      for (const f of f2) for (const t of t2) push(plan, f, t, labelOf(o.then, f), new Set(mandatory ? ['implies_first', 'runnable', 'order'] : ['order']));
    }
  }
}

/**
 * An order from a set with require-all=false: the first actions feed the set's pseudo action,
 * which is runnable while any of them is; the then actions need it runnable, whatever the kind.
 */
function relaxedOrder(plan: Plan, o: Ordering, key: string): void {
  let pseudo = plan.pseudo.get(key);
  if (!pseudo) {
    pseudo = appendAct(plan.acts, { key, task: key, kind: 'pseudo', pseudo: true, optional: true, runnable: false });
    plan.pseudo.set(key, pseudo);
  }
  for (const f of orderingActs(plan, o.first, o.firstAction, true)) {
    push(plan, f, pseudo, labelOf(o.first, f), new Set(['one_or_more', 'order']));
    if (f.runnable) pseudo.runnable = true;
  }
  for (const t of orderingActs(plan, o.then, o.thenAction, false)) push(plan, pseudo, t, key, new Set(['runnable', 'order']));
}

/**
 * Interleaving binds instances pairwise, yet the clones' own pseudo actions stay ordered as the
 * constraint says: only for the graph, since each instance pair carries the propagation.
 */
function wholeCloneOrder(plan: Plan, first: Resource, fa: string, then: Resource, ta: string): void {
  for (const f of orderingActs(plan, first, fa, true)) for (const t of orderingActs(plan, then, ta, false)) push(plan, f, t, labelOf(first, f), new Set(['order']));
}

function instanceActs(plan: Plan, inst: Primitive | import('../model.js').Group, action: string, asFirst: boolean): Act[] {
  if (inst.kind === 'primitive') return orderingActs(plan, inst, action, asFirst);
  return orderingActs(plan, inst, action, asFirst);
}

function interleave(ctx: Context, plan: Plan, first: Clone, fa: string, then: Clone, ta: string, mandatory: boolean, impliesFirst = false): void {
  for (const ti of then.instances) {
    const tnode = nodeOfInstance(ctx, ti);
    if (!tnode) continue;
    const placed = first.instances.find((i) => nodeOfInstance(ctx, i) === tnode);
    const fi = placed ?? (impliesFirst ? first.instances.find((i) => primitivesOf(i).some((p) => [...p.history.values()].some((h) => h.node === tnode && h.role !== 'Stopped'))) : undefined);
    if (!fi) {
      // Nothing of the first clone will run beside it: it cannot run there either.
      if (mandatory) unassignInstance(ctx, plan, ti);
      continue;
    }
    const fs = instanceActs(plan, fi, fa, true);
    const ts = instanceActs(plan, ti, ta, false);
    for (const f of fs) for (const t of ts) {
      const label = `${fi.id} ${f.task}`;
      if (impliesFirst) push(plan, f, t, label, new Set(['implies_first', 'order']));
      else push(plan, f, t, label, new Set(mandatory ? ['runnable', 'implies_then', 'order'] : ['order']));
    }
  }
}

function nodeOfInstance(ctx: Context, inst: Resource): import('../model.js').Node | null {
  const first = primitivesOf(inst)[0];
  return first ? (ctx.placement.get(first)?.node ?? null) : null;
}

/** Collective pseudo actions are runnable only when enough of their children can run. */
export function collectiveRunnability(ctx: Context, plan: Plan): void {
  for (const r of ctx.resources) mark(ctx, plan, r);
}

function mark(ctx: Context, plan: Plan, r: Resource): void {
  if (r.kind === 'primitive') return;
  const running = plan.pseudo.get(`${r.id}_running_0`);
  const start = plan.pseudo.get(`${r.id}_start_0`);
  if (r.kind === 'group') {
    // Every member must be able to run for the group to count as running: one left stopped
    // (disabled, or with nowhere to go) holds back whatever is ordered after the group.
    const canRun = (c: Primitive): boolean => (plan.starts.get(c)?.runnable ?? false) && ctx.placement.get(c)?.node != null;
    const first = r.children[0];
    if (start && (first === undefined || !canRun(first))) start.runnable = false;
    if (!r.children.every(canRun)) {
      if (running) running.runnable = false;
      if (running && r.children.some((c) => [...c.history.values()].some((h) => h.role !== 'Stopped' || h.failed))) running.stopping = true;
    }
    return;
  }
  for (const i of r.instances) mark(ctx, plan, i);
  const need = Math.max(1, r.cloneMin);
  const count = r.instances.filter((i) => {
    const p = primitivesOf(i)[0];
    return p && ctx.placement.get(p)?.node != null && (plan.starts.get(p)?.runnable ?? false);
  }).length;
  if (count < need && running) {
    running.runnable = false;
    // Stopping on purpose: only symmetrical orders take what follows down with it.
    running.stopping = r.instances.some((i) => primitivesOf(i).some((p) => [...p.history.values()].some((h) => h.role !== 'Stopped' || h.failed)));
  }
}

/** A collective's pseudo action passes its own reason on to its members' actions. */
function inherits(first: Act, then: Act): boolean {
  if (!first.pseudo || !first.collectiveOf || !then.rsc) return false;
  for (let cur: Resource | undefined = then.rsc.parent; cur; cur = cur.parent) if (cur === first.collectiveOf) return true;
  return false;
}

/**
 * An edge that both implies and needs its first records "required" when the first was already
 * required and the then action optional: Pacemaker applies the implication before runnability,
 * and the first reason recorded is the one the summary shows.
 */
function blockVerb(e: Edge, first: Act, then: Act): 'required' | 'unrunnable' {
  return e.flags.has('implies_then') && !first.optional && then.optional ? 'required' : 'unrunnable';
}

/**
 * Spreads "required" and "unrunnable" along the edges until nothing changes; `onUnrunnable` learns
 * of every unrunnable action (and whether that just made its running resource restart) and names
 * further actions that its being blocked blocks.
 */
export function propagate(plan: Plan, onUnrunnable: (a: Act, restarts: boolean) => Act[] = () => []): void {
  const out = new Map<Act, Edge[]>();
  const inc = new Map<Act, Edge[]>();
  for (const e of plan.edges) {
    if (!out.has(e.first)) out.set(e.first, []);
    (out.get(e.first) as Edge[]).push(e);
    if (!inc.has(e.then)) inc.set(e.then, []);
    (inc.get(e.then) as Edge[]).push(e);
  }
  /** Optional actions an edge made unrunnable, by that edge (its reason may still become "required"). */
  const blockedOptional = new Map<Act, Edge>();
  const restartStop = new Map<Act, Act>();
  for (const [p, start] of plan.starts) {
    if (!start.node) continue;
    const stop = plan.stops.get(p)?.get(start.node.uname);
    if (stop) restartStop.set(start, stop);
  }
  const queue: Act[] = [...plan.acts];
  const queued = new Set(queue);
  const touch = (a: Act): void => {
    if (!queued.has(a)) {
      queued.add(a);
      queue.push(a);
    }
  };
  /** A required start of a running resource requires the stop that restarts it. */
  const require = (t: Act, reason: string, stopReason: string): void => {
    t.optional = false;
    t.requiredBy = t.requiredBy ?? reason;
    touch(t);
    const s = restartStop.get(t);
    if (s && s.optional) {
      s.optional = false;
      s.requiredBy = s.requiredBy ?? stopReason;
      touch(s);
    }
  };
  // A running resource whose start can no longer happen must stop.
  const blocked = (t: Act): void => {
    touch(t);
    const s = restartStop.get(t);
    const restarts = s?.optional === true;
    if (s && s.optional) {
      s.optional = false;
      touch(s);
    }
    for (const d of onUnrunnable(t, restarts)) blocked(d);
  };
  for (let qi = 0; qi < queue.length; qi++) {
    const a = queue[qi];
    queued.delete(a);
    if (!a.runnable) for (const d of onUnrunnable(a, false)) blocked(d);
    for (const e of out.get(a) ?? []) {
      const t = e.then;
      if (e.flags.has('runnable') && !a.runnable && t.runnable && !(a.stopping && !e.flags.has('symmetric'))) {
        t.runnable = false;
        if (t.unrunnableBy === undefined && t.optional && !inherits(a, t)) blockedOptional.set(t, e);
        t.unrunnableBy = t.unrunnableBy ?? (inherits(a, t) && a.unrunnableBy ? a.unrunnableBy : `${blockVerb(e, a, t)} ${e.label}`);
        blocked(t);
      }
      if (e.flags.has('one_or_more') && !a.runnable && t.runnable && (inc.get(t) ?? []).every((x) => !x.flags.has('one_or_more') || !x.first.runnable)) {
        t.runnable = false;
        t.unrunnableBy = t.unrunnableBy ?? `unrunnable ${e.label}`;
        touch(t);
      }
      // Under a symmetrical order, a first resource that is stopping for good takes the then side down.
      if (e.flags.has('symmetric') && a.task === 'start' && a.node === undefined && a.runnable && !a.pseudo && t.runnable && t.task === 'start') {
        t.runnable = false;
        t.unrunnableBy = t.unrunnableBy ?? `required ${e.label}`;
        blocked(t);
      }
      // Pacemaker applies an edge's implication before its runnability: once its first turns
      // out required, the reason the edge gave an optional then action is that.
      if (e.flags.has('implies_then') && !a.optional && blockedOptional.get(t) === e) t.unrunnableBy = `required ${e.label}`;
      const across = cloneAcross(plan, a, t);
      if (e.flags.has('implies_then') && !a.optional && t.optional && (t.node !== undefined || t.pseudo) && (!across || requiredOn(plan, across))) {
        require(t, inherits(a, t) && a.requiredBy ? a.requiredBy : `required ${e.label}`, `required ${e.label}`);
      }
      // Only a resource's action reaches the instances: a one-or-more pseudo action just gates.
      if (e.flags.has('implies_then') && !a.optional && a.runnable && a.rsc && !e.label.startsWith(ONE_OR_MORE) && t.collectiveOf && !actsWithin(a, t.collectiveOf)) {
        for (const i of instanceActsOf(plan, t)) if (i.optional && i.runnable && i.node !== undefined) require(i, `required ${e.label}`, `required ${e.label}`);
      }
    }
    // A clone judges the orders across it by its instances on the other side's node.
    if (!a.optional) for (const c of judgingCollectives(plan, a)) if (!c.optional) touch(c);
    for (const e of inc.get(a) ?? []) {
      const across = cloneAcross(plan, a, e.first);
      if (e.flags.has('implies_first') && !a.optional && e.first.optional && (!across || requiredOn(plan, across))) {
        e.first.optional = false;
        e.first.requiredBy = e.first.requiredBy ?? `required ${e.label}`;
        touch(e.first);
      }
    }
  }
}
