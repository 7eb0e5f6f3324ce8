/**
 * Pacemaker Remote nodes: a node that is not a cluster member, reached through a connection
 * resource (ocf:pacemaker:remote) running on a member. The node is named after the connection
 * resource, is up exactly when that connection is up, and after assignment is online when the
 * connection is placed somewhere and shutting down when it is not.
 */
import type { XmlElement } from '../../cib/xml.js';
import type { Context } from '../context.js';
import type { Node, NodeHistory, Primitive, Resource } from '../model.js';
import { nodeCanHost, primitivesOf } from '../model.js';
import { parseIntervalMs } from '../score.js';
import { child, children, readNvSets } from '../unpack/config.js';
import { nodeRecord } from '../unpack/nodes.js';
import { isActive, orphanPrimitive, replayHistory, type Orphan } from '../unpack/history.js';
import { guestSpecs, resetGuests, restartContainers, settleGuest } from './guest.js';
import { settleBundles } from '../bundles/replicas.js';
import { REPLICA_META } from '../bundles/expand.js';

interface AgentLike {
  cls?: string;
  provider?: string;
  type?: string;
}

export function isRemoteAgent(a: AgentLike): boolean {
  return a.cls === 'ocf' && a.provider === 'pacemaker' && a.type === 'remote';
}

/** A primitive that is the connection of a remote node (configured or orphaned). */
export function isConnection(p: Primitive): boolean {
  return isRemoteAgent(p);
}

