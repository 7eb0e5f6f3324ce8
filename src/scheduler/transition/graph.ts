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

/** Which actions go into the graph: required runnable ones, plus collective pseudo actions next to them. */
export function selectActions(plan: Plan): Set<Act> {
  const keep = new Set(plan.acts.filter(kept));
  let changed = true;
  while (changed) {
    changed = false;
    for (const e of plan.edges) {
      for (const [pseudo, other] of [
        [e.first, e.then],
        [e.then, e.first],
      ] as const) {
        if (!pseudo.collectiveOf || keep.has(pseudo) || !pseudo.runnable) continue;
        if (!keep.has(other)) continue;
        if (other.collectiveOf && !(pseudo.collectiveOf === other.collectiveOf)) continue;
        const childOf = other.rsc !== undefined && isDescendant(other.rsc, pseudo.collectiveOf);
        if (childOf || (!pseudo.optional && pseudo.runnable)) {
          keep.add(pseudo);
          changed = true;
        }
      }
    }
  }
  for (const a of plan.acts) if (a.collectiveOf && !a.optional && a.runnable) keep.add(a);
  return keep;
}

function isDescendant(r: Resource, ancestor: Resource): boolean {
  for (let cur: Resource | undefined = r; cur; cur = cur.parent) if (cur === ancestor) return true;
  return false;
}

/** Synapse order: per resource in allocation order, newest action first; then the rest. */
export function orderSynapses(ctx: Context, plan: Plan, keep: Set<Act>): Act[] {
  const out: Act[] = [];
  const seen = new Set<Act>();
  const visit = (r: Resource): void => {
    const acts = (plan.byRsc.get(r) ?? []).filter((a) => keep.has(a));
    for (let i = acts.length - 1; i >= 0; i--) {
      out.push(acts[i]);
      seen.add(acts[i]);
    }
    if (r.kind === 'group') for (const c of r.children) visit(c);
    if (r.kind === 'clone') for (const c of r.instances) visit(c);
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
