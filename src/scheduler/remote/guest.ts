/**
 * Guest nodes: a primitive with the meta-attribute `remote-node=NAME` is a container (a VM, an
 * LXC container) in which Pacemaker Remote runs. The cluster reaches it through an implicit
 * connection resource named NAME, which runs where the container runs; the guest node NAME is up
 * while both run. A guest is never shot: it is "fenced" by recovering its container.
 */
import type { XmlElement } from '../../cib/xml.js';
import type { Colocation, Location, Ordering } from '../constraints/parse.js';
import type { Act, EdgeKind } from '../actions/action.js';
import type { Plan } from '../actions/plan.js';
import type { Context } from '../context.js';
import type { Node, Primitive } from '../model.js';
import { INFINITY } from '../score.js';
import { REPLICA_META } from '../bundles/expand.js';
import { bundledProbeAllowed, closedBundleNode } from '../bundles/guest-nodes.js';
import { child, readNvSets } from '../unpack/config.js';
import { isActive } from '../unpack/history.js';

/** What the connection of one guest node is made of, read from its container's meta-attributes. */
export interface GuestSpec {
  node: string;
  container: string;
  addr?: string;
  port?: string;
  connectTimeout?: string;
  allowMigrate?: string;
  managed?: string;
}

function nv(id: string, name: string, value: string): XmlElement {
  return { name: 'nvpair', attrs: { id: `${id}-${name}`, name, value }, children: [] };
}

/** The implicit ocf:pacemaker:remote primitive that connects to a guest, as Pacemaker builds it. */
export function connectionElement(g: GuestSpec): XmlElement {
  const meta: XmlElement[] = [nv(`${g.node}-meta`, 'container', g.container), nv(`${g.node}-meta`, 'internal_rsc', 'true')];
  if (g.allowMigrate !== undefined) meta.push(nv(`${g.node}-meta`, 'allow-migrate', g.allowMigrate));
  if (g.managed !== undefined) meta.push(nv(`${g.node}-meta`, 'is-managed', g.managed));
  const params: XmlElement[] = [];
  if (g.addr !== undefined) params.push(nv(`${g.node}-instance_attributes`, 'addr', g.addr));
  if (g.port !== undefined) params.push(nv(`${g.node}-instance_attributes`, 'port', g.port));
  const ops: XmlElement[] = [{ name: 'op', attrs: { id: `${g.node}-monitor-interval-30s`, name: 'monitor', interval: '30s', timeout: '30s' }, children: [] }];
  if (g.connectTimeout !== undefined) ops.push({ name: 'op', attrs: { id: `${g.node}-start-interval-0`, name: 'start', interval: '0', timeout: g.connectTimeout }, children: [] });
  return {
    name: 'primitive',
    attrs: { id: g.node, class: 'ocf', provider: 'pacemaker', type: 'remote' },
    children: [
      { name: 'meta_attributes', attrs: { id: `${g.node}-meta_attributes` }, children: meta },
      { name: 'instance_attributes', attrs: { id: `${g.node}-instance_attributes` }, children: params },
      { name: 'operations', attrs: {}, children: ops },
    ],
  };
}

/** Guest specifications of the top-level primitives and group members that carry `remote-node`. */
export function guestSpecs(resources: XmlElement | undefined): GuestSpec[] {
  const out: GuestSpec[] = [];
  const consider = (p: XmlElement): void => {
    // Rules on these meta-attributes are not evaluated: Pacemaker reads them before any rule context exists.
    const meta = readNvSets(p, 'meta_attributes', { now: 0 });
    const node = meta.get('remote-node');
    const id = p.attrs.id;
    if (node === undefined || node === '' || id === undefined) return;
    out.push({
      node,
      container: id,
      addr: meta.get('remote-addr'),
      port: meta.get('remote-port'),
      connectTimeout: meta.get('remote-connect-timeout'),
      allowMigrate: meta.get('remote-allow-migrate'),
      managed: meta.get('is-managed'),
    });
  };
  for (const el of resources?.children ?? []) {
    if (el.name === 'primitive') consider(el);
    if (el.name === 'group') for (const c of el.children) if (c.name === 'primitive') consider(c);
  }
  return out;
}

/**
 * The CIB with the implicit guest connections appended to its resources (after everything
 * configured, as Pacemaker does, which is why they come last in summaries). The input is not
 * changed; a CIB without guests is returned as it is.
 */
