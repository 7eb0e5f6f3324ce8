/**
 * Bundles: a `<bundle>` runs N replicas of a container image (docker, rkt or podman). Each replica
 * is a container primitive `B-docker-N`, with an address `B-ip-ADDR` when the bundle has an
 * ip-range-start, and, when the bundle holds a primitive, a guest node `B-N` inside the container
 * that runs instance N of that primitive (cloned as `B-clone`, or `B-master` when promotable).
 *
 * The scheduler reads a bundle as the resources and constraints it stands for: the CIB is rewritten
 * before unpacking, and the guest-node machinery (remote/guest.ts) does the rest.
 */
import type { XmlElement } from '../../cib/xml.js';
import { child, children } from '../unpack/config.js';

const AGENTS = ['docker', 'rkt', 'podman'] as const;
type Agent = (typeof AGENTS)[number];

/** Meta-attribute marking what a bundle generated: the bundle id, and the replica for per-replica resources. */
export const BUNDLE_META = 'bundle';
export const REPLICA_META = 'bundle-replica';
export const PER_HOST_META = 'bundle-replicas-per-host';

export interface BundleSpec {
  id: string;
  agent: Agent;
  image: string;
  replicas: number;
  perHost: number;
  promotedMax: number;
  ipStart?: string;
  hostInterface?: string;
  hostNetmask?: string;
  controlPort?: string;
  /** The primitive the replicas run, if any. */
  primitive?: XmlElement;
  meta: XmlElement[];
}

function count(v: string | undefined, dflt: number): number {
  if (v === undefined || !/^\d+$/.test(v.trim())) return dflt;
  return Number(v);
}

/** Reads one `<bundle>`; undefined when it names no container technology. */
export function bundleSpec(el: XmlElement): BundleSpec | undefined {
  const container = el.children.find((c) => (AGENTS as readonly string[]).includes(c.name));
  const id = el.attrs.id;
  if (!container || id === undefined) return undefined;
  const promotedMax = count(container.attrs['promoted-max'] ?? container.attrs.masters, 0);
  const network = child(el, 'network');
  return {
    id,
    agent: container.name as Agent,
    image: container.attrs.image ?? '',
    replicas: count(container.attrs.replicas, Math.max(1, promotedMax)),
    perHost: Math.max(1, count(container.attrs['replicas-per-host'], 1)),
    promotedMax,
    ipStart: network?.attrs['ip-range-start'],
    hostInterface: network?.attrs['host-interface'],
    hostNetmask: network?.attrs['host-netmask'],
    controlPort: network?.attrs['control-port'],
    primitive: child(el, 'primitive'),
    meta: children(el, 'meta_attributes'),
  };
}

/** The i-th address after an IPv4 start address, undefined when it is not one. */
export function nthAddress(start: string, i: number): string | undefined {
  const parts = start.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d+$/.test(p) || Number(p) > 255)) return undefined;
  let n = parts.reduce((acc, p) => acc * 256 + Number(p), 0) + i;
  if (n > 0xffffffff) return undefined;
  const out: number[] = [];
  for (let k = 0; k < 4; k++) {
    out.unshift(n % 256);
    n = Math.floor(n / 256);
  }
  return out.join('.');
}

export interface ReplicaIds {
  ip?: string;
  container: string;
  /** The guest node and its connection. */
  node?: string;
  /** The instance of the bundled primitive. */
  instance?: string;
}

export function childCloneId(b: BundleSpec): string {
  return `${b.id}-${b.promotedMax > 0 ? 'master' : 'clone'}`;
}

export function replicaIds(b: BundleSpec, i: number): ReplicaIds {
  const addr = b.ipStart !== undefined ? nthAddress(b.ipStart, i) : undefined;
  return {
    ip: addr !== undefined ? `${b.id}-ip-${addr}` : undefined,
    container: `${b.id}-${b.agent}-${i}`,
    node: b.primitive ? `${b.id}-${i}` : undefined,
    instance: b.primitive?.attrs.id !== undefined ? `${b.primitive.attrs.id}:${i}` : undefined,
  };
}

