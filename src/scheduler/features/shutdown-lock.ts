/**
 * shutdown-lock: a resource active on a node that shuts down cleanly stays with that node — it
 * is stopped there and started nowhere else — until the node comes back or the lock expires
 * (shutdown-lock-limit after the shutdown). The lock of a node already down is written in its
 * lrm_resource entry (`shutdown-lock`, epoch seconds of the shutdown).
 */
import { parseDurationMs } from '../../cib/values.js';
import type { XmlElement } from '../../cib/xml.js';
import type { Context } from '../context.js';
import { appendAct } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Node, Primitive } from '../model.js';
import { primitivesOf, topOf } from '../model.js';
import { activeHistories } from '../placement/scores.js';
import { INFINITY, isTrue } from '../score.js';
import { child, children } from '../unpack/config.js';

export interface ShutdownLock {
  rsc: Primitive;
  node: Node;
  /** Epoch seconds the lock started (the node's shutdown). */
  since: number;
}

export interface ShutdownLocks {
  locks: ShutdownLock[];
  /** Locks past shutdown-lock-limit: the resource's history on that node is to be cleared. */
  expired: { rscId: string; node: Node }[];
}

/** Only primitives outside clones may be locked, and never fence devices or remote connections. */
function lockable(p: Primitive): boolean {
  if (topOf(p).kind === 'clone') return false;
  if (p.cls === 'stonith') return false;
  return !(p.cls === 'ocf' && p.provider === 'pacemaker' && p.type === 'remote');
}

/** Reads and decides the locks of one run; empty unless the shutdown-lock property is true. */
export function shutdownLocks(cib: XmlElement, ctx: Context): ShutdownLocks {
  const out: ShutdownLocks = { locks: [], expired: [] };
  if (!isTrue(ctx.props.get('shutdown-lock'))) return out;
  const limitS = Math.floor((parseDurationMs(ctx.props.get('shutdown-lock-limit') ?? '0') ?? 0) / 1000);
  const recorded = new Map<string, { node: Node; since: number }>();
  for (const state of children(child(cib, 'status'), 'node_state')) {
    const node = ctx.nodeByName.get(state.attrs.uname ?? '') ?? ctx.nodes.find((n) => n.id === state.attrs.id);
    if (!node) continue;
    for (const lrm of children(child(child(state, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      const since = Number(lrm.attrs['shutdown-lock'] ?? 0);
      if (!Number.isFinite(since) || since <= 0) continue;
      const rscId = lrm.attrs.id ?? '';
      if (limitS > 0 && ctx.now > since + limitS) out.expired.push({ rscId, node });
      else recorded.set(rscId, { node, since });
    }
  }
  for (const r of ctx.resources) {
    for (const p of primitivesOf(r)) {
      if (!lockable(p)) continue;
      const active = activeHistories(p);
      const fromHistory = recorded.get(p.id);
      if (fromHistory) {
        // Started elsewhere although locked: leave it be, the lock is void.
        if (active.length === 0) out.locks.push({ rsc: p, ...fromHistory });
        continue;
      }
      if (active.length !== 1) continue;
      const node = active[0].node;
      if (!node.shutdown || node.unclean) continue;
      const at = Number(node.attrs.get('shutdown'));
      out.locks.push({ rsc: p, node, since: Number.isFinite(at) && at > 0 ? at : ctx.now });
    }
  }
  return out;
}

/** Bans each locked resource from every node but its lock's; expired locks' histories are to be erased. */
export function applyShutdownLocks(ctx: Context, locks: ShutdownLocks): void {
  if (locks.expired.length > 0) ctx.clearHistory = [...(ctx.clearHistory ?? []), ...locks.expired];
  for (const lock of locks.locks) {
    const scores = new Map<number, number>();
    for (const n of ctx.nodes) if (n !== lock.node) scores.set(n.index, -INFINITY);
    const location = { id: `shutdown-lock-${lock.rsc.id}`, rsc: lock.rsc, scores, discovery: 'always' as const };
    ctx.constraints.locations.push(location);
    const list = ctx.locationsOf.get(lock.rsc) ?? [];
    list.push(location);
    ctx.locationsOf.set(lock.rsc, list);
  }
}

/** The erasure of an expired lock's history: a cluster action on that node (down or not). */
export function scheduleHistoryClearing(ctx: Context, plan: Plan): void {
  for (const { rscId, node } of ctx.clearHistory ?? []) {
    const rsc = ctx.byId.get(rscId);
    if (rsc?.kind !== 'primitive') continue;
    appendAct(plan.acts, { key: `${rscId}_lrm_delete_0`, task: 'lrm_delete', rsc, node, kind: 'cluster' });
  }
}
