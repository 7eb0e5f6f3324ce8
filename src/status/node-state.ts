import { firstChild, type XmlElement } from '../cib/xml.js';
import { isTrue, readNvpairs } from './attrs.js';
import { RoleRank, type MNode } from './model.js';
import { type Ctx, nodeAttr } from './unpack-context.js';

/** Node membership and state: online, unclean, standby, maintenance, remote and guest connections. */

export function handleStartupFencing(node: MNode, ctx: Ctx): void {
  // Guest nodes are recovered through their container; a remote node without a connection cannot be fenced.
  if (node.type === 'guest') return;
  if (node.type === 'remote' && (node.remoteRsc === undefined || node.remoteRsc.container !== undefined)) return;
  // A node never seen is presumed unclean only where fencing could make it clean.
  node.unclean = ctx.model.settings.startupFencing && ctx.model.settings.stonithEnabled;
  node.unseen = true;
}

export function findNode(ctx: Ctx, id: string | undefined, uname: string | undefined): MNode | undefined {
  return (id !== undefined ? ctx.nodeById.get(id) : undefined) ?? (uname !== undefined ? ctx.nodeByName.get(uname) : undefined);
}

export function fenceNode(node: MNode, reason: string): void {
  if (node.type === 'guest') {
    const container = node.remoteRsc?.container;
    if (container && !container.failed && container.managed) {
      container.failed = true;
      node.remoteRequiresReset = true;
      node.fenceReason ??= reason;
    }
    return;
  }
  if (node.type === 'remote') {
    if (node.remoteRsc?.managed !== false) node.remoteRequiresReset = true;
    node.unclean = true;
    node.fenceReason ??= reason;
    return;
  }
  if (!node.unclean) {
    node.unclean = true;
    node.fenceReason = reason;
  }
}

/** Whether fencing could make `node` clean (Pacemaker's pe_can_fence). */
export function canFence(node: MNode, ctx: Ctx): boolean {
  const s = ctx.model.settings;
  if (node.type === 'guest') {
    const container = node.remoteRsc?.container;
    return (container?.runningOn ?? []).every((host) => host.online || canFence(host, ctx));
  }
  if (!s.stonithEnabled || !ctx.haveFencingDevice) return false;
  if (s.haveQuorum || s.noQuorumPolicy === 'ignore') return true;
  return node.online;
}

export function unpackTransientAttributes(state: XmlElement, node: MNode, ctx: Ctx): void {
  const transient = firstChild(state, 'transient_attributes');
  if (transient) {
    for (const [k, v] of readNvpairs(transient, 'instance_attributes', ctx.model.ids)) node.attrs.set(k, v);
  }
  if (isTrue(nodeAttr(node, 'standby'))) node.standby = true;
  if (isTrue(nodeAttr(node, 'maintenance'))) node.maintenance = true;
}

export function unpackNodeState(state: XmlElement, ctx: Ctx): void {
  const id = state.attrs.id;
  const uname = state.attrs.uname;
  if (id === undefined || uname === undefined) return;
  const node = findNode(ctx, id, uname);
  if (!node) return;
  if (node.type === 'remote' || node.type === 'guest') {
    node.remoteWasFenced = (Number.parseInt(state.attrs.node_fenced ?? '0', 10) || 0) !== 0;
    return;
  }
  unpackTransientAttributes(state, node, ctx);
  node.unclean = false;
  node.unseen = false;
  determineOnline(state, node, ctx);
  const s = ctx.model.settings;
  if (!s.haveQuorum && node.online && s.noQuorumPolicy === 'suicide') fenceNode(node, 'cluster does not have quorum');
}

export function shutdownRequested(node: MNode): boolean {
  const v = nodeAttr(node, 'shutdown');
  return v !== undefined && v !== '' && v !== '0';
}

