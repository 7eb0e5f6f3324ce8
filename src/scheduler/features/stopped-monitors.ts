/**
 * Recurring monitors configured for the Stopped role: they run on every node where the resource
 * will not be, to notice it starting there behind the cluster's back (success is "not running",
 * rc 7). Where the resource will run, such a monitor still running is cancelled before it starts.
 * Pacemaker does not support them for anonymous clones.
 */
import type { Context } from '../context.js';
import type { Act, EdgeKind } from '../actions/action.js';
import { activeOn, cancelAct, configuredOnce, inMaintenance, resourceAct } from '../actions/cancel.js';
import { allPrimitives, type Plan } from '../actions/plan.js';
import type { Node, Primitive } from '../model.js';
import { activeHistories, cloneOf, primitiveManaged } from '../placement/scores.js';

function edge(plan: Plan, first: Act, then: Act, label: string, ...flags: EdgeKind[]): void {
  plan.edges.push({ first, then, flags: new Set(flags), label });
}

export function scheduleStoppedMonitors(ctx: Context, plan: Plan): void {
  for (const p of allPrimitives(ctx.resources)) {
    const clone = cloneOf(p);
    if ((clone && !clone.unique) || p.orphan || inMaintenance(ctx, p)) continue;
    // A resource blocked by a failure gets no recurring actions at all.
    if ([...p.history.values()].some((h) => h.failed && h.onFail === 'block')) continue;
    for (const op of p.ops) {
      if (op.role !== 'Stopped' || op.intervalMs <= 0 || !op.enabled || !configuredOnce(p, op.name, op.intervalMs)) continue;
      for (const node of ctx.nodes) monitorStopped(ctx, plan, p, node, op.name, op.intervalMs);
    }
  }
}

function monitorStopped(ctx: Context, plan: Plan, p: Primitive, node: Node, task: string, intervalMs: number): void {
  const pl = ctx.placement.get(p);
  const managed = primitiveManaged(ctx, p);
  const running = activeOn(p, node, task, intervalMs);
  // An unmanaged resource is left where it is: where it is not active, it is not going.
  const next = managed || activeHistories(p).some((h) => h.node === pl?.node) ? pl?.node : undefined;
  if (next === node) {
    if (!running) return;
    const cancel = cancelAct(plan, p, node, task, intervalMs);
    const start = plan.starts.get(p);
    if (start && pl?.role !== 'Promoted') edge(plan, cancel, start, `${p.id} cancel`, 'order');
    return;
  }
  const mon = resourceAct(plan, { key: `${p.id}_${task}_${intervalMs}`, task, rsc: p, node, intervalMs, targetRc: 7, optional: running, recorded: running });
  if (managed) {
    for (const probe of plan.byRsc.get(p) ?? []) if (probe.task === 'monitor' && probe.intervalMs === 0 && probe.node === node) edge(plan, probe, mon, `${p.id} monitor`, 'runnable', 'order');
  }
  const stop = plan.stops.get(p)?.get(node.uname);
  if (stop) {
    if (!stop.optional && !mon.optional && !managed) mon.optional = true;
    if (!stop.runnable) mon.runnable = false;
    if (managed) edge(plan, stop, mon, `${p.id} stop`, 'implies_then', 'runnable', 'order');
  }
  if (!node.online || node.unclean) mon.runnable = false;
}
