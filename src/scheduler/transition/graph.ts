import type { GraphAction, TransitionGraph } from '../graph.js';
import type { Act } from '../actions/action.js';
import { opName, type Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Primitive, Resource } from '../model.js';

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

/** Synapse order: per resource in allocation order, newest action first; then the rest. */
export function orderSynapses(ctx: Context, plan: Plan, keep: Set<Act>): Act[] {
  const out: Act[] = [];
  const seen = new Set<Act>();
  const visit = (r: Resource): void => {
    // A clone's instances come before the clone's own actions, a group's members after the group's.
    if (r.kind === 'clone') for (const c of r.instances) visit(c);
    const acts = (plan.byRsc.get(r) ?? []).filter((a) => keep.has(a));
    for (let i = acts.length - 1; i >= 0; i--) {
      out.push(acts[i]);
      seen.add(acts[i]);
    }
    if (r.kind === 'group') for (const c of r.children) visit(c);
  };
  for (const r of ctx.resources) visit(r);
  for (const a of plan.acts) if (keep.has(a) && !seen.has(a)) out.push(a);
  return out;
}

/** Inputs of each kept action: the kept actions ordered before it. */
export function inputsOf(plan: Plan, keep: Set<Act>): Map<Act, Set<Act>> {
  const inputs = new Map<Act, Set<Act>>();
  for (const a of keep) inputs.set(a, new Set());
  // Orderings through actions left out of the graph do not bind: those actions do not happen.
  const out = new Map<Act, Act[]>();
  for (const e of plan.edges) {
    if (!out.has(e.first)) out.set(e.first, []);
    (out.get(e.first) as Act[]).push(e.then);
  }
  for (const a of keep) {
    const stack = [...(out.get(a) ?? [])];
    const visited = new Set<Act>();
    while (stack.length > 0) {
      const t = stack.pop() as Act;
      if (visited.has(t)) continue;
      visited.add(t);
      if (keep.has(t)) {
        inputs.get(t)?.add(a);
        continue;
      }
    }
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
    if (a.pseudo || a.kind === 'pseudo') return { kind: 'pseudo', id: i, inputs: ins, key: a.key };
    const p = a.rsc as Primitive;
    return {
      kind: 'resource',
      id: i,
      inputs: ins,
      key: a.key,
      task: a.task,
      node: a.node?.uname ?? '',
      intervalMs: a.intervalMs,
      timeoutMs: p.ops.find((o) => o.name === a.task && o.intervalMs === a.intervalMs)?.timeoutMs ?? 20_000,
      resource: {
        id: opName(p),
        configId: p.configId,
        agentClass: p.cls,
        provider: p.provider,
        type: p.type,
        params: Object.fromEntries(p.params),
        meta: Object.fromEntries(p.meta),
      },
    };
  });
  return { actions };
}