function connectionIds(cib: XmlElement): { configured: string[]; orphaned: string[] } {
  const ids: string[] = [];
  const orphaned: string[] = [];
  const walk = (el: XmlElement): void => {
    for (const c of el.children) {
      if (c.name === 'primitive' && isRemoteAgent({ cls: c.attrs.class, provider: c.attrs.provider, type: c.attrs.type }) && c.attrs.id !== undefined) ids.push(c.attrs.id);
      if (c.name === 'group' || c.name === 'clone' || c.name === 'master') walk(c);
    }
  };
  const resources = child(child(cib, 'configuration'), 'resources');
  if (resources) walk(resources);
  // Bundles make their own connections (bundle-N), which are not orphans.
  const bundles = children(resources, 'bundle').map((b) => `${b.attrs.id ?? ''}-`);
  // A connection removed from the configuration still names a node while its history says it runs.
  for (const state of children(child(cib, 'status'), 'node_state')) {
    for (const lrm of children(child(child(state, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      const id = lrm.attrs.id;
      if (id !== undefined && !ids.includes(id) && !orphaned.includes(id) && !bundles.some((b) => id.startsWith(b)) && isRemoteAgent({ cls: lrm.attrs.class, provider: lrm.attrs.provider, type: lrm.attrs.type })) orphaned.push(id);
    }
  }
  return { configured: ids, orphaned };
}

/**
 * Adds a node for every remote connection, or turns a configured `type="remote"` node into one.
 * Remote nodes start down: their state comes from the connection, not from membership.
 */
export function addRemoteNodes(cib: XmlElement, nodes: Node[], opts: { now: number; startupFencing: boolean }): void {
  const now = opts.now;
  const states = children(child(cib, 'status'), 'node_state');
  const { configured, orphaned } = connectionIds(cib);
  const guests = new Map(guestSpecs(child(child(cib, 'configuration'), 'resources')).map((g) => [g.node, g.container]));
  for (const name of [...configured, ...orphaned]) {
    const state = states.find((s) => s.attrs.uname === name || s.attrs.id === name);
    let node = nodes.find((n) => n.uname === name);
    if (!node) {
      const attrs = state ? readNvSets(child(state, 'transient_attributes'), 'instance_attributes', { now }) : new Map<string, string>();
      attrs.set('#uname', name);
      attrs.set('#id', name);
      node = nodeRecord({ id: name, uname: name, kind: 'remote', index: nodes.length, attrs, utilization: new Map(), shutdown: false, seen: state !== undefined });
      nodes.push(node);
    }
    const container = guests.get(name);
    node.kind = container === undefined ? 'remote' : 'guest';
    node.attrs.set('#kind', container === undefined ? 'remote' : 'container');
    if (container !== undefined) node.guest = { container, reset: false };
    node.online = false;
    node.pending = false;
    // Like an unseen member, a remote node may be running anything until its connection is up
    // again; a node left behind by a removed connection is not fenced for it. A guest is never
    // fenced at start-up: its container's state says whether it can run anything.
    node.unclean = opts.startupFencing && configured.includes(name) && container === undefined;
    // Only a running connection tells anything about the node, whatever its status entry says.
    node.seen = false;
  }
}

/**
 * What the connection's history on the members says: running somewhere, failed somewhere, and
 * whether the connection was lost while up (a recurring monitor failed).
 */
function connectionState(histories: Iterable<NodeHistory>): { started: boolean; failed: boolean; lost: boolean } {
  let started = false;
  let failed = false;
  let lost = false;
  for (const h of histories) {
    if (h.node.kind !== 'member') continue;
    if (isActive(h)) started = true;
    if (!h.failed) continue;
    failed = true;
    const f = h.lastFailure;
    if (f && f.task === 'monitor' && f.intervalMs > 0) lost = true;
  }
  return { started, failed, lost };
}

function orphanHistories(name: string, orphans: Orphan[], opts: { stonithEnabled: boolean; now: number }): NodeHistory[] {
  return orphans
    .filter((o) => o.id === name)
    .map((o) => {
      const p = orphanPrimitive(o, new Map(), 0);
      return replayHistory(p, o.node, o.lrm, opts);
    });
}

/**
 * Sets each remote node's state from its connection once the members' histories are read, and
 * returns the remote nodes whose own history must be read, in batches read one after the other:
 * those that are up, then those down whose history fencing must settle.
 */
export function settleRemoteNodes(
  cib: XmlElement,
  nodes: Node[],
  resources: Resource[],
  orphans: Orphan[],
  opts: { stonithEnabled: boolean; now: number },
  fences: { node: string; reason: string }[],
  unsupported: Set<string>,
): Node[][] {
  const connections = new Map<string, Primitive>();
  for (const r of resources) for (const p of primitivesOf(r)) if (isConnection(p)) connections.set(p.id, p);
  // A connection holds no state of its own, so moving it is a live migration unless told otherwise.
  for (const p of connections.values()) if (!p.meta.has('allow-migrate')) p.meta.set('allow-migrate', 'true');
  const readable: Node[] = [];
  const unseen: Node[] = [];
  const states = children(child(cib, 'status'), 'node_state');
  const byId = new Map<string, Primitive>();
  for (const r of resources) for (const p of primitivesOf(r)) byId.set(p.id, p);
  for (const node of nodes) {
    if (node.guest) {
      const hasEntry = states.some((st) => st.attrs.uname === node.uname || st.attrs.id === node.uname);
      const { up } = settleGuest(node, connections.get(node.uname), byId.get(node.guest.container));
      // With fencing possible, a guest's history is read even while it is down: what it says
      // runs there decides whether the guest must be reset.
      if (up) readable.push(node);
      else if (opts.stonithEnabled && hasEntry) unseen.push(node);
      continue;
    }
    if (node.kind !== 'remote') continue;
    const hasState = states.some((st) => st.attrs.uname === node.uname || st.attrs.id === node.uname);
    const conn = connections.get(node.uname);
    const { started, failed, lost } = connectionState(conn ? conn.history.values() : orphanHistories(node.uname, orphans, opts));
    node.online = started && !failed;
    // A status entry read while fencing is possible settles the node's state, unless only
    // fencing can settle it.
    if (node.online || (hasState && opts.stonithEnabled && !lost)) {
      node.unclean = false;
      node.seen = true;
    }
    if (lost && opts.stonithEnabled) {
      // The connection dropped while the node may still run resources: only fencing makes it safe.
      node.unclean = true;
      node.seen = true;
      fences.push({ node: node.uname, reason: 'remote connection is unrecoverable' });
    }
    // With reconnect_interval the cluster waits for the failure to expire before reconnecting.
    if (lost && conn && parseIntervalMs(conn.params.get('reconnect_interval') ?? '0') > 0) conn.meta.set('target-role', 'Stopped');
    if (failed && !opts.stonithEnabled) unsupported.add(`recovery of remote node ${node.uname} after its connection failed without fencing`);
    if (node.online) readable.push(node);
    else if (opts.stonithEnabled && (node.unclean || hasState)) unseen.push(node);
  }
  // Nodes that are up are read first; those only fencing can settle after them, as Pacemaker's
  // last pass does (which decides the numbers their anonymous clone instances take).
  return [readable, unseen].filter((batch) => batch.length > 0);
}

/** Connections are placed before everything else: where they go decides which remote nodes can host. */
export function connectionsOf(ctx: Context): Primitive[] {
  const out: Primitive[] = [];
  for (const r of ctx.resources) for (const p of primitivesOf(r)) if (isConnection(p) && ctx.nodeByName.get(p.id)?.kind !== 'member') out.push(p);
  // Like a clone's instances, the replicas of a bundle that run are placed before those that do not.
  const idle = (p: Primitive): number => {
    const c = ctx.byId.get(p.meta.get('container') ?? '');
    if (c?.kind !== 'primitive' || !c.meta.has(REPLICA_META)) return 0;
    return [...c.history.values()].some((h) => isActive(h) && nodeCanHost(h.node)) ? 0 : 1;
  };
  return out.map((p, i) => ({ p, i, k: idle(p) })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.p);
}

/** After its connection is assigned, a remote node is online when the connection will run, shutting down otherwise. */
export function settleAfterAssignment(ctx: Context, conn: Primitive): void {
  const node = ctx.nodeByName.get(conn.id);
  if (!node) return;
  // A connection removed from the configuration is only ever stopped, taking its node down.
  if (conn.orphan) ctx.placement.set(conn, { node: null, role: 'Stopped' });
  const pl = ctx.placement.get(conn);
  if (pl?.node && pl.role !== 'Stopped') {
    node.online = true;
    // No reason to shoot a remote node whose state is unknown when the cluster is about to connect to it.
    if (!node.seen) node.unclean = false;
  } else {
    node.shutdown = true;
    fenceUnreachable(ctx, conn, node);
  }
}

/**
 * A remote node whose connection will run nowhere, and was on a member that is lost (or failed),
 * can no longer be reached to stop what runs there: only fencing makes that safe.
 */
function fenceUnreachable(ctx: Context, conn: Primitive, node: Node): void {
  if (node.kind !== 'remote' || node.unclean || !ctx.stonithEnabled) return;
  const current = [...conn.history.values()].filter((h) => h.node.kind === 'member' && isActive(h));
  const lost = current.some((h) => h.node.unclean) || current.some((h) => h.failed);
  if (!lost) return;
  const prims = ctx.resources.flatMap(primitivesOf).filter((p) => !isConnection(p) && p.cls !== 'stonith');
  const active = prims.some((p) => [...p.history.values()].some((h) => h.node === node && isActive(h)));
  // Without any record of resources there, what runs on the node is unknown: as unsafe.
  const unknown = prims.length > 0 && prims.every((p) => !p.probed.has(node.uname));
  if (!active && !unknown) return;
  node.unclean = true;
  ctx.fences.push({ node: node.uname, reason: active ? 'resources are active but connection is unrecoverable' : 'resources are in unknown state and connection is unrecoverable' });
}

/**
 * Remote and guest nodes run neither connections nor guests' containers (no nesting), nor fencing
 * devices. A bundle's replicas may run on remote nodes, but not inside guests.
 */
export function banFromRemoteNodes(ctx: Context, p: Primitive, scores: number[], minus: number): void {
  const replica = p.meta.has(REPLICA_META);
  if (!isConnection(p) && p.cls !== 'stonith' && !p.meta.has('remote-node') && !replica) return;
  for (const n of ctx.nodes) if (replica && !isConnection(p) ? n.kind === 'guest' : n.kind !== 'member') scores[n.index] = minus;
}

/**
 * A remote node that is down while its history says a resource runs there must be fenced, unless
 * the connection can come back: then the resource is merely unseen until the cluster reconnects.
 */
export function fenceDownRemoteNodes(cib: XmlElement, nodes: Node[], resources: Resource[], fences: { node: string; reason: string }[], stonithEnabled: boolean): void {
  settleBundles(resources);
  restartContainers(resources.flatMap(primitivesOf));
  if (stonithEnabled) fenceLostMembers(resources, fences);
  resetGuests(nodes, resources.flatMap(primitivesOf));
  if (!stonithEnabled) return;
  const byId = new Map<string, Primitive>();
  for (const r of resources) for (const p of primitivesOf(r)) byId.set(p.historyName ?? p.id, p);
  const connections = new Map<string, Primitive>();
  for (const p of byId.values()) if (isConnection(p)) connections.set(p.id, p);
  for (const state of children(child(cib, 'status'), 'node_state')) {
    const node = nodes.find((n) => n.kind === 'remote' && (n.uname === state.attrs.uname || n.uname === state.attrs.id));
    if (!node || node.online) continue;
    const conn = connections.get(node.uname);
    if (!conn || fences.some((f) => f.node === node.uname && node.unclean)) continue;
    const failed = connectionState(conn.history.values()).failed;
    for (const lrm of children(child(child(state, 'lrm'), 'lrm_resources'), 'lrm_resource')) {
      const id = lrm.attrs.id ?? '';
      const h = byId.get(id)?.history.get(node.uname);
      if (h && isActive(h)) {
        node.unclean = true;
        // A healthy connection that can be placed again revokes this fencing (see settleAfterAssignment).
        node.seen = failed;
        fences.push({ node: node.uname, reason: failed ? `${id} is thought to be active there` : `${id} is active there (fencing will be revoked if remote connection can be re-established elsewhere)` });
        break;
      }
    }
  }
}

/** A member out of the cluster whose history says a managed resource still runs there must be fenced. */
function fenceLostMembers(resources: Resource[], fences: { node: string; reason: string }[]): void {
  for (const p of resources.flatMap(primitivesOf)) {
    if ((p.meta.get('is-managed') ?? 'true').toLowerCase() === 'false') continue;
    for (const h of p.history.values()) {
      const n = h.node;
      if (n.kind !== 'member' || n.online || n.unclean || n.pending || n.maintenance || !isActive(h)) continue;
      n.unclean = true;
      fences.push({ node: n.uname, reason: `${p.id} is thought to be active there` });
    }
  }
}
