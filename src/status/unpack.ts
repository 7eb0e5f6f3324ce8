import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { compareNodeNames, intervalMs, isTrue, readNvpairs } from './attrs.js';
import { addCloneInstance, newNode, readConfig, type ConfigModel } from './config.js';
import {
  RoleRank,
  isAnonClone,
  moreSevere,
  newResource,
  primitivesOf,
  topParent,
  type MNode,
  type MResource,
  type OnFail,
} from './model.js';

/**
 * Replays the CIB status section onto the configuration model the way
 * Pacemaker's scheduler does before it plans anything: node membership
 * gives each node's state, and each resource's operation history gives its
 * role, the nodes it is active on, and its failure flags.
 */

/** Executor result codes of an operation (`op-status`). */
const EXEC = {
  pending: -1,
  done: 0,
  cancelled: 1,
  timeout: 2,
  notSupported: 3,
  error: 4,
  errorHard: 5,
  errorFatal: 6,
  notInstalled: 7,
  notConnected: 8,
  invalid: 9,
  noFenceDevice: 10,
  noSecrets: 11,
} as const;

const OCF = {
  ok: 0,
  error: 1,
  invalidParam: 2,
  unimplemented: 3,
  insufficientPriv: 4,
  notInstalled: 5,
  notConfigured: 6,
  notRunning: 7,
  runningPromoted: 8,
  failedPromoted: 9,
  degradedPromoted: 191,
} as const;

export interface RecordedFailure {
  readonly op: XmlElement;
  readonly node: string;
  readonly rscHistoryId: string;
}

export interface UnpackedCluster extends ConfigModel {
  readonly failures: RecordedFailure[];
  readonly dcNode?: MNode;
  readonly now?: number;
}

interface Ctx {
  readonly model: ConfigModel;
  readonly failures: RecordedFailure[];
  readonly nowSec?: number;
  readonly nodeByName: Map<string, MNode>;
  readonly nodeById: Map<string, MNode>;
  readonly status?: XmlElement;
  readonly haveFencingDevice: boolean;
}

export function unpackCluster(cib: XmlElement, now?: number): UnpackedCluster {
  const model = readConfig(cib);
  const status = firstChild(cib, 'status');
  const ctx: Ctx = {
    model,
    failures: [],
    ...(now !== undefined ? { nowSec: Math.floor(now / 1000) } : {}),
    nodeByName: new Map(model.nodes.map((n) => [n.name, n])),
    nodeById: new Map(model.nodes.map((n) => [n.id, n])),
    ...(status ? { status } : {}),
    haveFencingDevice: model.resources.some((r) => primitivesOf(r).some((p) => p.cls === 'stonith')),
  };

  for (const node of model.nodes) handleStartupFencing(node, ctx);

  const states = status ? childrenNamed(status, 'node_state') : [];
  for (const state of states) unpackNodeState(state, ctx);

  // Allocation order: priority descending, configuration order among equals.
  model.resources.sort((a, b) => b.priority - a.priority || a.configIndex - b.configIndex);

  while (unpackNodeHistories(states, false, ctx)) {
    /* histories of guest and remote nodes wait for their connections */
  }
  unpackNodeHistories(states, model.settings.stonithEnabled, ctx);

  for (const node of model.nodes) {
    if (node.type !== 'remote' && node.type !== 'guest') continue;
    if (!node.unpacked) determineRemoteOnline(node);
  }

  const dcId = cib.attrs['dc-uuid'];
  const dcNode = dcId !== undefined ? ctx.nodeById.get(dcId) : undefined;
  return { ...model, failures: ctx.failures, ...(dcNode ? { dcNode } : {}), ...(now !== undefined ? { now } : {}) };
}

function handleStartupFencing(node: MNode, ctx: Ctx): void {
  // Guest nodes are recovered through their container; a remote node without a connection cannot be fenced.
  if (node.type === 'guest') return;
  if (node.type === 'remote' && (node.remoteRsc === undefined || node.remoteRsc.container !== undefined)) return;
  // A node never seen is presumed unclean only where fencing could make it clean.
  node.unclean = ctx.model.settings.startupFencing && ctx.model.settings.stonithEnabled;
  node.unseen = true;
}

function findNode(ctx: Ctx, id: string | undefined, uname: string | undefined): MNode | undefined {
  return (id !== undefined ? ctx.nodeById.get(id) : undefined) ?? (uname !== undefined ? ctx.nodeByName.get(uname) : undefined);
}

function fenceNode(node: MNode, reason: string, ctx: Ctx): void {
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
  void ctx;
}

