import { childrenNamed, firstChild, type XmlElement } from '../cib/xml.js';
import { compareNodeNames, indexIds, intervalMs, isTrue, readNvpairs, resourceRuleHolds, scoreOf, type IdIndex } from './attrs.js';
import { newResource, topParent, type BundleReplica, type MNode, type MResource, type OpDef } from './model.js';
import type { NodeType } from './types.js';

/** Cluster-wide settings read from crm_config and the cib element. */
export interface ClusterSettings {
  readonly props: ReadonlyMap<string, string>;
  readonly stonithEnabled: boolean;
  readonly symmetric: boolean;
  readonly startupFencing: boolean;
  readonly stopOrphanResources: boolean;
  readonly maintenanceMode: boolean;
  readonly shutdownLock: boolean;
  readonly haveQuorum: boolean;
  readonly noQuorumPolicy: string;
  readonly healthStrategy: string;
  readonly healthRed: number;
  readonly healthYellow: number;
  readonly stopAllResources: boolean;
}

export interface ConfigModel {
  readonly ids: IdIndex;
  readonly settings: ClusterSettings;
  /** Sorted by name (see compareNodeNames). */
  readonly nodes: MNode[];
  /** Top-level resources in configuration order; orphans are appended later. */
  readonly resources: MResource[];
  /** Connection resources of guest nodes: never printed, but their state decides the guest's. */
  readonly implicit: MResource[];
  readonly defaults: ReadonlyMap<string, string>;
  readonly rscDefaults: XmlElement | undefined;
  readonly opDefaults: ReadonlyMap<string, string>;
  readonly unsupported: string[];
}

export function readSettings(cib: XmlElement, ids: IdIndex): ClusterSettings {
  const config = firstChild(cib, 'configuration');
  const props = readNvpairs(config ? firstChild(config, 'crm_config') : undefined, 'cluster_property_set', ids);
  const flag = (name: string, dflt: boolean): boolean => (props.has(name) ? isTrue(props.get(name)) : dflt);
  const strategy = (props.get('node-health-strategy') ?? 'none').toLowerCase();
  // Display compares raw attribute scores against the configured thresholds, whatever the strategy.
  const red = scoreOf(props.get('node-health-red'));
  const yellow = scoreOf(props.get('node-health-yellow'));
  return {
    props,
    stonithEnabled: flag('stonith-enabled', true),
    symmetric: flag('symmetric-cluster', true),
    startupFencing: flag('startup-fencing', true),
    stopOrphanResources: flag('stop-orphan-resources', true),
    maintenanceMode: flag('maintenance-mode', false),
    shutdownLock: flag('shutdown-lock', false),
    haveQuorum: isTrue(cib.attrs['have-quorum']),
    noQuorumPolicy: effectiveNoQuorumPolicy(cib, props, flag('stonith-enabled', true)),
    healthStrategy: strategy,
    healthRed: red,
    healthYellow: yellow,
    stopAllResources: flag('stop-all-resources', false),
  };
}

/** suicide needs fencing, and a cluster that never had quorum (no no-quorum-panic) only stops. */
function effectiveNoQuorumPolicy(cib: XmlElement, props: ReadonlyMap<string, string>, stonith: boolean): string {
  const policy = (props.get('no-quorum-policy') ?? 'stop').toLowerCase();
  if (policy !== 'suicide') return policy;
  const panic = Number.parseInt(cib.attrs['no-quorum-panic'] ?? '0', 10) || 0;
  return stonith && (panic !== 0 || isTrue(cib.attrs['have-quorum'])) ? 'suicide' : 'stop';
}

export function newNode(name: string, id: string, type: NodeType): MNode {
  return {
    name,
    id,
    type,
    attrs: new Map(),
    online: false,
    unclean: false,
    unseen: false,
    pending: false,
    standby: false,
    standbyOnFail: false,
    maintenance: false,
    shutdown: false,
    expectedUp: false,
    unpacked: false,
    remoteWasFenced: false,
    remoteRequiresReset: false,
    outsideAllowedNodes: false,
    runningRsc: [],
  };
}

