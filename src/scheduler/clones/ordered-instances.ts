import type { Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';

/**
 * The instance actions an order on a clone's own action reaches: Pacemaker applies what an order
 * with a clone's start (stop, promote, demote) implies to each instance's action of that kind,
 * so a required first restarts the running instances of a clone ordered after it.
 */
export function instanceActsOf(plan: Plan, collective: Act): Act[] {
  const c = collective.collectiveOf;
  if (c?.kind !== 'clone') return [];
  const out: Act[] = [];
  for (const p of primitivesOf(c)) {
    if (collective.task === 'start') out.push(...[plan.starts.get(p)].filter((a): a is Act => a !== undefined));
    else if (collective.task === 'stop') out.push(...(plan.stops.get(p)?.values() ?? []));
    else if (collective.task === 'promote') out.push(...[plan.promotes.get(p)].filter((a): a is Act => a !== undefined));
    else if (collective.task === 'demote') out.push(...[plan.demotes.get(p)].filter((a): a is Act => a !== undefined));
  }
  return out;
}

/** The first action belongs to the clone itself (its internal orderings are not applied to instances). */
export function actsWithin(a: Act, c: Resource): boolean {
  for (let cur: Resource | undefined = a.rsc; cur; cur = cur.parent) if (cur === c) return true;
  return false;
}