/** Whether fencing could make `node` clean (Pacemaker's pe_can_fence). */
function canFence(node: MNode, ctx: Ctx): boolean {
  const s = ctx.model.settings;
  if (node.type === 'guest') {
    const container = node.remoteRsc?.container;
    return (container?.runningOn ?? []).every((host) => host.online || canFence(host, ctx));
  }
  if (!s.stonithEnabled || !ctx.haveFencingDevice) return false;
  if (s.haveQuorum || s.noQuorumPolicy === 'ignore') return true;
  return node.online;
}

function nodeAttr(node: MNode, name: string): string | undefined {
  return node.attrs.get(name);
}

function unpackTransientAttributes(state: XmlElement, node: MNode, ctx: Ctx): void {
  const transient = firstChild(state, 'transient_attributes');
  if (transient) {
    for (const [k, v] of readNvpairs(transient, 'instance_attributes', ctx.model.ids)) node.attrs.set(k, v);
  }
  if (isTrue(nodeAttr(node, 'standby'))) node.standby = true;
  if (isTrue(nodeAttr(node, 'maintenance'))) node.maintenance = true;
}

function unpackNodeState(state: XmlElement, ctx: Ctx): void {
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
  if (!s.haveQuorum && node.online && s.noQuorumPolicy === 'suicide') fenceNode(node, 'cluster does not have quorum', ctx);
}

function shutdownRequested(node: MNode): boolean {
  const v = nodeAttr(node, 'shutdown');
  return v !== undefined && v !== '' && v !== '0';
}

function determineOnline(state: XmlElement, node: MNode, ctx: Ctx): void {
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
    online = onlineWithoutFencing(state, node, ctx);
  } else {
    online = onlineWithFencing(state, node, ctx);
  }
  node.online = online;
}

function onlineWithoutFencing(state: XmlElement, node: MNode, ctx: Ctx): boolean {
  const join = state.attrs.join;
  const inCluster = state.attrs.in_ccm;
  if (!isTrue(inCluster)) return false;
  if ((state.attrs.crmd ?? '').toLowerCase() === 'online') return join === 'member';
  if (node.expectedUp) fenceNode(node, 'peer is unexpectedly down', ctx);
  return false;
}

function onlineWithFencing(state: XmlElement, node: MNode, ctx: Ctx): boolean {
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
    fenceNode(node, 'peer has not been seen by the cluster', ctx);
  } else if (join === 'banned') {
    fenceNode(node, 'peer failed Pacemaker membership criteria', ctx);
  } else if (!doTerminate && expected === 'down') {
    if (inCluster || crmdOnline) {
      node.standby = true;
      node.pending = true;
    }
  } else if (doTerminate && join === 'down' && !inCluster && !crmdOnline) {
    online = false;
  } else if (!inCluster) {
    fenceNode(node, 'peer is no longer part of the cluster', ctx);
  } else if (!crmdOnline) {
    fenceNode(node, 'peer process is no longer available', ctx);
  } else if (doTerminate) {
    fenceNode(node, 'termination was requested', ctx);
  } else if (join === 'member') {
    /* active */
  } else if (join === 'pending' || join === 'down') {
    node.standby = true;
    node.pending = true;
  } else {
    fenceNode(node, 'peer was in an unknown state', ctx);
  }
  return online;
}

/** One pass over the node histories; true when something was unpacked (another pass may unlock more). */
function unpackNodeHistories(states: XmlElement[], fence: boolean, ctx: Ctx): boolean {
  let progressed = false;
  const s = ctx.model.settings;
  for (const state of states) {
    const node = findNode(ctx, state.attrs.id, state.attrs.uname);
    if (!node || state.attrs.id === undefined || state.attrs.uname === undefined || node.unpacked) continue;
    if (fence) {
      /* everything left */
    } else if (node.type === 'guest') {
      const conn = node.remoteRsc;
      if (!conn || conn.role !== RoleRank.Started || !conn.container || conn.container.role !== RoleRank.Started) continue;
    } else if (node.type === 'remote') {
      const conn = node.remoteRsc;
      if (!conn || (!s.shutdownLock && conn.role !== RoleRank.Started)) continue;
    } else if (!s.stonithEnabled && !s.shutdownLock && !node.online) {
      continue;
    }
    if (node.type === 'guest' || node.type === 'remote') {
      determineRemoteOnline(node);
      unpackRemoteAttributes(node, state, ctx);
    }
    node.unpacked = true;
    unpackNodeLrm(node, state, ctx);
    progressed = true;
  }
  return progressed;
}

