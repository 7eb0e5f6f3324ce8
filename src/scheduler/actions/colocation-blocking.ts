import type { Context } from '../context.js';
import type { Resource } from '../model.js';
import { INFINITY } from '../score.js';
import type { Act } from './action.js';
import type { Plan } from './plan.js';

/**
 * When a start (or promote) can no longer happen, resources tied to it by a mandatory colocation
 * cannot reach their colocated role either: their starts (or promotes) become unrunnable at once,
 * so "colocation with X" is the reason they keep even when an ordering would block them later.
 * A collective blocks its dependents only once none of its members can start (or promote).
 *
 * Returns the callback propagation calls for every unrunnable action; the callback returns the
 * actions it blocked in turn, which propagation passes back to it.
 */
export function colocationBlocker(ctx: Context, plan: Plan): (a: Act, restarts: boolean) => Act[] {
  const done = new Map<Resource, Set<string>>();
  const block = (a: Act, restarts: boolean): Act[] => {
    if (a.runnable || !a.rsc || (a.task !== 'start' && a.task !== 'promote')) return [];
    // A start that goes nowhere is a resource merely stopping: its dependents were placed knowing that.
    if (a.task === 'start' && a.node === undefined && !a.pseudo) return [];
    const top = topOf(a.rsc);
    if (done.get(top)?.has(a.task)) return [];
    if (!memberActs(plan, top, a.task).every((m) => !m.runnable)) return [];
    done.set(top, (done.get(top) ?? new Set<string>()).add(a.task));
    const blocked: Act[] = [];
    for (const col of ctx.withThis.get(top) ?? []) {
      if (col.score < INFINITY) continue;
      if (a.task === 'promote' && col.primaryRole !== 'Promoted') continue;
      const task = col.dependentRole === 'Promoted' ? 'promote' : 'start';
      for (const d of actsOf(plan, col.dependent, task)) {
        if (!d.runnable || (restarts && orderedAfter(a, d))) continue;
        d.runnable = false;
        d.unrunnableBy = d.unrunnableBy ?? `colocation with ${top.id}`;
        blocked.push(d);
      }
    }
    return blocked;
  };
  // A running resource blocked just now restarts (its stop, then its start, become required) and
  // passes that on along its orderings before its colocations are looked at: a dependent it also
  // orders keeps the ordering's reason.
  let successors: Map<Act, Set<Act>> | undefined;
  const orderedAfter = (a: Act, d: Act): boolean => {
    if (!successors) {
      successors = new Map();
      for (const e of plan.edges) if (e.flags.has('runnable')) successors.set(e.first, (successors.get(e.first) ?? new Set<Act>()).add(e.then));
    }
    return successors.get(a)?.has(d) === true;
  };
  return block;
}

function topOf(r: Resource): Resource {
  let top = r;
  while (top.parent) top = top.parent;
  return top;
}

/**
 * The first action of each member of a collective (the resource's own for a primitive): all must
 * be unrunnable for the collective to fail. A member with no such action placed anywhere counts
 * as one that could still do it, as Pacemaker finds no action to be unrunnable there.
 */
function memberActs(plan: Plan, top: Resource, task: string): Act[] {
  if (top.kind === 'primitive') return [];
  const members = top.kind === 'group' ? top.children : top.instances;
  return members.map((m) => firstAct(plan, m, task) ?? runnablePlaceholder);
}

const runnablePlaceholder = { runnable: true } as Act;

function firstAct(plan: Plan, r: Resource, task: string): Act | undefined {
  if (r.kind !== 'primitive') return plan.pseudo.get(`${r.id}_${task}_0`);
  const a = task === 'start' ? plan.starts.get(r) : plan.promotes.get(r);
  return a && (a.node !== undefined || a.pseudo) ? a : undefined;
}

/**
 * The dependent's own action: a collective's members follow its pseudo action through their
 * orderings, and take the reason of an ordering of their own that blocks them as well.
 */
function actsOf(plan: Plan, r: Resource, task: string): Act[] {
  const own = r.kind === 'primitive' ? firstAct(plan, r, task) : plan.pseudo.get(`${r.id}_${task}_0`);
  return own ? [own] : [];
}