export function readConfig(cib: XmlElement): ConfigModel {
  const ids = indexIds(cib);
  const settings = readSettings(cib, ids);
  const config = firstChild(cib, 'configuration');
  const unsupported: string[] = [];
  const nodes: MNode[] = [];
  const byName = new Map<string, MNode>();
  const addNode = (n: MNode): MNode => {
    const existing = byName.get(n.name);
    if (existing) return existing;
    byName.set(n.name, n);
    nodes.push(n);
    return n;
  };

  for (const n of childrenNamed(config ? firstChild(config, 'nodes') ?? config : cib, 'node')) {
    const uname = n.attrs.uname ?? n.attrs.id;
    if (uname === undefined) continue;
    const t = (n.attrs.type ?? 'member').toLowerCase();
    const type: NodeType = t === 'remote' ? 'remote' : t === 'ping' ? 'ping' : 'member';
    const node = addNode(newNode(uname, n.attrs.id ?? uname, type));
    for (const [k, v] of readNvpairs(n, 'instance_attributes', ids)) node.attrs.set(k, v);
  }

  const rscDefaultsEl = config ? firstChild(config, 'rsc_defaults') : undefined;
  // Legacy cluster-property spellings of resource defaults, weaker than any rsc_defaults set.
  const defaults = new Map<string, string>();
  if (settings.props.has('is-managed-default')) defaults.set('is-managed', settings.props.get('is-managed-default')!);
  const opDefaults = readNvpairs(config ? firstChild(config, 'op_defaults') : undefined, 'meta_attributes', ids);

  const resourcesEl = config ? firstChild(config, 'resources') : undefined;
  const resources: MResource[] = [];
  const implicit: MResource[] = [];
  const ctx: BuildContext = { ids, settings, defaults, nodes, addNode, unsupported, implicit, rscDefaults: rscDefaultsEl, counter: 0 };
  if (resourcesEl) precreateRemoteNodes(resourcesEl, ctx);
  if (resourcesEl) {
    for (const el of resourcesEl.children) {
      const r = buildTop(el, ctx);
      if (r) resources.push(r);
    }
  }
  nodes.sort((a, b) => compareNodeNames(a.name, b.name));
  linkContainers(resources);
  return { ids, settings, nodes, resources, implicit, defaults, rscDefaults: rscDefaultsEl, opDefaults, unsupported };
}

/** A primitive with meta `container=ID` lives inside that resource: its failures restart the container. */
function linkContainers(resources: readonly MResource[]): void {
  const byId = new Map<string, MResource>();
  const all: MResource[] = [];
  const walk = (r: MResource): void => {
    byId.set(r.id, r);
    all.push(r);
    r.children.forEach(walk);
  };
  resources.forEach(walk);
  for (const r of all) {
    const target = r.kind === 'primitive' && r.container === undefined ? r.meta.get('container') : undefined;
    const container = target !== undefined ? byId.get(target) : undefined;
    if (container && container !== r) r.container = container;
  }
}

/**
 * Remote and guest nodes exist before any resource is read (a clone's default
 * clone-max counts them), except bundle nodes, which their bundle creates.
 */
function precreateRemoteNodes(resourcesEl: XmlElement, ctx: BuildContext): void {
  const visit = (el: XmlElement): void => {
    if (el.name === 'group') {
      for (const c of childrenNamed(el, 'primitive')) visit(c);
      return;
    }
    if (el.name !== 'primitive' || el.attrs.id === undefined) return;
    const template = el.attrs.template !== undefined ? ctx.ids.get(el.attrs.template) : undefined;
    const cls = el.attrs.class ?? template?.attrs.class;
    const provider = el.attrs.provider ?? template?.attrs.provider;
    const type = el.attrs.type ?? template?.attrs.type;
    if (cls === 'ocf' && provider === 'pacemaker' && type === 'remote') ctx.addNode(newNode(el.attrs.id, el.attrs.id, 'remote'));
    const guest = readNvpairs(el, 'meta_attributes', ctx.ids).get('remote-node');
    if (guest !== undefined) ctx.addNode(newNode(guest, guest, 'guest'));
  };
  for (const el of resourcesEl.children) visit(el);
}

interface BuildContext {
  readonly ids: IdIndex;
  readonly settings: ClusterSettings;
  readonly defaults: ReadonlyMap<string, string>;
  readonly nodes: MNode[];
  readonly addNode: (n: MNode) => MNode;
  readonly unsupported: string[];
  readonly implicit: MResource[];
  readonly rscDefaults: XmlElement | undefined;
  counter: number;
}

