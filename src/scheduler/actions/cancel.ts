/**
 * Cancelling recurring operations the history says a node still runs but that are no longer
 * wanted: their definition is gone, the resource or node is in maintenance, or the role the
 * resource will have is not the one they monitor.
 *
 * Pacemaker creates an action for each such recorded operation while unpacking the history, and
 * a later action with the same key on that node (a cancel, or a required monitor) reuses it: that
 * is why these actions come before every other action of their resource in the graph.
 */
import type { Context } from '../context.js';
import type { Node, Primitive, Resource } from '../model.js';
import { nodeCanHost } from '../model.js';
import { isTrue } from '../score.js';
import type { Act } from './action.js';
import { allPrimitives, recurringOps, type Plan } from './plan.js';
import { isActive } from '../unpack/history.js';
import { historiesByNode } from '../unpack/histories-by-node.js';
import { cloneOf } from '../placement/scores.js';

/** Adds a resource action; a recorded one goes after the recorded actions already at the head of its resource's list. */
export function resourceAct(plan: Plan, init: Pick<Act, 'key' | 'task' | 'rsc' | 'node'> & Partial<Act>): Act {
  const a: Act = { seq: plan.acts.length, kind: 'resource', pseudo: false, optional: false, runnable: true, intervalMs: 0, ...init };
  plan.acts.push(a);
  const rsc = a.rsc as Resource;
  const list = plan.byRsc.get(rsc) ?? [];
  plan.byRsc.set(rsc, list);
  if (a.recorded) {
    let at = 0;
    while (at < list.length && list[at].recorded) at++;
    list.splice(at, 0, a);
  } else list.push(a);
  return a;
}

export function cancelAct(plan: Plan, p: Primitive, node: Node, task: string, intervalMs: number): Act {
  return resourceAct(plan, { key: `${p.id}_${task}_${intervalMs}`, task: 'cancel', cancels: task, rsc: p, node, intervalMs, recorded: true });
}

export function activeOn(p: Primitive, node: Node, task: string, intervalMs: number): boolean {
  return p.history.get(node.uname)?.activeOps.some((o) => o.task === task && o.intervalMs === intervalMs) ?? false;
}

/** Pacemaker schedules neither copy of a recurring operation configured twice (same name and interval). */
export function configuredOnce(p: Primitive, name: string, intervalMs: number): boolean {
  return p.ops.filter((o) => o.name === name && o.intervalMs === intervalMs).length === 1;
}

export function inMaintenance(ctx: Context, r: Resource): boolean {
  if (ctx.maintenanceMode) return true;
  for (let cur: Resource | undefined = r; cur; cur = cur.parent) if (isTrue(cur.meta.get('maintenance'))) return true;
  return false;
}

function order(plan: Plan, first: Act | undefined, then: Act | undefined, label: string): void {
  if (first && then) plan.edges.push({ first, then, flags: new Set(['order']), label });
}

/**
 * The configuration check of every active resource's history on every node that can run
 * actions (or is in maintenance): recurring operations without a definition any more, or in
 * maintenance, are cancelled once the resource has stopped there (if it stops).
 */
export function scheduleConfigCancels(ctx: Context, plan: Plan): void {
  const stopOrphanActions = !['false', 'no', 'off', '0'].includes((ctx.props.get('stop-orphan-actions') ?? 'true').toLowerCase());
  const byNode = historiesByNode(allPrimitives(ctx.resources).filter((p) => !p.orphan));
  for (const node of ctx.nodes) {
    if (!node.maintenance && !nodeCanHost(node)) continue;
    for (const [p, h] of byNode.get(node.uname) ?? []) {
      if (!isActive(h) || h.stoppedInHistory) continue;
      const maintenance = node.maintenance || inMaintenance(ctx, p);
      for (const op of h.activeOps) {
        const defined = p.ops.some((o) => o.enabled && o.name === op.task && o.intervalMs === op.intervalMs);
        if (!maintenance && (defined || !stopOrphanActions)) continue;
        const cancel = cancelAct(plan, p, node, op.task, op.intervalMs);
        order(plan, plan.stops.get(p)?.get(node.uname), cancel, `${p.id} stop`);
      }
    }
  }
}

/**
 * A resource that stays where it is but changes role stops the monitors of its old role there,
 * before it is promoted or demoted.
 */
export function scheduleRoleCancels(ctx: Context, plan: Plan): void {
  for (const p of allPrimitives(ctx.resources)) {
    const pl = ctx.placement.get(p);
    const start = plan.starts.get(p);
    if (!pl?.node || !start || start.node !== pl.node || !start.optional || plan.frozen.has(p) || inMaintenance(ctx, p) || pl.node.maintenance) continue;
    const node = pl.node;
    const h = p.history.get(node.uname);
    if (!h) continue;
    const nextRole = cloneOf(p)?.promotable ? (pl.role === 'Promoted' ? 'Promoted' : 'Unpromoted') : 'Started';
    const wanted = recurringOps(p, nextRole);
    for (const op of p.ops) {
      if (op.intervalMs <= 0 || !op.enabled || op.name !== 'monitor' || op.role === 'Stopped' || !configuredOnce(p, op.name, op.intervalMs)) continue;
      if (wanted.some((w) => w.intervalMs === op.intervalMs) || !activeOn(p, node, op.name, op.intervalMs)) continue;
      const cancel = cancelAct(plan, p, node, op.name, op.intervalMs);
      order(plan, cancel, h.role === 'Promoted' ? plan.demotes.get(p) : plan.promotes.get(p), `${p.id} cancel`);
    }
  }
}
