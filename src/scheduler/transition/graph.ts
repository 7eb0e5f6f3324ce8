import type { GraphAction, TransitionGraph } from '../graph.js';
import type { Act } from '../actions/action.js';
import { opName, type Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Primitive, Resource } from '../model.js';
import { activeHistories } from '../placement/scores.js';
import { bindsInGraph, fencingOrder, implicitEdges, remoteConnectionOrder, type GraphEdge } from './implicit.js';
import { loadStoppedActions } from './load.js';
import { antiColocationOrder } from './anti-colocation.js';
import { ONE_OR_MORE, oneOrMoreActions } from './one-or-more.js';
import { orderingFirst } from '../clones/notifications.js';
import { unpackedFirst } from './recorded.js';
import { operationParameters } from '../unpack/digests.js';

function kept(a: Act): boolean {
  if (a.kind === 'fence' || a.kind === 'cluster') return a.runnable;
  if (a.collectiveOf) return false;
  return !a.optional && a.runnable && (a.node !== undefined || a.pseudo);
}

/** The child action a collective's pseudo action stands for: `running` completes `start` ... */
const CHILD_TASK: Record<string, string> = { start: 'start', running: 'start', stop: 'stop', stopped: 'stop', promote: 'promote', promoted: 'promote', demote: 'demote', demoted: 'demote' };

function childrenOf(r: Resource): Resource[] {
  if (r.kind === 'group') return r.children;
  if (r.kind === 'clone') return r.instances;
  return [];
}

/**
 * Which actions go into the graph: the required runnable ones. A collective's pseudo actions
 * (`grp_start_0`, `clone_stopped_0` ...) are there exactly when one of its children's matching
 * actions is: Pacemaker orders a collective's pseudo actions around its children's with the
 * "printed" ordering flags, which print the pseudo action when the child action is required.
 */
export function selectActions(plan: Plan): Set<Act> {
  const keep = new Set(plan.acts.filter(kept));
  const has = (r: Resource, task: string): boolean => (plan.byRsc.get(r) ?? []).some((a) => keep.has(a) && a.task === task && (a.collectiveOf === r || r.kind === 'primitive'));
  const visit = (r: Resource): void => {
    const kids = childrenOf(r);
    for (const c of kids) visit(c);
    for (const a of plan.byRsc.get(r) ?? []) {
      if (a.collectiveOf !== r || !a.runnable) continue;
      const task = CHILD_TASK[a.task];
      if (task !== undefined && kids.some((c) => has(c, task))) keep.add(a);
    }
  };
  for (const r of plan.byRsc.keys()) if (!r.parent) visit(r);
  return keep;
}

/**
 * A resource's actions in the order Pacemaker created them. A resource restarted where it runs
 * had its recurring monitors created first (they exist whether or not it restarts); the stop
 * and start that restart it come after them, the start first when the restart is for a changed
 * definition (found while checking parameters, before any other action is created).
 */
function creationOrder(r: Resource, acts: Act[]): Act[] {
  // Unpacking a failure creates the failed operation's action (to read its on-fail) and, to
  // recover (on-fail=restart), the stop there: after the recurring monitors found running there,
  // before probes and every other action.
  const early: Act[] = [];
  for (const h of r.kind === 'primitive' ? activeHistories(r) : []) {
    if (!h.failed || (h.onFail ?? 'restart') !== 'restart') continue;
    const here = acts.filter((a) => a.node === h.node);
    const monitors = here.filter((a) => a.task === 'monitor' && h.recurring.has(a.intervalMs));
    const failedOp = here.find((a) => a.task === h.lastFailure?.task && a.intervalMs === h.lastFailure.intervalMs);
    const stop = here.find((a) => a.task === 'stop');
    for (const a of [...monitors, failedOp, stop]) if (a !== undefined && !early.includes(a)) early.push(a);
  }
  return [...early, ...moveRestart(r, acts.filter((a) => !early.includes(a)))];
}

function moveRestart(r: Resource, acts: Act[]): Act[] {
  const start = acts.find((a) => a.task === 'start' && a.node);
  const stop = acts.find((a) => a.task === 'stop' && start !== undefined && a.node === start.node);
  if (!start || !stop) return acts;
  const early = acts.filter((a) => a.task === 'monitor' && a.intervalMs > 0 && a.node === start.node);
  const rest = acts.filter((a) => !early.includes(a));
  const changed = r.kind === 'primitive' && activeHistories(r).some((h) => h.node === start.node && h.definitionChanged);
  if (changed && rest.indexOf(start) > rest.indexOf(stop)) {
    rest.splice(rest.indexOf(start), 1);
    rest.splice(rest.indexOf(stop), 0, start);
  }
  return [...early, ...rest];
}

/**
 * Synapse order, as Pacemaker writes its graph: resources in allocation order, each resource's
 * actions newest first (Pacemaker prepends every new action to its resource's list); a clone's
 * instances before the clone's own pseudo actions, a group's members after the group's. Then the
 * actions of no resource (fencing, shutdowns, orderings' pseudo actions), also newest first.
 */