export function determineOnline(state: XmlElement, node: MNode, ctx: Ctx): void {
  const expected = state.attrs.expected;
  node.shutdown = false;
  node.expectedUp = false;
  if (shutdownRequested(node)) node.shutdown = true;
  else if (expected === 'member') node.expectedUp = true;

  let online: boolean;
  if (node.type === 'ping') {
    node.unclean = false;
    online = false;
  } else if (!ctx.model.settings.stonithEnabled) {
    online = onlineWithoutFencing(state, node);
  } else {
    online = onlineWithFencing(state, node);
  }
  node.online = online;
}

export function onlineWithoutFencing(state: XmlElement, node: MNode): boolean {
  const join = state.attrs.join;
  const inCluster = state.attrs.in_ccm;
  if (!isTrue(inCluster)) return false;
  if ((state.attrs.crmd ?? '').toLowerCase() === 'online') return join === 'member';
  if (node.expectedUp) fenceNode(node, 'peer is unexpectedly down');
  return false;
}

export function onlineWithFencing(state: XmlElement, node: MNode): boolean {
  const join = state.attrs.join;
  const inClusterAttr = state.attrs.in_ccm;
  const inCluster = isTrue(inClusterAttr);
  const crmdOnline = (state.attrs.crmd ?? '').toLowerCase() === 'online';
  const expected = state.attrs.expected ?? 'down';
  const terminate = nodeAttr(node, 'terminate');
  const doTerminate = isTrue(terminate) || (terminate !== undefined && /^[1-9]/.test(terminate));

  let online = inCluster;
  if (node.shutdown) {
    online = crmdOnline;
  } else if (inClusterAttr === undefined) {
    fenceNode(node, 'peer has not been seen by the cluster');
  } else if (join === 'banned') {
    fenceNode(node, 'peer failed Pacemaker membership criteria');
  } else if (!doTerminate && expected === 'down') {
    if (inCluster || crmdOnline) {
      node.standby = true;
      node.pending = true;
    }
  } else if (doTerminate && join === 'down' && !inCluster && !crmdOnline) {
    online = false;
  } else if (!inCluster) {
    fenceNode(node, 'peer is no longer part of the cluster');
  } else if (!crmdOnline) {
    fenceNode(node, 'peer process is no longer available');
  } else if (doTerminate) {
    fenceNode(node, 'termination was requested');
  } else if (join === 'member') {
    /* active */
  } else if (join === 'pending' || join === 'down') {
    node.standby = true;
    node.pending = true;
  } else {
    fenceNode(node, 'peer was in an unknown state');
  }
  return online;
}

export function unpackRemoteAttributes(node: MNode, state: XmlElement, ctx: Ctx): void {
  if (!node.remoteRequiresReset) {
    node.unclean = false;
    node.unseen = false;
  }
  if (node.type === 'guest' || node.type === 'remote') {
    const transient = firstChild(state, 'transient_attributes');
    if (transient) {
      for (const [k, v] of readNvpairs(transient, 'instance_attributes', ctx.model.ids)) node.attrs.set(k, v);
    }
  }
  if (shutdownRequested(node)) node.shutdown = true;
  if (isTrue(nodeAttr(node, 'standby'))) node.standby = true;
  if (isTrue(nodeAttr(node, 'maintenance')) || (node.remoteRsc && !node.remoteRsc.managed)) node.maintenance = true;
}

export function determineRemoteOnline(node: MNode): void {
  const rsc = node.remoteRsc;
  if (!rsc) {
    node.online = false;
    return;
  }
  const container = rsc.container;
  const host = container && rsc.runningOn.length === 1 ? rsc.runningOn[0] : undefined;
  if (rsc.role === RoleRank.Started) node.online = true;
  if (rsc.role === RoleRank.Started && rsc.nextRoleStopped) node.shutdown = true;
  if (container?.failed) {
    node.online = false;
    node.remoteRequiresReset = true;
  } else if (rsc.failed) {
    node.online = false;
  } else if (rsc.role === RoleRank.Stopped || (container && container.role === RoleRank.Stopped)) {
    node.online = false;
    node.remoteRequiresReset = false;
  } else if (host && !host.online && host.unclean) {
    node.online = false;
    node.remoteRequiresReset = true;
  }
}