export function withGuestConnections(cib: XmlElement): XmlElement {
  const config = child(cib, 'configuration');
  const resources = child(config, 'resources');
  const specs = guestSpecs(resources);
  const configured = new Set((resources?.children ?? []).map((c) => c.attrs.id));
  const extra = specs.filter((g) => !configured.has(g.node)).map(connectionElement);
  if (!config || !resources || extra.length === 0) return cib;
  const newResources: XmlElement = { ...resources, children: [...resources.children, ...extra] };
  const newConfig: XmlElement = { ...config, children: config.children.map((c) => (c === resources ? newResources : c)) };
  return { ...cib, children: cib.children.map((c) => (c === config ? newConfig : c)) };
}

/** Whether a guest node's own history can be read yet, after the members' histories are read. */
export interface GuestState {
  /** Connection and container both run: the guest's history tells what runs in it. */
  up: boolean;
}

/**
 * A guest node's state from its connection and its container: online while both run healthy on
 * members; to be reset (its container recovered) when the container failed or its host is lost.
 */
export function settleGuest(node: Node, conn: Primitive | undefined, container: Primitive | undefined): GuestState {
  const onMembers = (p: Primitive | undefined): { active: Node[]; failed: boolean } => {
    const active: Node[] = [];
    let failed = false;
    for (const h of p?.history.values() ?? []) {
      if (h.node.kind !== 'member') continue;
      if (isActive(h)) active.push(h.node);
      if (h.failed) failed = true;
    }
    return { active, failed };
  };
  const c = onMembers(conn);
  const box = onMembers(container);
  const up = c.active.length > 0 && box.active.length > 0;
  const host = box.active.length === 1 ? box.active[0] : undefined;
  const hostLost = host !== undefined && !host.online && host.unclean;
  node.online = up && !c.failed && !box.failed && !hostLost;
  if (node.guest && (box.failed || hostLost)) node.guest.reset = true;
  // A guest is never unclean: while its container can be recovered it may still host resources.
  node.unclean = false;
  node.seen = true;
  return { up };
}

/** A container that runs on exactly one node, lost (offline and unclean). */
function hostLost(container: Primitive | undefined): boolean {
  const hosts = [...(container?.history.values() ?? [])].filter(isActive).map((h) => h.node);
  return hosts.length === 1 && !hosts[0].online && hosts[0].unclean;
}

/**
 * Resources thought active on a guest that is not up mean the guest must be reset: they are
 * failed (recovered once it is back) and the container is recovered, which is the guest's fencing.
 * A failure there whose on-fail is fence resets the guest the same way.
 */
export function resetGuests(nodes: Node[], prims: Primitive[]): void {
  const byId = new Map(prims.map((p) => [p.id, p]));
  // A guest whose host is lost goes with it (the host may have been found lost only now).
  for (const node of nodes) {
    if (!node.guest) continue;
    if (hostLost(byId.get(node.guest.container))) {
      node.guest.reset = true;
      node.online = false;
    }
  }
  // Fencing a guest for what it runs marks its container failed (Recover); a guest reset only
  // because its host is lost leaves the container to move with the host's fencing.
  const fencedForContents = new Set<Node>();
  for (const p of prims) {
    for (const h of p.history.values()) {
      const g = h.node.guest;
      if (g && h.failed && h.onFail === 'fence') {
        g.reset = true;
        fencedForContents.add(h.node);
      }
      if (!g || h.node.online || !isActive(h) || h.node.maintenance) continue;
      h.failed = true;
      g.reset = true;
      fencedForContents.add(h.node);
    }
  }
  for (const node of nodes) {
    if (!node.guest) continue;
    const container = byId.get(node.guest.container);
    if (!node.guest.reset) continue;
    if (!fencedForContents.has(node) && hostLost(container)) continue;
    if (!container || (container.meta.get('is-managed') ?? 'true').toLowerCase() === 'false') {
      // An unmanaged container cannot be recovered, so the guest is not fenced.
      node.guest.reset = false;
      continue;
    }
    for (const h of container.history.values()) if (isActive(h)) h.failed = true;
  }
}

/**
 * What the `container` meta-attribute implies: a resource inside a container (a filler, or a
 * guest's connection) runs where the container runs, starts after it and stops before it. A
 * filler whose container is itself a guest's container runs on that guest node instead.
 */