export function orderSynapses(ctx: Context, plan: Plan, keep: Set<Act>): Act[] {
  const out: Act[] = [];
  const seen = new Set<Act>();
  const visit = (r: Resource): void => {
    if (r.kind === 'clone') for (const c of r.instances) visit(c);
    const acts = unpackedFirst(r, creationOrder(r, (plan.byRsc.get(r) ?? []).filter((a) => keep.has(a))));
    for (let i = acts.length - 1; i >= 0; i--) {
      out.push(acts[i]);
      seen.add(acts[i]);
    }
    if (r.kind === 'group') for (const c of r.children) visit(c);
  };
  for (const r of ctx.resources) visit(r);
  for (let i = plan.acts.length - 1; i >= 0; i--) if (keep.has(plan.acts[i]) && !seen.has(plan.acts[i])) out.push(plan.acts[i]);
  return out;
}

/** The transition graph of a plan: its actions, their synapse order and inputs. */
export function buildGraph(ctx: Context, plan: Plan): TransitionGraph {
  const keep = selectActions(plan);
  const ordered = orderSynapses(ctx, plan, keep);
  // Pseudo actions of no resource, oldest last: one-or-more ones are created while unpacking
  // constraints, load ones with the resources' internal orderings, both before fencing.
  const load = loadStoppedActions(ctx, plan);
  const oneOrMore = oneOrMoreActions(ctx, plan, keep);
  for (const acts of [load.acts, oneOrMore.acts]) {
    for (let i = acts.length - 1; i >= 0; i--) {
      keep.add(acts[i]);
      ordered.push(acts[i]);
    }
  }
  return toGraph(ordered, inputsOf(plan, keep, [...load.edges, ...oneOrMore.edges, ...fencingOrder(ctx, plan), ...antiColocationOrder(ctx, plan), ...remoteConnectionOrder(ctx, plan)]));
}

/** Inputs of each kept action: the kept actions directly ordered before it. */
export function inputsOf(plan: Plan, keep: Set<Act>, extra: GraphEdge[] = []): Map<Act, Set<Act>> {
  const inputs = new Map<Act, Set<Act>>();
  for (const a of keep) inputs.set(a, new Set());
  // Orderings with an action left out of the graph do not bind: that action does not happen.
  const edges = [...plan.edges.filter((e) => bindsInGraph(e.first, e.then) && !e.label.startsWith(ONE_OR_MORE)), ...implicitEdges(plan), ...extra];
  for (const e of edges) {
    const first = orderingFirst(plan, e.first, e.then);
    if (keep.has(first) && first !== e.then) inputs.get(e.then)?.add(first);
  }
  return inputs;
}

export function toGraph(ordered: Act[], inputs: Map<Act, Set<Act>>): TransitionGraph {
  const ids = new Map(ordered.map((a, i) => [a, i]));
  const actions: GraphAction[] = ordered.map((a, i) => {
    const ins = [...(inputs.get(a) ?? [])].map((x) => ids.get(x)).filter((x): x is number => x !== undefined).sort((x, y) => x - y);
    if (a.kind === 'fence') return { kind: 'fence', id: i, inputs: ins, node: a.node?.uname ?? '', fenceAction: (a.fenceAction ?? 'reboot') as 'reboot' | 'off' | 'on', reason: a.fenceReason ?? '' };
    if (a.kind === 'cluster') return { kind: 'cluster', id: i, inputs: ins, task: a.task as 'do_shutdown' | 'clear_failcount' | 'lrm_delete', node: a.node?.uname ?? '', resourceId: a.rsc?.id };
    if (a.task === 'stonith' && a.pseudo) return { kind: 'pseudo', id: i, inputs: ins, key: a.key, fencedNode: a.node?.uname };
    if (a.pseudo || a.kind === 'pseudo') return { kind: 'pseudo', id: i, inputs: ins, key: historyKey(a) };
    const p = a.rsc as Primitive;
    const def = p.ops.find((o) => o.name === (a.cancels ?? a.task) && o.intervalMs === a.intervalMs);
    return {
      kind: 'resource',
      id: i,
      inputs: ins,
      key: a.key,
      task: a.task,
      node: a.node?.uname ?? '',
      intervalMs: a.intervalMs,
      timeoutMs: def?.timeoutMs ?? 20_000,
      ...(a.cancels !== undefined ? { cancels: a.cancels } : {}),
      ...(a.targetRc !== undefined ? { targetRc: a.targetRc } : {}),
      resource: {
        id: opName(p),
        configId: p.configId,
        agentClass: p.cls,
        provider: p.provider,
        type: p.type,
        params: Object.fromEntries(operationParameters(p, def)),
        meta: Object.fromEntries(p.meta),
      },
    };
  });
  return { actions };
}

/** A primitive's own pseudo action is keyed by the name the resource is printed under. */
function historyKey(a: Act): string {
  if (a.rsc?.kind !== 'primitive' || !a.key.startsWith(`${a.rsc.id}_`)) return a.key;
  return `${opName(a.rsc)}${a.key.slice(a.rsc.id.length)}`;
}
