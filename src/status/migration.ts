import { RoleRank, type MNode, type MResource } from './model.js';
import { addRunning } from './running.js';
import { type Ctx, EXEC, OCF, type OpInfo, opsOn } from './unpack-context.js';

/** Live-migration history: which node a migrating resource counts as active on. */

/** Pacemaker's "is op a newer than op b": call ids on one node, last-rc-change across nodes. */
export function isNewerOp(a: OpInfo, b: OpInfo, sameNodeDefault: boolean): boolean {
  const aNode = a.el.attrs.on_node;
  const bNode = b.el.attrs.on_node;
  const sameNode = aNode === undefined || bNode === undefined ? sameNodeDefault : aNode === bNode;
  if (a.callId === -1 && b.callId === -1) return false;
  if (a.callId === -1) return true;
  if (b.callId === -1) return false;
  if (sameNode && a.callId !== b.callId) return a.callId > b.callId;
  return b.lastRcChange >= 0 && a.lastRcChange > b.lastRcChange;
}

export const STATE_CHANGING = ['start', 'stop', 'migrate_to', 'migrate_from'];

export function nonMonitorAfter(rscId: string, nodeName: string, ref: OpInfo, sameNode: boolean, ctx: Ctx): boolean {
  return opsOn(rscId, nodeName, ctx).some((o) => o.el !== ref.el && STATE_CHANGING.includes(o.task) && isNewerOp(o, ref, sameNode));
}

export function monitorNotRunningAfter(rscId: string, nodeName: string, ref: OpInfo, sameNode: boolean, ctx: Ctx): boolean {
  const monitor = opsOn(rscId, nodeName, ctx).find((o) => o.task === 'monitor' && o.rc === OCF.notRunning && o.status === EXEC.done);
  return monitor !== undefined && isNewerOp(monitor, ref, sameNode);
}

/** Whether `nodeName` has history newer than the migration events, so they no longer matter there. */
export function newerStateAfterMigrate(rscId: string, nodeName: string, migrateTo: OpInfo | undefined, migrateFrom: OpInfo | undefined, ctx: Ctx): boolean {
  const base = (migrateFrom ?? migrateTo)!;
  const source = base.el.attrs['migrate_source'];
  const target = base.el.attrs['migrate_target'];
  let ref = base;
  let sameNode = false;
  if (nodeName === target) {
    if (migrateFrom) {
      ref = migrateFrom;
      sameNode = true;
    } else if (migrateTo) {
      ref = migrateTo;
    }
  } else if (nodeName === source) {
    if (migrateTo) {
      ref = migrateTo;
      sameNode = true;
    } else if (migrateFrom) {
      ref = migrateFrom;
    }
  }
  return nonMonitorAfter(rscId, nodeName, ref, sameNode, ctx) || monitorNotRunningAfter(rscId, nodeName, ref, sameNode, ctx);
}

/** No history at all for the resource on that node (it will be probed there). */
export function unknownOnNode(rscId: string, nodeName: string, ctx: Ctx): boolean {
  return !opsOn(rscId, nodeName, ctx).some((o) => o.rc !== 193);
}

export function findMigrationOp(rscId: string, task: 'migrate_to' | 'migrate_from', nodeName: string, peer: string, ctx: Ctx, mustSucceed: boolean): OpInfo | undefined {
  const peerAttr = task === 'migrate_to' ? 'migrate_target' : 'migrate_source';
  return opsOn(rscId, nodeName, ctx).find(
    (o) => o.task === task && o.el.attrs[peerAttr] === peer && (!mustSucceed || (o.rc === OCF.ok && o.status === EXEC.done)),
  );
}

export function migrateToSucceeded(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
  const source = op.el.attrs['migrate_source'];
  const target = op.el.attrs['migrate_target'];
  if (source === undefined || target === undefined || source !== node.name) return;
  const rscId = rsc.cloneName ?? rsc.id;
  const sourceNewerOp = nonMonitorAfter(rscId, source, op, true, ctx);
  const migrateFrom = findMigrationOp(rscId, 'migrate_from', target, source, ctx, false);
  if (sourceNewerOp && migrateFrom) return;
  const targetNewer = newerStateAfterMigrate(rscId, target, op, migrateFrom, ctx);
  if (sourceNewerOp && targetNewer) return;
  rsc.role = RoleRank.Started;
  const targetNode = ctx.nodeByName.get(target);
  const sourceNode = ctx.nodeByName.get(source);
  if (migrateFrom && migrateFrom.rc === OCF.ok && migrateFrom.status === EXEC.done) {
    // Migrated, but the source was never stopped: a dangling migration, stopped here.
    rsc.role = RoleRank.Stopped;
  } else if (migrateFrom && migrateFrom.status !== EXEC.pending) {
    if (!targetNewer && targetNode?.online) {
      addRunning(rsc, targetNode, ctx);
    } else {
      rsc.failed = true;
    }
  } else if (!targetNewer && !unknownOnNode(rscId, target, ctx) && targetNode?.online) {
    // Pending, or completed but erased: active on the target too, unless the target has no history at all.
    addRunning(rsc, targetNode, ctx);
    if (sourceNode?.online) {
      rsc.partialMigrationSource = sourceNode;
      rsc.partialMigrationTarget = targetNode;
    }
  } else if (!sourceNewerOp) {
    rsc.failed = true;
  }
}

/** A failed migrate_to leaves the resource active on the source, and on the target unless it moved on since. */
export function migrateToFailed(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
  const source = op.el.attrs['migrate_source'];
  const target = op.el.attrs['migrate_target'];
  if (source === undefined || target === undefined || source !== node.name) return;
  rsc.role = RoleRank.Started;
  const rscId = rsc.cloneName ?? rsc.id;
  const migrateFrom = findMigrationOp(rscId, 'migrate_from', target, source, ctx, true);
  if (!unknownOnNode(rscId, target, ctx) && !newerStateAfterMigrate(rscId, target, op, migrateFrom, ctx)) {
    const targetNode = ctx.nodeByName.get(target);
    if (targetNode?.online) addRunning(rsc, targetNode, ctx);
  }
}

/** A failed migrate_from leaves the resource active on the target, and on the source unless it moved on since. */
export function migrateFromFailed(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
  const source = op.el.attrs['migrate_source'];
  const target = op.el.attrs['migrate_target'];
  if (source === undefined || target === undefined || target !== node.name) return;
  rsc.role = RoleRank.Started;
  const rscId = rsc.cloneName ?? rsc.id;
  const migrateTo = findMigrationOp(rscId, 'migrate_to', source, target, ctx, true);
  if (!unknownOnNode(rscId, source, ctx) && !newerStateAfterMigrate(rscId, source, migrateTo, op, ctx)) {
    const sourceNode = ctx.nodeByName.get(source);
    if (sourceNode?.online) addRunning(rsc, sourceNode, ctx);
  }
}
