import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { intervalMs } from './attrs.js';
import { readConfig, type ConfigModel } from './config.js';
import { RoleRank, primitivesOf, type MNode, type MResource } from './model.js';
import { createOrphan, linkOrphanedFillers, unpackFindResource } from './instances.js';
import { determineRemoteOnline, findNode, handleStartupFencing, unpackNodeState, unpackRemoteAttributes } from './node-state.js';
import { type OpState, unpackOp } from './op-replay.js';
import { processRscState } from './running.js';
import { type Ctx, type OpInfo, type RecordedFailure, compareOps, int, opInfo } from './unpack-context.js';

/**
 * Replays the CIB status section onto the configuration model the way
 * Pacemaker's scheduler does before it plans anything: node membership
 * gives each node's state, and each resource's operation history gives its
 * role, the nodes it is active on, and its failure flags.
 */

export interface UnpackedCluster extends ConfigModel {
  readonly failures: RecordedFailure[];
  readonly dcNode?: MNode;
  readonly now?: number;
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

function unpackNodeLrm(node: MNode, state: XmlElement, ctx: Ctx): void {
  const lrm = firstChild(state, 'lrm');
  const resources = lrm ? firstChild(lrm, 'lrm_resources') : undefined;
  if (!resources) return;
  for (const entry of childrenNamed(resources, 'lrm_resource')) unpackLrmResource(node, entry, ctx);
  linkOrphanedFillers(resources, ctx);
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
  for (const op of sorted) unpackOp(rsc, node, op, st, ctx);
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