/** Meta attributes: own first, then each enclosing resource's, then rsc_defaults (rules decided for this resource's agent). */
function metaFor(
  el: XmlElement,
  parentMeta: ReadonlyMap<string, string> | undefined,
  ctx: BuildContext,
  template?: XmlElement,
): Map<string, string> {
  const meta = readNvpairs(el, 'meta_attributes', ctx.ids);
  if (template) readNvpairs(template, 'meta_attributes', ctx.ids, meta);
  if (parentMeta) {
    for (const [k, v] of parentMeta) if (!meta.has(k)) meta.set(k, v);
  }
  const agent = el.name === 'primitive'
    ? {
        cls: el.attrs.class ?? template?.attrs.class,
        provider: el.attrs.provider ?? template?.attrs.provider,
        type: el.attrs.type ?? template?.attrs.type,
      }
    : {};
  readNvpairs(ctx.rscDefaults, 'meta_attributes', ctx.ids, meta, (rule) => resourceRuleHolds(rule, agent, ctx.ids));
  for (const [k, v] of ctx.defaults) if (!meta.has(k)) meta.set(k, v);
  return meta;
}

function opsOf(el: XmlElement, template: XmlElement | undefined, ids: IdIndex): OpDef[] {
  const ops: OpDef[] = [];
  for (const src of [el, template]) {
    if (!src) continue;
    const opsEl = firstChild(src, 'operations');
    if (!opsEl) continue;
    const resolved = opsEl.attrs['id-ref'] ? (ids.get(opsEl.attrs['id-ref']) ?? opsEl) : opsEl;
    for (const op of childrenNamed(resolved, 'op')) {
      const name = op.attrs.name;
      if (name === undefined) continue;
      const meta = readNvpairs(op, 'meta_attributes', ids);
      const onFail = op.attrs['on-fail'] ?? meta.get('on-fail');
      ops.push({
        name,
        intervalMs: intervalMs(op.attrs.interval) ?? 0,
        ...(op.attrs.role !== undefined ? { role: op.attrs.role } : {}),
        ...(onFail !== undefined ? { onFail } : {}),
      });
    }
  }
  return ops;
}

/** The ocf:pacemaker:remote connection Pacemaker makes by itself for a guest node that `container` runs. */
function guestConnection(
  name: string,
  meta: Map<string, string>,
  index: number,
  container: MResource,
  ctx: BuildContext,
  parent?: MResource,
): MResource {
  const conn = newResource({
    kind: 'primitive',
    id: name,
    xmlId: name,
    ...(parent !== undefined ? { parent } : {}),
    meta,
    cls: 'ocf',
    provider: 'pacemaker',
    type: 'remote',
    configIndex: index,
    priority: 0,
    unique: false,
    promotable: false,
  });
  applyManagement(conn, ctx);
  conn.container = container;
  conn.isRemoteConnectionFor = name;
  return conn;
}

function applyManagement(r: MResource, ctx: BuildContext): void {
  if (r.meta.has('is-managed') && !isTrue(r.meta.get('is-managed'))) r.managed = false;
  if (isTrue(r.meta.get('maintenance')) || ctx.settings.maintenanceMode) {
    r.managed = false;
    r.maintenance = true;
  }
}

function buildPrimitive(el: XmlElement, ctx: BuildContext, parent: MResource | undefined, idSuffix: string, index: number): MResource {
  const xmlId = el.attrs.id ?? '';
  const template = el.attrs.template !== undefined ? ctx.ids.get(el.attrs.template) : undefined;
  const meta = metaFor(el, parent?.meta, ctx, template);
  const cls = el.attrs.class ?? template?.attrs.class ?? '';
  const provider = el.attrs.provider ?? template?.attrs.provider;
  const top = parent ? topParent(parent) : undefined;
  const r = newResource({
    kind: 'primitive',
    id: xmlId + idSuffix,
    xmlId,
    ...(parent ? { parent } : {}),
    meta,
    cls,
    ...(provider !== undefined ? { provider } : {}),
    type: el.attrs.type ?? template?.attrs.type ?? '',
    ops: opsOf(el, template, ctx.ids),
    configIndex: index,
    priority: scoreOf(meta.get('priority')),
    unique: top?.unique ?? false,
    promotable: top?.promotable ?? false,
  });
  applyManagement(r, ctx);
  if (parent && !parent.managed) r.managed = false;
  if (parent?.maintenance) r.maintenance = true;
  const guest = meta.get('remote-node');
  if (guest !== undefined && (parent === undefined || (parent.kind === 'group' && parent.parent === undefined))) {
    const node = ctx.addNode(newNode(guest, guest, 'guest'));
    const conn = guestConnection(guest, new Map([['internal', 'true']]), index, r, ctx);
    node.remoteRsc = conn;
    ctx.implicit.push(conn);
  }
  if (cls === 'ocf' && provider === 'pacemaker' && r.type === 'remote' && !idSuffix) {
    const node = ctx.addNode(newNode(xmlId, xmlId, 'remote'));
    node.remoteRsc = r;
    r.isRemoteConnectionFor = xmlId;
  }
  return r;
}

