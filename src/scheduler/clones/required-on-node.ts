import type { Act } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Clone, Node, Resource } from '../model.js';
import { primitivesOf } from '../model.js';

/** The instance action a clone's pseudo action stands for: `running` completes `start` ... */
const INSTANCE_TASK: Record<string, string> = { start: 'start', running: 'start', stop: 'stop', stopped: 'stop', promote: 'promote', promoted: 'promote', demote: 'demote', demoted: 'demote' };

function within(r: Resource | undefined, clone: Clone): boolean {
  for (let cur = r; cur; cur = cur.parent) if (cur === clone) return true;
  return false;
}

export interface CloneAcross {
  clone: Clone;
  /** The clone's pseudo action. */
  collective: Act;
  /** Node of the other resource's action. */
  node: Node;
}

/** Where an action happens: its node, or for a group's start the node its first member starts on. */
function nodeOf(plan: Plan, a: Act): Node | undefined {
  if (a.node) return a.node;
  const g = a.collectiveOf;
  if (g?.kind !== 'group' || a.task !== 'start' || g.children.length === 0) return undefined;
  return plan.starts.get(g.children[0])?.node;
}

/**
 * When an order binds a clone's pseudo action and an action of another resource on a node,
 * Pacemaker judges the clone by its instances on that node: returns what to judge it by.
 */
export function cloneAcross(plan: Plan, collective: Act, other: Act): CloneAcross | undefined {
  const c = collective.collectiveOf;
  if (c?.kind !== 'clone' || within(other.rsc, c)) return undefined;
  const node = nodeOf(plan, other);
  return node ? { clone: c, collective, node } : undefined;
}

/**
 * Whether the clone's pseudo action counts as required on the other action's node: an
 * instance's matching action there is. A new instance starting elsewhere does not restart what
 * is ordered after the clone on this node, nor does an instance stopping elsewhere stop it.
 */
export function requiredOn(plan: Plan, x: CloneAcross): boolean {
  const task = INSTANCE_TASK[x.collective.task];
  if (task === undefined) return true;
  return primitivesOf(x.clone).some((p) => (plan.byRsc.get(p) ?? []).some((a) => a.task === task && a.node === x.node && !a.optional && a.intervalMs === 0));
}

/** The pseudo actions of the clones around `a` that judge by it (to look at again once it is required). */
export function judgingCollectives(plan: Plan, a: Act): Act[] {
  const out: Act[] = [];
  if (a.intervalMs !== 0 || a.node === undefined) return out;
  for (let cur = a.rsc?.parent; cur; cur = cur.parent) {
    if (cur.kind !== 'clone') continue;
    for (const [task, of] of Object.entries(INSTANCE_TASK)) {
      const c = of === a.task ? plan.pseudo.get(`${cur.id}_${task}_0`) : undefined;
      if (c) out.push(c);
    }
  }
  return out;
}
