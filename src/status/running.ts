import { RoleRank, topParent, type MNode, type MResource, type OnFail } from './model.js';
import { fenceNode } from './node-state.js';
import { type Ctx } from './unpack-context.js';

/** Recording where a resource is active, and what its failures do to it and its node. */

export function setActive(r: MResource): void {
  r.role = topParent(r).promotable ? RoleRank.Unpromoted : RoleRank.Started;
}

export function addRunning(rsc: MResource, node: MNode, ctx: Ctx): void {
  if (rsc.runningOn.includes(node)) return;
  rsc.runningOn.push(node);
  if (rsc.kind === 'primitive') node.runningRsc.push(rsc);
  if (rsc.kind === 'primitive' && node.maintenance) {
    rsc.managed = false;
    rsc.maintenance = true;
  }
  if (!rsc.managed) {
    let p = rsc.parent;
    while (p && node.online) {
      p.runningOn.push(node);
      p = p.parent;
    }
    return;
  }
  if (rsc.runningOn.length > 1 && rsc.kind === 'primitive') {
    const recovery = rsc.meta.get('multiple-active') ?? 'stop_start';
    if (recovery === 'block') {
      rsc.managed = false;
      rsc.blocked = true;
      const parent = rsc.parent;
      if (parent && (parent.kind === 'group' || parent.kind === 'bundle') && (parent.meta.get('multiple-active') ?? 'stop_start') === 'block') {
        for (const c of parent.children) {
          c.managed = false;
          c.blocked = true;
        }
      }
    }
  }
  if (rsc.parent) addRunning(rsc.parent, node, ctx);
}

/**
 * Recovery needs a stop where the failure happened. A stop of a managed
 * resource on a node that is down cannot run, so that node becomes unclean
 * (whether or not fencing is enabled: it is the display's UNCLEAN).
 */
function scheduleStop(rsc: MResource, node: MNode): void {
  if (!node.online && !node.unclean && rsc.managed) fenceNode(node, 'resource actions are unrunnable');
}

export function processRscState(rsc: MResource, node: MNode, onFailIn: OnFail, ctx: Ctx): void {
  let onFail = onFailIn;
  if (rsc.role !== RoleRank.Unknown) {
    let it: MResource | undefined = rsc;
    while (it) {
      it.knownOn.add(node.name);
      if (it.unique && it.kind !== 'clone') break;
      it = it.parent;
    }
  }
  if (rsc.role > RoleRank.Stopped && !node.online && !node.maintenance && rsc.managed) {
    let shouldFence = false;
    let reason: string | undefined;
    if (node.type === 'guest') {
      rsc.failed = true;
      shouldFence = true;
    } else if (ctx.model.settings.stonithEnabled) {
      if (node.type === 'remote' && node.remoteRsc && !node.remoteRsc.failed) {
        node.unseen = true;
        reason = `${rsc.id} is active there (fencing will be revoked if remote connection can be re-established elsewhere)`;
      }
      shouldFence = true;
    }
    if (shouldFence) fenceNode(node, reason ?? `${rsc.id} is thought to be active there`);
  }
  // A failure on a node that will be fenced needs nothing more: fencing recovers it.
  if (node.unclean) onFail = 'ignore';
  switch (onFail) {
    case 'ignore':
      break;
    case 'demote':
      rsc.failed = true;
      break;
    case 'fence':
      fenceNode(node, `${rsc.id} failed there`);
      break;
    case 'standby':
      node.standby = true;
      node.standbyOnFail = true;
      break;
    case 'block':
      rsc.managed = false;
      rsc.blocked = true;
      break;
    case 'migrate':
    case 'stop':
      if (onFail === 'stop') rsc.nextRoleStopped = true;
      break;
    case 'recover':
      if (rsc.role !== RoleRank.Stopped && rsc.role !== RoleRank.Unknown) {
        rsc.failed = true;
        scheduleStop(rsc, node);
      }
      break;
    case 'restart-container':
      rsc.failed = true;
      if (rsc.container && rsc.container.parent?.kind !== 'bundle') scheduleStop(rsc.container, node);
      else if (!rsc.container && rsc.role !== RoleRank.Stopped && rsc.role !== RoleRank.Unknown) scheduleStop(rsc, node);
      break;
    case 'reset-remote':
      rsc.failed = true;
      if (ctx.model.settings.stonithEnabled && rsc.isRemoteConnectionFor !== undefined) {
        const remoteNode = ctx.nodeByName.get(rsc.isRemoteConnectionFor);
        if (remoteNode && remoteNode.type === 'remote' && !remoteNode.remoteWasFenced) {
          fenceNode(remoteNode, 'remote connection is unrecoverable');
        }
      }
      if (rsc.role > RoleRank.Stopped) scheduleStop(rsc, node);
      if (rsc.meta.get('reconnect_interval') !== undefined) rsc.nextRoleStopped = true;
      break;
  }
  if (rsc.failed && rsc.isRemoteConnectionFor !== undefined) {
    const remoteNode = ctx.nodeByName.get(rsc.isRemoteConnectionFor);
    if (remoteNode?.unclean) remoteNode.unseen = false;
  }
  if (rsc.role !== RoleRank.Stopped && rsc.role !== RoleRank.Unknown) {
    addRunning(rsc, node, ctx);
    if (onFail !== 'ignore') rsc.failed = true;
  } else if (rsc.cloneName !== undefined && rsc.cloneName.includes(':')) {
    delete rsc.cloneName;
  }
  if (
    rsc.role === RoleRank.Stopped &&
    rsc.partialMigrationSource === node &&
    rsc.partialMigrationTarget !== undefined &&
    rsc.runningOn.length > 0
  ) {
    rsc.role = RoleRank.Started;
  }
}