export function containerConstraints(prims: Primitive[], nodes: Node[]): { colocations: Colocation[]; orderings: Ordering[]; locations: Location[] } {
  const byId = new Map(prims.map((p) => [p.id, p]));
  const out = { colocations: [] as Colocation[], orderings: [] as Ordering[], locations: [] as Location[] };
  for (const p of prims) {
    const id = p.meta.get('container');
    const container = id === undefined ? undefined : byId.get(id);
    if (!container || container === p) continue;
    const guest = isConnectionPrimitive(p) ? undefined : nodes.find((n) => n.guest?.container === container.id);
    if (guest) {
      out.locations.push({ id: `${p.id}-in-${guest.uname}`, rsc: p, scores: new Map(nodes.filter((n) => n !== guest).map((n) => [n.index, -INFINITY])), discovery: 'always' });
      continue;
    }
    // A bundle's container may run on a remote node, where its connection cannot: then the
    // connection runs on a member instead, so it only prefers the container's node, and its own
    // preferences do not move the container.
    const bundled = isConnectionPrimitive(p) && container.meta.has(REPLICA_META);
    out.colocations.push({ id: 'resource-with-container', dependent: p, primary: container, score: bundled ? 10000 : INFINITY, influence: !bundled, nodeAttribute: '#uname' });
    out.orderings.push({ id: `${container.id}-then-${p.id}`, first: container, firstAction: 'start', then: p, thenAction: 'start', kind: 'Mandatory', symmetrical: true, waits: { kind: 'all' } });
  }
  return out;
}

function isConnectionPrimitive(p: Primitive): boolean {
  return p.cls === 'ocf' && p.provider === 'pacemaker' && p.type === 'remote';
}

function canFenceMember(ctx: Context, n: Node): boolean {
  if (!ctx.stonithEnabled || !ctx.fencingDevice) return false;
  return ctx.haveQuorum || ctx.noQuorumPolicy === 'ignore' || n.online;
}

/**
 * Guests to "fence" in this run, with the action their pseudo fencing reports: a reboot when the
 * container starts again, off when it does not. A guest can be reset only when every node its
 * container runs on is up or can itself be fenced.
 */
export function guestsToReset(ctx: Context): { node: Node; action: 'reboot' | 'off' }[] {
  const out: { node: Node; action: 'reboot' | 'off' }[] = [];
  for (const node of ctx.nodes) {
    if (!node.guest?.reset) continue;
    const container = ctx.byId.get(node.guest.container);
    if (!container || container.kind !== 'primitive') continue;
    const hosts = [...container.history.values()].filter(isActive).map((h) => h.node);
    if (hosts.some((h) => !h.online && !canFenceMember(ctx, h))) continue;
    out.push({ node, action: ctx.placement.get(container)?.node ? 'reboot' : 'off' });
  }
  return out;
}

function edge(plan: Plan, first: Act | undefined, then: Act | undefined, label: string, ...flags: EdgeKind[]): void {
  if (!first || !then || first === then) return;
  plan.edges.push({ first, then, flags: new Set(flags), label });
}

/**
 * A guest's pseudo fencing happens once its container is down: after the container's stop, or
 * after the fencing of the container's host when that stop is implied by it, or at least after
 * the connection's stop.
 */
export function orderGuestFencing(ctx: Context, plan: Plan): void {
  for (const node of ctx.nodes) {
    const fence = plan.fenceActs.get(node.uname);
    if (!node.guest || !fence) continue;
    const container = ctx.byId.get(node.guest.container);
    const stop = container?.kind === 'primitive' ? [...(plan.stops.get(container)?.values() ?? [])][0] : undefined;
    if (stop && stop.pseudo && stop.node) edge(plan, plan.fenceActs.get(stop.node.uname), fence, 'stonith', 'runnable', 'implies_then', 'order');
    else if (stop) edge(plan, stop, fence, `${container?.id ?? ''} stop`, 'runnable', 'implies_then', 'order');
    else {
      const conn = ctx.byId.get(node.uname);
      const connStop = conn?.kind === 'primitive' ? [...(plan.stops.get(conn)?.values() ?? [])][0] : undefined;
      edge(plan, connStop, fence, `${node.uname} stop`, 'order');
    }
  }
}

/** A healthy migratable primitive running on one node and placed on another (see applyMigrations). */
function willMigrate(ctx: Context, p: Primitive): boolean {
  if ((p.meta.get('allow-migrate') ?? '').toLowerCase() !== 'true') return false;
  const active = [...p.history.values()].filter(isActive);
  const to = ctx.placement.get(p)?.node;
  if (active.length !== 1 || !to) return false;
  const h = active[0];
  return !h.failed && h.role === 'Started' && h.node.online && !h.node.unclean && h.node !== to;
}