function buildGroup(el: XmlElement, ctx: BuildContext, parent: MResource | undefined, idSuffix: string, index: number): MResource {
  const xmlId = el.attrs.id ?? '';
  const meta = metaFor(el, parent?.meta, ctx);
  const top = parent ? topParent(parent) : undefined;
  const g = newResource({
    kind: 'group',
    id: xmlId + idSuffix,
    xmlId,
    ...(parent ? { parent } : {}),
    meta,
    configIndex: index,
    priority: scoreOf(meta.get('priority')),
    unique: top?.unique ?? false,
    promotable: top?.promotable ?? false,
  });
  applyManagement(g, ctx);
  if (parent && !parent.managed) g.managed = false;
  for (const child of childrenNamed(el, 'primitive')) {
    g.children.push(buildPrimitive(child, ctx, g, idSuffix, index));
  }
  return g;
}

/** Create the next numbered instance of a clone (also used for orphan instances). */
export function addCloneInstance(
  clone: MResource,
  ctx: { settings: ClusterSettings; defaults: ReadonlyMap<string, string>; ids: IdIndex; rscDefaults: XmlElement | undefined },
): MResource {
  const n = clone.instanceCount++;
  const childXml = clone.cloneChildXml!;
  const bctx: BuildContext = { ...ctx, nodes: [], addNode: (x) => x, unsupported: [], implicit: [], counter: 0 };
  const inst =
    childXml.name === 'group'
      ? buildGroup(childXml, bctx, clone, `:${n}`, clone.configIndex)
      : buildPrimitive(childXml, bctx, clone, `:${n}`, clone.configIndex);
  clone.children.push(inst);
  return inst;
}

function buildClone(el: XmlElement, ctx: BuildContext, index: number, parentMeta?: ReadonlyMap<string, string>): MResource | undefined {
  const xmlId = el.attrs.id ?? '';
  const meta = metaFor(el, parentMeta, ctx);
  const child = el.children.find((c) => c.name === 'primitive' || c.name === 'group');
  if (!child) return undefined;
  const promotable = el.name === 'master' || isTrue(meta.get('promotable'));
  const classes = (child.name === 'group' ? childrenNamed(child, 'primitive') : [child]).map(
    (p) => p.attrs.class ?? (p.attrs.template !== undefined ? ctx.ids.get(p.attrs.template)?.attrs.class : undefined) ?? '',
  );
  // Only OCF and fencing agents can be distinct instances; other standards force an anonymous clone.
  const forcedAnonymous = classes.some((cls) => cls !== 'ocf' && cls !== 'stonith');
  const c = newResource({
    kind: 'clone',
    id: xmlId,
    xmlId,
    meta,
    configIndex: index,
    priority: scoreOf(meta.get('priority')),
    unique: isTrue(meta.get('globally-unique')),
    promotable,
  });
  applyManagement(c, ctx);
  c.cloneChildXml = child;
  const maxText = meta.get('clone-max');
  const parsed = maxText === undefined ? NaN : Number.parseInt(maxText, 10);
  c.cloneMax = Number.isNaN(parsed) || parsed < 0 ? Math.max(1, ctx.nodes.length) : parsed;
  if (c.unique && forcedAnonymous) {
    c.unique = false;
    c.cloneMax = Math.min(c.cloneMax, ctx.nodes.length);
  }
  // Even with clone-max=0 one instance exists, so history can be matched to it.
  const count = Math.max(1, c.cloneMax);
  for (let i = 0; i < count; i++) {
    const inst = addCloneInstance(c, ctx);
    if (i >= c.cloneMax) for (const r of [inst, ...inst.children]) r.orphan = true;
  }
  return c;
}

