/**
 * Cleaning up what the history keeps that no longer applies: the history of an orphan resource
 * or of another agent than the configured one is deleted (`delete`), and fail counts that
 * expired, or that belong to an orphan, are cleared (`clear_failcount`).
 */
import type { Context } from '../context.js';
import type { Node, Primitive } from '../model.js';
import { nodeCanHost } from '../model.js';
import { parseIntervalMs } from '../score.js';
import { cloneOf, failCount, primitiveManaged } from '../placement/scores.js';
// At no moment has any failure expired: failCountAt then gives the count ignoring failure-timeout.
import { failCountAt } from '../features/failure-expiry.js';
import type { Act } from './action.js';
import { resourceAct } from './cancel.js';
import { allPrimitives, type Plan } from './plan.js';
import { isActive } from '../unpack/history.js';
import { historiesByNode } from '../unpack/histories-by-node.js';

function edge(plan: Plan, first: Act | undefined, then: Act | undefined, label: string): void {
  if (first && then && first !== then) plan.edges.push({ first, then, flags: new Set(['order']), label });
}

function usable(node: Node): boolean {
  return node.online && !node.unclean;
}

/** Deletes a resource's history on a node: after it stopped there, before it starts anywhere. */
function deleteHistory(ctx: Context, plan: Plan, p: Primitive, node: Node): void {
  if ([...p.history.values()].some((h) => h.failed) || !usable(node) || !primitiveManaged(ctx, p)) return;
  const del = resourceAct(plan, { key: `${p.id}_delete_0`, task: 'delete', rsc: p, node, recorded: true });
  for (const stop of plan.stops.get(p)?.values() ?? []) edge(plan, stop, del, `${p.id} stop`);
  edge(plan, del, plan.starts.get(p), `${p.id} delete`);
}

/**
 * The configuration check of every node that can run actions (or is in maintenance): an orphan's
 * history is deleted (an anonymous clone's spare instance is left alone), and so is a history
 * made by another agent.
 */
export function scheduleHistoryDeletes(ctx: Context, plan: Plan): void {
  const byNode = historiesByNode([...allPrimitives(ctx.resources).filter((p) => !p.orphan), ...ctx.orphans]);
  for (const node of ctx.nodes) {
    if (!node.maintenance && !nodeCanHost(node)) continue;
    for (const [p, h] of byNode.get(node.uname) ?? []) {
      const clone = cloneOf(p);
      if (p.orphan ? !(clone && !clone.unique) : h.otherAgent) deleteHistory(ctx, plan, p, node);
    }
  }
}

/** Cleared only for a managed resource: Pacemaker leaves every one-off action of an unmanaged one optional. */
function clearFailcount(ctx: Context, plan: Plan, p: Primitive, node: Node, whileUnpacking: boolean): Act | undefined {
  if (!primitiveManaged(ctx, p)) return undefined;
  const existing = plan.byRsc.get(p)?.find((a) => a.task === 'clear_failcount' && a.node === node);
  if (existing) return existing;
  return resourceAct(plan, { key: `${p.id}_clear_failcount_0`, task: 'clear_failcount', kind: 'cluster', rsc: p, node, recorded: whileUnpacking, runnable: usable(node) });
}

/**
 * Fail counts to clear: on a node where every failure of a resource is older than its
 * failure-timeout (which on-fail=block disables), where an operation of the running resource
 * changed definition (so it is retried fresh), and an orphan's on every online node, before it
 * stops.
 */
export function scheduleFailcountClearing(ctx: Context, plan: Plan): void {
  const prims = allPrimitives(ctx.resources);
  for (const p of prims) {
    const timeout = parseIntervalMs(p.meta.get('failure-timeout')) / 1000;
    if (timeout <= 0 || p.orphan || [...p.history.values()].some((h) => h.failed && h.onFail === 'block')) continue;
    for (const h of p.history.values()) {
      if (h.earliestChange === undefined || ctx.now < h.earliestChange + timeout) continue;
      if (failCountAt(Number.NEGATIVE_INFINITY, p, h.node) > 0 && failCount(ctx, p, h.node) === 0) clearFailcount(ctx, plan, p, h.node, true);
    }
  }
  const byNode = historiesByNode(prims);
  for (const node of ctx.nodes) {
    if (!node.maintenance && !nodeCanHost(node)) continue;
    for (const [p, h] of byNode.get(node.uname) ?? []) {
      if (p.orphan || !isActive(h) || h.stoppedInHistory) continue;
      const orphanOp = h.activeOps.some((op) => !p.ops.some((o) => o.enabled && o.name === op.task && o.intervalMs === op.intervalMs));
      const changed = h.definitionChanged || h.reload === true || (h.rescheduled?.size ?? 0) > 0 || orphanOp;
      if (changed && failCount(ctx, p, node) > 0) clearFailcount(ctx, plan, p, node, false);
    }
  }
  for (const p of ctx.orphans) {
    if (p.parent) continue;
    for (const node of ctx.nodes) {
      if (!node.online || failCount(ctx, p, node) === 0) continue;
      const clear = clearFailcount(ctx, plan, p, node, false);
      for (const stop of plan.stops.get(p)?.values() ?? []) edge(plan, clear, stop, `${p.id} clear_failcount`);
    }
  }
}
