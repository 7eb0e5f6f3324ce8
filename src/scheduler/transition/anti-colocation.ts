import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Resource } from '../model.js';
import { INFINITY } from '../score.js';
import type { GraphEdge } from './implicit.js';

function normalRole(role: string | undefined): 'Promoted' | 'Unpromoted' | 'Started' {
  const r = (role ?? '').toLowerCase();
  if (r === 'promoted' || r === 'master') return 'Promoted';
  if (r === 'unpromoted' || r === 'slave') return 'Unpromoted';
  return 'Started';
}

/** A resource's actions for a task, a primitive's completion tasks read as the action itself. */
function actsOf(plan: Plan, r: Resource, task: string): Act[] {
  if (r.kind !== 'primitive') {
    const a = plan.pseudo.get(`${r.id}_${task}_0`);
    return a ? [a] : [];
  }
  if (task === 'stopped') return [...(plan.stops.get(r)?.values() ?? [])];
  const one = task === 'start' ? plan.starts.get(r) : task === 'promote' || task === 'promoted' ? plan.promotes.get(r) : plan.demotes.get(r);
  return one ? [one] : [];
}

/**
 * Two resources that must never share a node (a -INFINITY colocation, per role): on any one node,
 * whatever makes one of them leave its role there comes before whatever gives the other its
 * role there, both ways. Only orderings between actions on the same node bind.
 */
export function antiColocationOrder(ctx: Context, plan: Plan): GraphEdge[] {
  const out: GraphEdge[] = [];
  const order = (first: Resource, firstRole: string | undefined, then: Resource, thenRole: string | undefined): void => {
    const fr = normalRole(firstRole);
    const tr = normalRole(thenRole);
    const losing = fr === 'Promoted' ? ['demoted'] : fr === 'Unpromoted' ? ['stopped', 'promoted'] : ['stopped'];
    const gaining = tr === 'Promoted' ? ['promote'] : tr === 'Unpromoted' ? ['start', 'demote'] : ['start'];
    for (const ft of losing) {
      for (const tt of gaining) {
        for (const f of actsOf(plan, first, ft)) {
          for (const t of actsOf(plan, then, tt)) {
            if (f.node && t.node && f.node !== t.node) continue;
            out.push({ first: f, then: t });
          }
        }
      }
    }
  };
  for (const c of ctx.constraints.colocations) {
    if (c.score > -INFINITY) continue;
    order(c.dependent, c.dependentRole, c.primary, c.primaryRole);
    order(c.primary, c.primaryRole, c.dependent, c.dependentRole);
  }
  return out;
}