function buildBundle(el: XmlElement, ctx: BuildContext, index: number): MResource {
  const xmlId = el.attrs.id ?? '';
  const meta = metaFor(el, undefined, ctx);
  const runtime = el.children.find((c) => c.name === 'docker' || c.name === 'podman' || c.name === 'rkt');
  const promotedMax = Number.parseInt(runtime?.attrs['promoted-max'] ?? runtime?.attrs.masters ?? '0', 10) || 0;
  const promotable = promotedMax > 0;
  const b = newResource({
    kind: 'bundle',
    id: xmlId,
    xmlId,
    meta,
    configIndex: index,
    priority: scoreOf(meta.get('priority')),
    // Several replicas per host must be told apart; one per host need not.
    unique: (Number.parseInt(runtime?.attrs['replicas-per-host'] ?? '1', 10) || 1) > 1,
    // Only the bundled clone is promotable; containers and connections are plain primitives.
    promotable: false,
  });
  applyManagement(b, ctx);
  const network = firstChild(el, 'network');
  const childXml = firstChild(el, 'primitive');
  const runtimeName = runtime?.name ?? 'docker';
  const replicas = Number.parseInt(runtime?.attrs.replicas ?? runtime?.attrs.masters ?? '', 10);
  const count = Number.isNaN(replicas) ? 1 : replicas;
  const image = runtime?.attrs.image ?? '';
  const ipStart = network?.attrs['ip-range-start'];
  const list: BundleReplica[] = [];
  const childClone = childXml
    ? newResource({
        kind: 'clone',
        id: `${xmlId}-clone`,
        xmlId: `${xmlId}-clone`,
        parent: b,
        meta: new Map([...meta, ['internal', 'true']]),
        configIndex: index,
        priority: 0,
        unique: b.unique,
        promotable,
      })
    : undefined;
  if (childClone) {
    childClone.cloneChildXml = childXml;
    childClone.cloneMax = count;
    b.children.push(childClone);
  }
  for (let i = 0; i < count; i++) {
    const ip = ipStart !== undefined ? addToIp(ipStart, i) : undefined;
    const container = newResource({
      kind: 'primitive',
      id: `${xmlId}-${runtimeName}-${i}`,
      xmlId: `${xmlId}-${runtimeName}-${i}`,
      parent: b,
      meta: new Map(meta),
      cls: 'ocf',
      provider: 'heartbeat',
      type: runtimeName,
      configIndex: index,
      priority: 0,
      unique: false,
      promotable: false,
    });
    applyManagement(container, ctx);
    const ipRsc =
      ip !== undefined
        ? newResource({
            kind: 'primitive',
            id: `${xmlId}-ip-${ip}`,
            xmlId: `${xmlId}-ip-${ip}`,
            parent: b,
            meta: new Map(meta),
            cls: 'ocf',
            provider: 'heartbeat',
            type: 'IPaddr2',
            configIndex: index,
            priority: 0,
            unique: false,
            promotable: false,
          })
        : undefined;
    if (ipRsc) applyManagement(ipRsc, ctx);
    let remote: MResource | undefined;
    let child: MResource | undefined;
    const nodeName = `${xmlId}-${i}`;
    if (childClone) {
      remote = guestConnection(nodeName, new Map([...meta, ['internal', 'true']]), index, container, ctx, b);
      const node = ctx.addNode(newNode(nodeName, nodeName, 'guest'));
      node.type = 'guest';
      node.remoteRsc = remote;
      node.outsideAllowedNodes = true;
      child = addCloneInstance(childClone, ctx);
    }
    b.children.push(container);
    if (ipRsc) b.children.push(ipRsc);
    if (remote) b.children.push(remote);
    list.push({
      index: i,
      ...(ip !== undefined ? { ip } : {}),
      container,
      ...(ipRsc ? { ipRsc } : {}),
      ...(remote ? { remote } : {}),
      ...(child ? { child } : {}),
      ...(childClone ? { nodeName } : {}),
    });
  }
  b.bundle = { image, replicas: list, ...(childClone ? { childClone } : {}) };
  return b;
}

function addToIp(start: string, offset: number): string {
  const parts = start.split('.').map((p) => Number.parseInt(p, 10));
  if (parts.length !== 4 || parts.some((p) => Number.isNaN(p))) return start;
  let value = (((parts[0]! * 256 + parts[1]!) * 256 + parts[2]!) * 256 + parts[3]!) + offset;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    out.unshift(value % 256);
    value = Math.floor(value / 256);
  }
  return out.join('.');
}

function buildTop(el: XmlElement, ctx: BuildContext): MResource | undefined {
  const index = ctx.counter++;
  switch (el.name) {
    case 'primitive':
      return buildPrimitive(el, ctx, undefined, '', index);
    case 'group':
      return buildGroup(el, ctx, undefined, '', index);
    case 'clone':
    case 'master':
      return buildClone(el, ctx, index);
    case 'bundle':
      return buildBundle(el, ctx, index);
    case 'template':
      return undefined;
    default:
      ctx.unsupported.push(`resource element <${el.name}>`);
      return undefined;
  }
}