function nv(owner: string, name: string, value: string): XmlElement {
  return { name: 'nvpair', attrs: { id: `${owner}-${name}`, name, value }, children: [] };
}

function metaSet(owner: string, pairs: [string, string][], inherited: XmlElement[]): XmlElement[] {
  return [{ name: 'meta_attributes', attrs: { id: `${owner}-bundle-meta` }, children: pairs.map(([k, v]) => nv(owner, k, v)) }, ...inherited.map((m) => ({ ...m, attrs: { ...m.attrs, id: `${owner}-${m.attrs.id ?? 'meta'}` } }))];
}

function primitive(id: string, type: string, params: [string, string][], meta: XmlElement[], ops: XmlElement[] = []): XmlElement {
  return {
    name: 'primitive',
    attrs: { id, class: 'ocf', provider: 'heartbeat', type },
    children: [{ name: 'instance_attributes', attrs: { id: `${id}-instance_attributes` }, children: params.map(([k, v]) => nv(id, k, v)) }, ...meta, { name: 'operations', attrs: {}, children: ops }],
  };
}

function rscEl(name: string, attrs: Record<string, string>, kids: XmlElement[] = []): XmlElement {
  return { name, attrs, children: kids };
}

/** The resources and internal constraints one bundle stands for. */
export function expandBundle(b: BundleSpec): { resources: XmlElement[]; constraints: XmlElement[]; tag: XmlElement } {
  const resources: XmlElement[] = [];
  const constraints: XmlElement[] = [];
  const containers: string[] = [];
  for (let i = 0; i < b.replicas; i++) {
    const ids = replicaIds(b, i);
    const mark: [string, string][] = [
      [BUNDLE_META, b.id],
      [REPLICA_META, String(i)],
    ];
    if (ids.ip !== undefined) {
      const params: [string, string][] = [['ip', ids.ip.slice(`${b.id}-ip-`.length)]];
      if (b.hostInterface !== undefined) params.push(['nic', b.hostInterface]);
      if (b.hostNetmask !== undefined) params.push(['cidr_netmask', b.hostNetmask]);
      const monitor = rscEl('op', { id: `${ids.ip}-monitor-interval-60s`, name: 'monitor', interval: '60s' });
      resources.push(primitive(ids.ip, 'IPaddr2', params, metaSet(ids.ip, mark, b.meta), [monitor]));
      constraints.push(rscEl('rsc_colocation', { id: `${ids.ip}-with-${ids.container}`, rsc: ids.ip, 'with-rsc': ids.container, score: 'INFINITY' }));
      constraints.push(rscEl('rsc_order', { id: `${ids.ip}-then-${ids.container}`, first: ids.ip, then: ids.container, kind: 'Mandatory' }));
    }
    const containerMeta: [string, string][] = [...mark, [PER_HOST_META, String(b.perHost)]];
    if (ids.node !== undefined) containerMeta.push(['remote-node', ids.node]);
    const monitor = rscEl('op', { id: `${ids.container}-monitor-interval-60s`, name: 'monitor', interval: '60s' });
    resources.push(primitive(ids.container, b.agent, [['image', b.image]], metaSet(ids.container, containerMeta, b.meta), [monitor]));
    containers.push(ids.container);
  }
  const prim = b.primitive;
  if (prim?.attrs.id !== undefined) {
    const cloneId = childCloneId(b);
    const cloneMeta: [string, string][] = [
      [BUNDLE_META, b.id],
      ['clone-max', String(b.replicas)],
      ['clone-node-max', '1'],
      ['globally-unique', 'false'],
    ];
    if (b.promotedMax > 0) cloneMeta.push(['promotable', 'true'], ['promoted-max', String(b.promotedMax)]);
    // The bundle's clone notifies when the bundled primitive asks for notifications.
    const notify = children(prim, 'meta_attributes').flatMap((m) => children(m, 'nvpair')).find((nv) => nv.attrs.name === 'notify');
    if (notify?.attrs.value !== undefined) cloneMeta.push(['notify', notify.attrs.value]);
    resources.push(rscEl('clone', { id: cloneId }, [...metaSet(cloneId, cloneMeta, b.meta), prim]));
    // Instance N runs in replica N's guest node, nowhere else.
    for (let i = 0; i < b.replicas; i++) {
      const ids = replicaIds(b, i);
      if (ids.instance === undefined || ids.node === undefined) continue;
      const rule = rscEl('rule', { id: `${ids.instance}-in-${ids.node}-rule`, score: '-INFINITY' }, [rscEl('expression', { id: `${ids.instance}-in-${ids.node}-expr`, attribute: '#uname', operation: 'ne', value: ids.node })]);
      constraints.push(rscEl('rsc_location', { id: `${ids.instance}-in-${ids.node}`, rsc: ids.instance }, [rule]));
    }
  }
  // Constraints that name the bundle apply to its containers.
  const tag = rscEl('tag', { id: b.id }, containers.map((c) => rscEl('obj_ref', { id: c })));
  return { resources, constraints, tag };
}