function unpackRemoteAttributes(node: MNode, state: XmlElement, ctx: Ctx): void {
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

function determineRemoteOnline(node: MNode): void {
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

function unpackNodeLrm(node: MNode, state: XmlElement, ctx: Ctx): void {
  const lrm = firstChild(state, 'lrm');
  const resources = lrm ? firstChild(lrm, 'lrm_resources') : undefined;
  if (!resources) return;
  for (const entry of childrenNamed(resources, 'lrm_resource')) unpackLrmResource(node, entry, ctx);
  linkOrphanedFillers(resources, ctx);
}

/** An orphaned resource recorded as living in a container gets that container back (a guest connection becomes a guest's). */
function linkOrphanedFillers(resources: XmlElement, ctx: Ctx): void {
  for (const entry of childrenNamed(resources, 'lrm_resource')) {
    const containerId = entry.attrs.container;
    const id = entry.attrs.id;
    if (containerId === undefined || id === undefined) continue;
    const container = findResource(allResources(ctx), containerId);
    const rsc = findResource(allResources(ctx), id);
    if (!container || !rsc || rsc.containerFillerOf === undefined || rsc.container) continue;
    rsc.container = container;
    const node = rsc.isRemoteConnectionFor !== undefined ? ctx.nodeByName.get(rsc.isRemoteConnectionFor) : undefined;
    if (node) node.type = 'guest';
  }
}

function allResources(ctx: Ctx): MResource[] {
  return [...ctx.model.resources, ...ctx.model.implicit];
}

function baseName(id: string): string {
  const i = id.lastIndexOf(':');
  return i >= 0 && /^\d+$/.test(id.slice(i + 1)) ? id.slice(0, i) : id;
}

function findResource(list: readonly MResource[], id: string): MResource | undefined {
  for (const r of list) {
    if (r.id === id || r.cloneName === id) return r;
    const found = findResource(r.children, id);
    if (found) return found;
  }
  return undefined;
}

/** Locations an instance is active (or pending) on, members of a cloned group merged. */
function currentLocations(r: MResource): MNode[] {
  const out: MNode[] = [];
  for (const p of primitivesOf(r)) {
    for (const n of p.runningOn) if (!out.includes(n)) out.push(n);
    if (p.pendingNode && !out.includes(p.pendingNode)) out.push(p.pendingNode);
  }
  return out;
}

function memberNamed(instance: MResource, base: string): MResource | undefined {
  return primitivesOf(instance).find((p) => p.xmlId === base);
}

function needsFencing(r: MResource, ctx: Ctx): boolean {
  const requires = r.meta.get('requires');
  if (r.cls === 'stonith') return false;
  if (requires !== undefined) return requires === 'fencing' || requires === 'unfencing';
  return ctx.model.settings.stonithEnabled;
}

function findAnonymousInstance(parent: MResource, node: MNode, base: string, ctx: Ctx): MResource {
  let found: MResource | undefined;
  let inactive: MResource | undefined;
  let skipInactive = false;
  for (const child of parent.children) {
    if (found) break;
    const locations = currentLocations(child);
    if (locations.length > 0) {
      if (locations[0] === node) {
        const member = memberNamed(child, base);
        if (member) {
          if (member.runningOn.length > 0) {
            skipInactive = true;
          } else {
            found = member;
          }
        }
      }
    } else if (!skipInactive && !inactive && !child.blocked) {
      inactive = memberNamed(child, base);
      if (inactive?.pendingNode && inactive.pendingNode !== node) inactive = undefined;
    }
  }
  if (!found && !skipInactive && inactive) found = inactive;
  // An instance that needs no fencing must not keep its number on a lost node: treat it as an orphan,
  // unless the clone has an instance for every node anyway.
  const universal = parent.cloneMax === ctx.model.nodes.length;
  if (found && !needsFencing(found, ctx) && (!node.online || node.unclean) && node.type !== 'guest' && !universal) found = undefined;
  if (!found) {
    const instance = addCloneInstance(parent, ctx.model);
    const all = [instance, ...instance.children];
    if (parent.instanceCount > parent.cloneMax) for (const r of all) r.orphan = true;
    found = memberNamed(instance, base) ?? instance;
  }
  return found;
}

function bundleReplicaFor(bundle: MResource, node: MNode): MResource | undefined {
  const replica = bundle.bundle?.replicas.find((r) => r.nodeName === node.name);
  return replica?.child;
}

function unpackFindResource(node: MNode, historyId: string, ctx: Ctx): MResource | undefined {
  let rsc = findResource(allResources(ctx), historyId);
  let parent: MResource | undefined;
  if (!rsc) {
    const zero = findResource(allResources(ctx), `${baseName(historyId)}:0`);
    if (zero && !zero.unique) {
      rsc = zero;
      parent = topParent(zero);
    }
  } else if (rsc.kind !== 'primitive') {
    return undefined;
  } else {
    parent = topParent(rsc);
  }
  if (rsc && parent) {
    if (isAnonClone(parent) && parent.parent?.kind === 'bundle') {
      rsc = bundleReplicaFor(parent.parent, node) ?? rsc;
    } else if (isAnonClone(parent)) {
      rsc = findAnonymousInstance(parent, node, baseName(historyId), ctx);
    }
  }
  if (rsc && historyId !== rsc.id && historyId !== rsc.cloneName) rsc.cloneName = historyId;
  return rsc;
}

function createOrphan(entry: XmlElement, ctx: Ctx): MResource {
  const id = entry.attrs.id ?? '';
  const r = newResource({
    kind: 'primitive',
    id,
    xmlId: id,
    meta: new Map(ctx.model.defaults),
    cls: entry.attrs.class ?? '',
    ...(entry.attrs.provider !== undefined ? { provider: entry.attrs.provider } : {}),
    type: entry.attrs.type ?? '',
    configIndex: Number.MAX_SAFE_INTEGER,
    priority: 0,
    unique: false,
    promotable: false,
  });
  r.orphan = true;
  if (entry.attrs.container !== undefined) r.containerFillerOf = entry.attrs.container;
  if (ctx.model.settings.maintenanceMode) {
    r.managed = false;
    r.maintenance = true;
  }
  if (!ctx.model.settings.stopOrphanResources) r.managed = false;
  ctx.model.resources.push(r);
  if (r.cls === 'ocf' && r.provider === 'pacemaker' && r.type === 'remote') {
    // The connection of a remote node removed from the configuration: the node is shutting down.
    let node = ctx.nodeByName.get(id);
    if (!node) {
      node = newNode(id, id, 'remote');
      node.outsideAllowedNodes = true;
      ctx.model.nodes.push(node);
      ctx.model.nodes.sort((a, b) => compareNodeNames(a.name, b.name));
      ctx.nodeByName.set(id, node);
      ctx.nodeById.set(id, node);
    }
    node.remoteRsc = r;
    r.isRemoteConnectionFor = id;
    handleStartupFencing(node, ctx);
    node.shutdown = true;
  }
  return r;
}

interface OpInfo {
  readonly el: XmlElement;
  readonly task: string;
  readonly key: string;
  readonly callId: number;
  readonly rc: number;
  readonly status: number;
  readonly intervalMs: number;
  readonly targetRc: number;
  readonly lastRcChange: number;
}

function int(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = Number.parseInt(v, 10);
  return Number.isNaN(n) ? dflt : n;
}

function targetRcOf(el: XmlElement): number {
  const key = el.attrs['transition-key'];
  if (key === undefined) return -1;
  const parts = key.split(':');
  return parts.length >= 4 ? int(parts[2], -1) : -1;
}

function opInfo(el: XmlElement): OpInfo | undefined {
  const task = el.attrs.operation;
  if (task === undefined) return undefined;
  return {
    el,
    task,
    key: el.attrs.operation_key ?? el.attrs.id ?? '',
    callId: int(el.attrs['call-id'], -1),
    rc: int(el.attrs['rc-code'], 0),
    status: int(el.attrs['op-status'], EXEC.pending - 1),
    intervalMs: int(el.attrs.interval, 0),
    targetRc: targetRcOf(el),
    lastRcChange: int(el.attrs['last-rc-change'], -1),
  };
}

/** Transition number and UUID from `transition-magic` (`STATUS:RC;ACTION:TRANSITION:TARGET:UUID`). */
function transitionOf(op: OpInfo): { id: number; uuid: string } | undefined {
  const magic = op.el.attrs['transition-magic'];
  const key = magic?.split(';')[1];
  const parts = key?.split(':');
  if (!parts || parts.length < 4) return undefined;
  return { id: int(parts[1], -1), uuid: parts.slice(3).join(':') };
}

/**
 * Pacemaker's history order: by call id; equal call ids by last-rc-change;
 * a pending op (call id -1) against a completed one by transition number.
 */
function compareOps(a: OpInfo, b: OpInfo): number {
  if (a.callId === -1 && b.callId === -1) return 0;
  if (a.callId >= 0 && a.callId < b.callId) return -1;
  if (b.callId >= 0 && a.callId > b.callId) return 1;
  if (b.callId >= 0 && a.callId === b.callId) {
    if (a.lastRcChange >= 0 && a.lastRcChange < b.lastRcChange) return -1;
    if (b.lastRcChange >= 0 && a.lastRcChange > b.lastRcChange) return 1;
    return 0;
  }
  const ta = transitionOf(a);
  const tb = transitionOf(b);
  if (!ta || !tb) return 0;
  if (ta.uuid !== tb.uuid || ta.id === tb.id) {
    if (b.callId === -1) return -1;
    if (a.callId === -1) return 1;
    return 0;
  }
  if ((ta.id >= 0 && ta.id < tb.id) || tb.id === -1) return -1;
  if ((tb.id >= 0 && ta.id > tb.id) || ta.id === -1) return 1;
  return 0;
}

function isProbe(op: OpInfo): boolean {
  return op.task === 'monitor' && op.intervalMs === 0;
}

function maskableProbeFailure(op: OpInfo): boolean {
  return isProbe(op) && (op.rc === OCF.notInstalled || op.rc === OCF.invalidParam || op.status === EXEC.notInstalled);
}

interface OpState {
  lastFailure?: OpInfo;
  onFail: OnFail;
}

function setActive(r: MResource): void {
  r.role = topParent(r).promotable ? RoleRank.Unpromoted : RoleRank.Started;
}

function unpackLrmResource(node: MNode, entry: XmlElement, ctx: Ctx): void {
  const historyId = entry.attrs.id;
  if (historyId === undefined) return;
  const ops = childrenNamed(entry, 'lrm_rsc_op')
    .map(opInfo)
    .filter((o): o is OpInfo => o !== undefined)
    // Pacemaker collects the entries newest-first before its stable sort, so equal keys keep reverse order.
    .reverse();
  if (ops.length === 0) return;
  const rsc = unpackFindResource(node, historyId, ctx) ?? createOrphan(entry, ctx);
  if (ctx.model.settings.shutdownLock) unpackShutdownLock(entry, rsc, node, ctx);
  const sorted = [...ops].sort(compareOps);

  const savedRole = rsc.role;
  rsc.role = RoleRank.Unknown;
  const st: OpState = { onFail: 'ignore' };
  for (const op of sorted) unpackOp(rsc, node, op, sorted, st, ctx);
  processRscState(rsc, node, st.onFail, ctx);
  if (savedRole > rsc.role) rsc.role = savedRole;
}

/** A resource locked to the node that was cleanly shut down with it (shutdown-lock), unless the lock expired. */
function unpackShutdownLock(entry: XmlElement, rsc: MResource, node: MNode, ctx: Ctx): void {
  const lockTime = int(entry.attrs['shutdown-lock'], 0);
  if (lockTime === 0) return;
  const limitSec = Math.floor((intervalMs(ctx.model.settings.props.get('shutdown-lock-limit')) ?? 0) / 1000);
  if (limitSec > 0 && ctx.nowSec !== undefined && ctx.nowSec > lockTime + limitSec) return;
  rsc.lockNode = node;
}

function onFailFor(rsc: MResource, op: OpInfo, ctx: Ctx): OnFail {
  const s = ctx.model.settings;
  const def = rsc.ops.find((o) => o.name === op.task && o.intervalMs === op.intervalMs);
  const value = (def?.onFail ?? ctx.model.opDefaults.get('on-fail'))?.toLowerCase();
  const isRemoteConn = rsc.isRemoteConnectionFor !== undefined && rsc.container === undefined;
  if (value === undefined && rsc.container && rsc.parent?.kind !== 'clone') return 'restart-container';
  switch (value) {
    case 'ignore':
    case 'nothing':
      return 'ignore';
    case 'block':
      return 'block';
    case 'stop':
      return 'stop';
    case 'standby':
      return 'standby';
    case 'migrate':
      return 'migrate';
    case 'demote':
      return 'demote';
    case 'fence':
      return s.stonithEnabled ? 'fence' : 'stop';
    case 'restart-container':
      return rsc.container ? 'restart-container' : 'recover';
    case 'restart':
      return 'recover';
    default:
      break;
  }
  if (isRemoteConn && !isProbe(op) && op.task !== 'start') return rsc.managed ? 'reset-remote' : 'stop';
  if (op.task === 'stop') return s.stonithEnabled ? 'fence' : 'block';
  return 'recover';
}

function recordFailure(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
  const already = ctx.failures.some((f) => f.op === op.el && f.node === node.name);
  if (!already) ctx.failures.push({ op: op.el, node: node.name, rscHistoryId: rsc.cloneName ?? rsc.id });
}

function failureTimeoutMs(rsc: MResource): number {
  return intervalMs(rsc.meta.get('failure-timeout')) ?? 0;
}

/** Sum of a resource's fail-count attributes on a node for one operation (legacy per-resource counts included). */
function failCount(rsc: MResource, node: MNode, op: OpInfo, effective: boolean, ctx: Ctx): number {
  const name = topParent(rsc).kind === 'clone' && !rsc.unique ? rsc.xmlId : rsc.id;
  const suffix = `#${op.task}_${op.intervalMs}`;
  let count = 0;
  let last = 0;
  for (const [k, v] of node.attrs) {
    if (k === `fail-count-${name}` || k === `fail-count-${name}${suffix}`) {
      count = Math.min(1_000_000, count + (/^[+]?infinity$/i.test(v) ? 1_000_000 : Number.parseInt(v, 10) || 0));
    } else if (k === `last-failure-${name}` || k === `last-failure-${name}${suffix}`) {
      last = Math.max(last, Number.parseInt(v, 10) || 0);
    }
  }
  // failure-timeout conflicts with on-fail=block; blocking wins, so such counts never expire.
  const blocks = rsc.ops.some((o) => o.onFail?.toLowerCase() === 'block');
  const timeoutSec = blocks ? 0 : Math.floor(failureTimeoutMs(rsc) / 1000);
  if (effective && count > 0 && last > 0 && timeoutSec > 0 && ctx.nowSec !== undefined && ctx.nowSec > last + timeoutSec) return 0;
  return count;
}

const PROBE_STATES: readonly number[] = [OCF.ok, OCF.notRunning, OCF.runningPromoted, 190, OCF.degradedPromoted];

/**
 * Whether an operation's result is older than the resource's failure-timeout
 * and no unexpired fail count keeps it alive.
 */
function isExpired(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): boolean {
  if (ctx.nowSec === undefined) return false;
  const timeoutSec = Math.floor(failureTimeoutMs(rsc) / 1000);
  if (timeoutSec <= 0 || op.lastRcChange < 0) return false;
  let expired = ctx.nowSec >= op.lastRcChange + timeoutSec;
  if (expired && failCount(rsc, node, op, false, ctx) > 0 && failCount(rsc, node, op, true, ctx) > 0) expired = false;
  // Probes that found the resource in a definite state never expire.
  if (expired && isProbe(op) && PROBE_STATES.includes(op.rc)) expired = false;
  return expired;
}

function remap(rsc: MResource, op: OpInfo, st: OpState): { rc: number; status: number } {
  let status = op.status;
  const rc = op.rc;
  if (status !== EXEC.done && status !== EXEC.error) return { rc, status };
  status = EXEC.done;
  const probe = isProbe(op);
  if (op.targetRc < 0 || op.targetRc !== rc) status = EXEC.error;
  switch (rc) {
    case OCF.ok:
      if (probe && op.targetRc === OCF.notRunning) status = EXEC.done;
      break;
    case OCF.notRunning:
      if (probe || op.targetRc === rc || !rsc.managed) {
        status = EXEC.done;
        rsc.role = RoleRank.Stopped;
        st.onFail = 'ignore';
        rsc.nextRoleStopped = false;
      }
      break;
    case OCF.runningPromoted:
      if (probe && rc !== op.targetRc) status = EXEC.done;
      rsc.role = RoleRank.Promoted;
      break;
    case OCF.degradedPromoted:
    case OCF.failedPromoted:
      rsc.role = RoleRank.Promoted;
      status = EXEC.error;
      break;
    case OCF.notConfigured:
      status = EXEC.errorFatal;
      break;
    case OCF.unimplemented:
      status = op.intervalMs === 0 ? EXEC.errorHard : EXEC.notSupported;
      break;
    case OCF.notInstalled:
    case OCF.invalidParam:
    case OCF.insufficientPriv:
      status = EXEC.errorHard;
      break;
    default:
      if (status === EXEC.done) status = EXEC.error;
      break;
  }
  return { rc, status };
}

function unpackOp(rsc: MResource, node: MNode, op: OpInfo, all: readonly OpInfo[], st: OpState, ctx: Ctx): void {
  if (op.task === 'notify' || op.task === 'meta-data') return;
  const expired = op.status !== EXEC.notInstalled && isExpired(rsc, node, op, ctx);
  const { rc, status: remapped } = remap(rsc, op, st);
  let status = remapped;
  const maskable = maskableProbeFailure(op);

  if (expired && maskable && op.rc !== op.targetRc) {
    if (rsc.role <= RoleRank.Stopped) rsc.role = RoleRank.Unknown;
    return;
  }
  if (expired && rc !== op.targetRc && op.intervalMs === 0) return;
  if (expired && rc !== op.targetRc && node.online && !node.unclean) return;

  if (maskable) {
    rsc.role = RoleRank.Stopped;
    recordFailure(rsc, node, op, ctx);
    return;
  }

  switch (status) {
    case EXEC.cancelled:
      return;
    case EXEC.pending:
      if (op.task === 'start') {
        setActive(rsc);
      } else if (op.task === 'promote') {
        rsc.role = RoleRank.Promoted;
      }
      if (rsc.pendingTask === undefined && !isProbe(op)) {
        rsc.pendingTask = op.task;
        rsc.pendingNode = node;
      }
      return;
    case EXEC.done:
      updateResourceState(rsc, node, op, rc, all, st, ctx);
      return;
    case EXEC.notInstalled: {
      if (onFailFor(rsc, op, ctx) === 'ignore') st.onFail = 'migrate';
      opFailure(rsc, node, op, rc, st, ctx);
      return;
    }
    case EXEC.noFenceDevice:
    case EXEC.noSecrets:
      status = EXEC.errorHard;
      break;
    default:
      break;
  }

  const strategy = onFailFor(rsc, op, ctx);
  if (strategy === 'ignore' || (strategy === 'restart-container' && op.task === 'stop')) {
    updateResourceState(rsc, node, op, op.targetRc, all, st, ctx);
    rsc.failureIgnored = true;
    recordFailure(rsc, node, op, ctx);
    if (strategy === 'restart-container' && !moreSevere(st.onFail, 'recover')) st.onFail = strategy;
  } else {
    opFailure(rsc, node, op, rc, st, ctx);
  }
}

function opFailure(rsc: MResource, node: MNode, op: OpInfo, rc: number, st: OpState, ctx: Ctx): void {
  st.lastFailure = op;
  const s = ctx.model.settings;
  if (!(!s.symmetric && rc === OCF.notInstalled)) recordFailure(rsc, node, op, ctx);
  const strategy = onFailFor(rsc, op, ctx);
  if (moreSevere(strategy, st.onFail)) st.onFail = strategy;
  const hardRc = rc === OCF.notInstalled || rc === OCF.invalidParam || rc === OCF.insufficientPriv || (rc === OCF.unimplemented && op.intervalMs === 0);
  // A stop that failed hard where fencing is impossible cannot be recovered at all.
  if (op.task === 'stop' && hardRc && !canFence(node, ctx)) {
    rsc.managed = false;
    rsc.blocked = true;
  }
  if (op.task === 'promote') {
    rsc.role = RoleRank.Promoted;
  } else if (op.task === 'demote') {
    if (strategy === 'block') {
      rsc.role = RoleRank.Promoted;
      rsc.nextRoleStopped = true;
    } else if (rc === OCF.notRunning) {
      rsc.role = RoleRank.Stopped;
    } else {
      rsc.role = RoleRank.Unpromoted;
    }
  } else if (op.task === 'migrate_to') {
    migrateToFailed(rsc, node, op, ctx);
  } else if (op.task === 'migrate_from') {
    migrateFromFailed(rsc, node, op, ctx);
  }
  if (isProbe(op) && rc === OCF.notInstalled) {
    rsc.role = RoleRank.Stopped;
  } else if (rsc.role < RoleRank.Started) {
    setActive(rsc);
  }
}

function updateResourceState(rsc: MResource, node: MNode, op: OpInfo, rc: number, all: readonly OpInfo[], st: OpState, ctx: Ctx): void {
  let clearPast = false;
  if (rc === OCF.notInstalled || maskableProbeFailure(op)) {
    rsc.role = RoleRank.Stopped;
  } else if (rc === OCF.notRunning) {
    clearPast = true;
  } else if (op.task === 'monitor') {
    if (st.lastFailure && st.lastFailure.key === op.key) clearPast = true;
    if (rsc.role < RoleRank.Started) setActive(rsc);
  } else if (op.task === 'start') {
    rsc.role = RoleRank.Started;
    clearPast = true;
  } else if (op.task === 'stop') {
    rsc.role = RoleRank.Stopped;
    clearPast = true;
  } else if (op.task === 'promote') {
    rsc.role = RoleRank.Promoted;
    clearPast = true;
  } else if (op.task === 'demote') {
    if (st.onFail === 'demote') clearPast = true;
    rsc.role = RoleRank.Unpromoted;
  } else if (op.task === 'migrate_from') {
    rsc.role = RoleRank.Started;
    clearPast = true;
  } else if (op.task === 'migrate_to') {
    migrateToSucceeded(rsc, node, op, ctx);
  } else if (rsc.role < RoleRank.Started) {
    setActive(rsc);
  }
  if (clearPast) {
    switch (st.onFail) {
      case 'stop':
      case 'fence':
      case 'migrate':
      case 'standby':
        break;
      case 'reset-remote':
        if (rsc.meta.get('reconnect_interval') === undefined) {
          st.onFail = 'ignore';
          rsc.nextRoleStopped = false;
        }
        break;
      default:
        st.onFail = 'ignore';
        rsc.nextRoleStopped = false;
    }
  }
}

/** History entries for `rscId` on the node called `nodeName`. */
function opsOn(rscId: string, nodeName: string, ctx: Ctx): OpInfo[] {
  const status = ctx.status;
  if (!status) return [];
  for (const state of childrenNamed(status, 'node_state')) {
    if (state.attrs.uname !== nodeName) continue;
    const lrm = firstChild(state, 'lrm');
    const list = lrm ? firstChild(lrm, 'lrm_resources') : undefined;
    if (!list) return [];
    const entry = childrenNamed(list, 'lrm_resource').find((e) => e.attrs.id === rscId);
    if (!entry) return [];
    return childrenNamed(entry, 'lrm_rsc_op')
      .map(opInfo)
      .filter((o): o is OpInfo => o !== undefined);
  }
  return [];
}

/** Pacemaker's "is op a newer than op b": call ids on one node, last-rc-change across nodes. */
function isNewerOp(a: OpInfo, b: OpInfo, sameNodeDefault: boolean): boolean {
  const aNode = a.el.attrs.on_node;
  const bNode = b.el.attrs.on_node;
  const sameNode = aNode === undefined || bNode === undefined ? sameNodeDefault : aNode === bNode;
  if (a.callId === -1 && b.callId === -1) return false;
  if (a.callId === -1) return true;
  if (b.callId === -1) return false;
  if (sameNode && a.callId !== b.callId) return a.callId > b.callId;
  return b.lastRcChange >= 0 && a.lastRcChange > b.lastRcChange;
}

const STATE_CHANGING = ['start', 'stop', 'migrate_to', 'migrate_from'];

function nonMonitorAfter(rscId: string, nodeName: string, ref: OpInfo, sameNode: boolean, ctx: Ctx): boolean {
  return opsOn(rscId, nodeName, ctx).some((o) => o.el !== ref.el && STATE_CHANGING.includes(o.task) && isNewerOp(o, ref, sameNode));
}

function monitorNotRunningAfter(rscId: string, nodeName: string, ref: OpInfo, sameNode: boolean, ctx: Ctx): boolean {
  const monitor = opsOn(rscId, nodeName, ctx).find((o) => o.task === 'monitor' && o.rc === OCF.notRunning && o.status === EXEC.done);
  return monitor !== undefined && isNewerOp(monitor, ref, sameNode);
}

/** Whether `nodeName` has history newer than the migration events, so they no longer matter there. */
function newerStateAfterMigrate(rscId: string, nodeName: string, migrateTo: OpInfo | undefined, migrateFrom: OpInfo | undefined, ctx: Ctx): boolean {
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
function unknownOnNode(rscId: string, nodeName: string, ctx: Ctx): boolean {
  return !opsOn(rscId, nodeName, ctx).some((o) => o.rc !== 193);
}

function findMigrationOp(rscId: string, task: 'migrate_to' | 'migrate_from', nodeName: string, peer: string, ctx: Ctx, mustSucceed: boolean): OpInfo | undefined {
  const peerAttr = task === 'migrate_to' ? 'migrate_target' : 'migrate_source';
  return opsOn(rscId, nodeName, ctx).find(
    (o) => o.task === task && o.el.attrs[peerAttr] === peer && (!mustSucceed || (o.rc === OCF.ok && o.status === EXEC.done)),
  );
}

function migrateToSucceeded(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
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
  } else if (!targetNewer && targetNode?.online) {
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
function migrateToFailed(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
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
function migrateFromFailed(rsc: MResource, node: MNode, op: OpInfo, ctx: Ctx): void {
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

function addRunning(rsc: MResource, node: MNode, ctx: Ctx): void {
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

function processRscState(rsc: MResource, node: MNode, onFailIn: OnFail, ctx: Ctx): void {
  let onFail = onFailIn;
  // A failure on a node that will be fenced needs nothing more: fencing recovers it.
  if (node.unclean) onFail = 'ignore';
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
    if (shouldFence) fenceNode(node, reason ?? `${rsc.id} is thought to be active there`, ctx);
  }
  switch (onFail) {
    case 'ignore':
      break;
    case 'demote':
      rsc.failed = true;
      break;
    case 'fence':
      fenceNode(node, `${rsc.id} failed there`, ctx);
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
      if (rsc.role !== RoleRank.Stopped && rsc.role !== RoleRank.Unknown) rsc.failed = true;
      break;
    case 'restart-container':
      rsc.failed = true;
      break;
    case 'reset-remote':
      rsc.failed = true;
      if (ctx.model.settings.stonithEnabled && rsc.isRemoteConnectionFor !== undefined) {
        const remoteNode = ctx.nodeByName.get(rsc.isRemoteConnectionFor);
        if (remoteNode && remoteNode.type === 'remote' && !remoteNode.remoteWasFenced) {
          fenceNode(remoteNode, 'remote connection is unrecoverable', ctx);
        }
      }
      if (rsc.meta.get('reconnect_interval') !== undefined) rsc.nextRoleStopped = true;
      break;
  }
  if (rsc.failed && rsc.isRemoteConnectionFor !== undefined) {
    const remoteNode = ctx.nodeByName.get(rsc.isRemoteConnectionFor);
    if (remoteNode?.unclean) remoteNode.unseen = false;
  }
  if (rsc.role !== RoleRank.Stopped && rsc.role !== RoleRank.Unknown) {
    addRunning(rsc, node, ctx);
    switch (onFail) {
      case 'ignore':
        break;
      default:
        rsc.failed = true;
        break;
    }
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
