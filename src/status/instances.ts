import { childrenNamed, type XmlElement } from '../cib/xml.js';
import { compareNodeNames } from './attrs.js';
import { addCloneInstance, newNode } from './config.js';
import { isAnonClone, newResource, primitivesOf, topParent, type MNode, type MResource } from './model.js';
import { handleStartupFencing } from './node-state.js';
import { type Ctx } from './unpack-context.js';

/** Matching a history entry to a configured resource (clone instances, bundle replicas) or an orphan. */

/** An orphaned resource recorded as living in a container gets that container back (a guest connection becomes a guest's). */
export function linkOrphanedFillers(resources: XmlElement, ctx: Ctx): void {
  for (const entry of childrenNamed(resources, 'lrm_resource')) {
    const containerId = entry.attrs.container;
    const id = entry.attrs.id;
    if (containerId === undefined || id === undefined) continue;
    const container = findInCtx(ctx, containerId);
    const rsc = findInCtx(ctx, id);
    if (!container || !rsc || rsc.containerFillerOf === undefined || rsc.container) continue;
    rsc.container = container;
    const node = rsc.isRemoteConnectionFor !== undefined ? ctx.nodeByName.get(rsc.isRemoteConnectionFor) : undefined;
    if (node) node.type = 'guest';
  }
}

export function allResources(ctx: Ctx): MResource[] {
  return [...ctx.model.resources, ...ctx.model.implicit];
}

export function baseName(id: string): string {
  const i = id.lastIndexOf(':');
  return i >= 0 && /^\d+$/.test(id.slice(i + 1)) ? id.slice(0, i) : id;
}

/**
 * Resources by id and history name, per unpack. A CIB holds a history entry per resource per node,
 * so searching the whole tree for each one is quadratic in big clusters. Entries are checked on
 * every hit (history names can change while unpacking) and misses fall back to the full search,
 * which also finds the instances added since the index was built.
 */
const indexes = new WeakMap<Ctx, Map<string, MResource>>();

function resourceIndex(ctx: Ctx): Map<string, MResource> {
  let index = indexes.get(ctx);
  if (index === undefined) {
    index = new Map();
    const walk = (list: readonly MResource[]): void => {
      for (const r of list) {
        if (!index!.has(r.id)) index!.set(r.id, r);
        if (r.cloneName !== undefined && !index!.has(r.cloneName)) index!.set(r.cloneName, r);
        walk(r.children);
      }
    };
    walk(allResources(ctx));
    indexes.set(ctx, index);
  }
  return index;
}

function findInCtx(ctx: Ctx, id: string): MResource | undefined {
  const index = resourceIndex(ctx);
  const hit = index.get(id);
  if (hit !== undefined && (hit.id === id || hit.cloneName === id)) return hit;
  const found = findResource(allResources(ctx), id);
  if (found !== undefined) index.set(id, found);
  return found;
}

export function findResource(list: readonly MResource[], id: string): MResource | undefined {
  for (const r of list) {
    if (r.id === id || r.cloneName === id) return r;
    const found = findResource(r.children, id);
    if (found) return found;
  }
  return undefined;
}

/** Locations an instance is active (or pending) on, members of a cloned group merged. */
export function currentLocations(r: MResource): MNode[] {
  const out: MNode[] = [];
  for (const p of primitivesOf(r)) {
    for (const n of p.runningOn) if (!out.includes(n)) out.push(n);
    if (p.pendingNode && !out.includes(p.pendingNode)) out.push(p.pendingNode);
  }
  return out;
}

export function memberNamed(instance: MResource, base: string): MResource | undefined {
  return primitivesOf(instance).find((p) => p.xmlId === base);
}

export function needsFencing(r: MResource, ctx: Ctx): boolean {
  const requires = r.meta.get('requires');
  if (r.cls === 'stonith') return false;
  if (requires !== undefined) return requires === 'fencing' || requires === 'unfencing';
  return ctx.model.settings.stonithEnabled;
}

export function findAnonymousInstance(parent: MResource, node: MNode, base: string, ctx: Ctx): MResource {
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

export function bundleReplicaFor(bundle: MResource, node: MNode): MResource | undefined {
  const replica = bundle.bundle?.replicas.find((r) => r.nodeName === node.name);
  return replica?.child;
}

export function unpackFindResource(node: MNode, historyId: string, ctx: Ctx): MResource | undefined {
  let rsc = findInCtx(ctx, historyId);
  let parent: MResource | undefined;
  if (!rsc) {
    const zero = findInCtx(ctx, `${baseName(historyId)}:0`);
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

export function createOrphan(entry: XmlElement, ctx: Ctx): MResource {
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