/**
 * The CIB with every bundle replaced, in place, by the resources it stands for, its internal
 * constraints appended and its id made a tag of its containers. The input is not changed.
 */
export function withBundlesExpanded(cib: XmlElement): XmlElement {
  const config = child(cib, 'configuration');
  const resources = child(config, 'resources');
  if (!config || !resources || !resources.children.some((c) => c.name === 'bundle')) return cib;
  const newResources: XmlElement[] = [];
  const constraints: XmlElement[] = [];
  const tags: XmlElement[] = [];
  for (const el of resources.children) {
    const spec = el.name === 'bundle' ? bundleSpec(el) : undefined;
    if (!spec) {
      newResources.push(el);
      continue;
    }
    const x = expandBundle(spec);
    newResources.push(...x.resources);
    constraints.push(...x.constraints);
    tags.push(x.tag);
  }
  const oldConstraints = child(config, 'constraints');
  const oldTags = child(config, 'tags');
  const kids = config.children.map((c) => {
    if (c === resources) return { ...c, children: newResources };
    if (c === oldConstraints) return { ...c, children: [...c.children, ...constraints] };
    if (c === oldTags) return { ...c, children: [...c.children, ...tags] };
    return c;
  });
  if (!oldConstraints) kids.push(rscEl('constraints', {}, constraints));
  if (!oldTags) kids.push(rscEl('tags', {}, tags));
  const newConfig: XmlElement = { ...config, children: kids };
  return { ...cib, children: cib.children.map((c) => (c === config ? newConfig : c)) };
}

/**
 * What this reading of bundles does not model, to be reported rather than silently planned:
 * colocations that name a bundle with a role (promoted instances of a bundle).
 */
export function bundleLimits(cib: XmlElement): string[] {
  const config = child(cib, 'configuration');
  const bundles = new Map<string, BundleSpec>();
  for (const el of children(child(config, 'resources'), 'bundle')) {
    const spec = bundleSpec(el);
    if (spec) bundles.set(spec.id, spec);
  }
  if (bundles.size === 0) return [];
  const out: string[] = [];
  for (const c of children(child(config, 'constraints'), 'rsc_colocation')) {
    const id = c.attrs.id ?? '';
    const named = [c.attrs.rsc, c.attrs['with-rsc']].some((r) => r !== undefined && bundles.has(r));
    if (named && (c.attrs['rsc-role'] !== undefined || c.attrs['with-rsc-role'] !== undefined)) out.push(`colocation ${id} with a role of a bundle`);
  }
  return out;
}
