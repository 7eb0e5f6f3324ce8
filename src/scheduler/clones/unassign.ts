import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Group, Primitive } from '../model.js';
import { primitivesOf } from '../model.js';

/**
 * Takes an instance off its node after its actions exist, as Pacemaker does when an
 * interleaved order finds no instance of the first clone on that node: its start can no longer
 * happen and it stops where it runs, for no reason the summary could name.
 */
export function unassignInstance(ctx: Context, plan: Plan, inst: Primitive | Group): void {
  for (const p of primitivesOf(inst)) {
    const start = plan.starts.get(p);
    // Where it runs, its start stays there (required with the stop, but never runnable).
    if (start) {
      start.runnable = false;
      if (!plan.stops.get(p)?.size) start.node = undefined;
    }
    for (const stop of plan.stops.get(p)?.values() ?? []) stop.optional = false;
    ctx.placement.set(p, { node: null, role: 'Stopped', unassigned: true });
  }
}