/**
 * Actions on a guest node happen while the guest is up: starts and promotions after its container
 * and its connection start (a container that starts again restarts them), stops and demotions
 * before the connection stops (unless the container failed: then they are implied by it), other
 * actions after the connection starts.
 */
export function orderGuestActions(ctx: Context, plan: Plan): void {
  for (const a of [...plan.acts]) {
    const node = a.node;
    if (!node?.guest || !a.rsc || a.pseudo || a.kind !== 'resource') continue;
    const conn = ctx.byId.get(node.uname);
    const container = ctx.byId.get(node.guest.container);
    if (conn?.kind !== 'primitive' || container?.kind !== 'primitive') continue;
    const connStart = plan.starts.get(conn);
    const containerStart = plan.starts.get(container);
    if (a.task === 'start' || a.task === 'promote') {
      // A container carried over by live migration keeps the guest running: nothing inside restarts.
      if (willMigrate(ctx, container)) edge(plan, containerStart, a, `${container.id} start`, 'runnable', 'order');
      else edge(plan, containerStart, a, `${container.id} start`, 'runnable', 'implies_then', 'order');
      edge(plan, connStart, a, `${conn.id} start`, 'runnable', 'order');
    } else if (a.task === 'stop' || a.task === 'demote') {
      if (node.guest.reset) continue;
      for (const s of plan.stops.get(conn)?.values() ?? []) edge(plan, a, s, `${a.rsc.id} ${a.task}`, 'order');
    } else if (a.task === 'monitor' && a.intervalMs > 0) edge(plan, connStart, a, `${conn.id} start`, 'runnable', 'implies_then', 'order');
    else edge(plan, connStart, a, `${conn.id} start`, 'runnable', 'order');
  }
}

/**
 * Whether a resource is probed on a node at all: what runs inside a container is known through
 * the container's probe; fencing devices, connections and guests' containers never run on remote
 * or guest nodes, and nothing runs in a guest whose container is stopped.
 */
export function probeAllowedOn(ctx: Context, p: Primitive, node: Node): boolean {
  if (p.meta.has('container') && !isConnectionPrimitive(p)) return false;
  if (!bundledProbeAllowed(ctx, p, node)) return false;
  if (node.kind === 'member') return true;
  if (p.cls === 'stonith' || isConnectionPrimitive(p)) return false;
  if (!node.guest) return true;
  if (p.meta.has('remote-node') || closedBundleNode(ctx, p, node)) return false;
  const container = ctx.byId.get(node.guest.container);
  return container?.kind === 'primitive' && [...container.history.values()].some(isActive);
}

const fillerIndex = new WeakMap<Context, Map<string, Primitive[]>>();

/** The resources whose `container` meta-attribute names this primitive (a guest's connection too). */
export function fillersOf(ctx: Context, p: Primitive): Primitive[] {
  let idx = fillerIndex.get(ctx);
  if (!idx) {
    idx = new Map();
    for (const r of ctx.resources) {
      for (const q of r.kind === 'primitive' ? [r] : r.kind === 'group' ? r.children : []) {
        const c = q.meta.get('container');
        if (c === undefined) continue;
        idx.set(c, [...(idx.get(c) ?? []), q]);
      }
    }
    fillerIndex.set(ctx, idx);
  }
  return idx.get(p.id) ?? [];
}

/**
 * A failure of a resource inside a container recovers the container by default
 * (on-fail=restart-container): the container restarts on that node, which stops what failed.
 */
export function restartContainers(prims: Primitive[]): void {
  const byId = new Map(prims.map((p) => [p.id, p]));
  for (const p of prims) {
    const container = byId.get(p.meta.get('container') ?? '');
    if (!container || container === p) continue;
    for (const h of p.history.values()) {
      if (!h.failed || !h.lastFailure) continue;
      const { task, intervalMs } = h.lastFailure;
      const configured = p.ops.find((o) => o.name === task && o.intervalMs === intervalMs)?.onFail?.toLowerCase();
      if (configured !== undefined && configured !== 'restart-container') continue;
      const ch = container.history.get(h.node.uname);
      if (!ch || !isActive(ch)) continue;
      ch.restartContainer = true;
      if (task === 'stop') {
        // Stopping the container stops what it holds: the failed stop needs no fencing.
        h.stopFailed = false;
        h.failed = false;
        h.role = 'Stopped';
      }
    }
  }
}
