/**
 * Clean shutdown: a cluster node that asked to leave (its `shutdown` attribute set) is told to
 * go (`do_shutdown`) once everything it runs has stopped; a stop that cannot happen holds it,
 * an unmanaged resource does not.
 */
import type { Context } from '../context.js';
import { appendAct } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import { primitiveManaged } from '../placement/scores.js';

export function scheduleShutdowns(ctx: Context, plan: Plan): void {
  for (const node of ctx.nodes) {
    if (node.kind !== 'member' || !node.online || node.unclean || !node.shutdown) continue;
    const down = appendAct(plan.acts, { key: `do_shutdown-${node.uname}`, task: 'do_shutdown', node, kind: 'cluster' });
    for (const [p, stops] of plan.stops) {
      // An unmanaged resource is left running: it does not hold the node back.
      if (!primitiveManaged(ctx, p)) continue;
      const stop = stops.get(node.uname);
      if (stop) plan.edges.push({ first: stop, then: down, flags: new Set(['runnable', 'order']), label: `${stop.rsc?.id ?? ''} stop` });
    }
  }
}
