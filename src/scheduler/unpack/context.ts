import type { XmlElement } from '../../cib/xml.js';
import type { Colocation, Location } from '../constraints/parse.js';
import { readConstraints, readTags } from '../constraints/parse.js';
import type { Context } from '../context.js';
import type { Clone, Group, Primitive, Resource } from '../model.js';
import { primitivesOf } from '../model.js';
import { INFINITY, boolOr, isTrue } from '../score.js';
import { child, children, extraInstance, readClusterConfig, readResources } from './config.js';
import { isActive, orphanPrimitive, readHistory, replayHistory } from './history.js';
import { readNodes } from './nodes.js';
import { applyTickets } from './tickets.js';
import { applyShutdownLocks, shutdownLocks } from '../features/shutdown-lock.js';
import { applyNodeHealth } from '../features/node-health.js';
import { settleMigrations } from '../features/migration-history.js';
import { applyFailureEffects } from '../features/failure-effects.js';
import { inheritParentParams } from '../features/inherited-params.js';
import { addRemoteNodes, fenceDownRemoteNodes, settleRemoteNodes } from '../remote/nodes.js';
import { containerConstraints, withGuestConnections } from '../remote/guest.js';
import { bundleLimits, withBundlesExpanded } from '../bundles/expand.js';
import { STARTUP_DISABLED, hasFencingDevice, startupDisabled } from '../features/fencing-devices.js';
import { effectiveNoQuorumPolicy, fencesForLostQuorum } from '../features/no-quorum-suicide.js';

/** Unpack stage: the working model of one CIB at time `now`. */
export function buildContext(input: XmlElement, now: number, detail = false): Context {
  const cib = withGuestConnections(withBundlesExpanded(input));
  const unsupported = new Set<string>(bundleLimits(input));
  const warnings: string[] = [];
  const cfg = readClusterConfig(cib, now);
  const props = cfg.props;
  const stonithEnabled = boolOr(props.get('stonith-enabled'), true);
  const noQuorumPolicy = effectiveNoQuorumPolicy(cib, props.get('no-quorum-policy'), stonithEnabled);
  const fences: { node: string; reason: string }[] = [];
  const nodes = readNodes(
    cib,
    {
      now,
      stonithEnabled,
      startupFencing: boolOr(props.get('startup-fencing'), true),
      clusterName: props.get('cluster-name'),
      dcUuid: cib.attrs['dc-uuid'],
      fenceOnline: fencesForLostQuorum(cib, noQuorumPolicy),
    },
    fences,
  );
  addRemoteNodes(cib, nodes, { now, startupFencing: stonithEnabled && boolOr(props.get('startup-fencing'), true) });
  const countable = nodes.length;
  const topLevel = readResources(cib, cfg, now, countable, unsupported);
  inheritParentParams(cib, topLevel, now, cfg.idRefs);
  const makeExtra = (clone: Clone): Primitive | Group | undefined => {
    const inst = extraInstance(cib, clone, cfg, now, countable, clone.instances.length);
    if (!inst) return undefined;
    for (const p of primitivesOf(inst)) p.orphan = true;
    clone.instances.push(inst);
    return inst;
  };
  // Remote and guest nodes' histories are read once their connections are known (settleRemoteNodes).
  // With fencing, even a member that left cleanly is read: what it still runs must be fenced.
  const historyNodes = nodes.filter((n) => n.kind === 'member' && (n.online || (stonithEnabled && (n.unclean || n.seen))));
  const orphans = readHistory(cib, historyNodes, topLevel, { stonithEnabled, now }, makeExtra);
  const remoteHistoryNodes = settleRemoteNodes(cib, nodes, topLevel, orphans, { stonithEnabled, now }, fences, unsupported);
  for (const batch of remoteHistoryNodes) orphans.push(...readHistory(cib, batch, topLevel, { stonithEnabled, now }, makeExtra));
  // Failures recorded in the histories first: guests reset later mark their containers failed.
  applyFailureEffects(cib, nodes, topLevel.flatMap(primitivesOf), fences, stonithEnabled);
  fenceDownRemoteNodes(cib, nodes, topLevel, fences, stonithEnabled);
  settleMigrations(topLevel);
  const orphanPrims: Primitive[] = [];
  const stopOrphans = boolOr(props.get('stop-orphan-resources'), true);
  for (const o of orphans) {
    let p = orphanPrims.find((x) => x.id === o.id);
    if (!p) {
      p = orphanPrimitive(o, new Map(stopOrphans ? [['target-role', 'Stopped']] : [['is-managed', 'false']]), topLevel.length + orphanPrims.length);
      orphanPrims.push(p);
    }
    p.probed.add(o.node.uname);
    p.history.set(o.node.uname, replayHistory(p, o.node, o.lrm, { stonithEnabled, now }));
  }
  const activeOrphans = orphanPrims.filter((p) => [...p.history.values()].some(isActive));
  const sorted = [...topLevel].sort((a, b) => b.priority - a.priority || a.order - b.order);
  const resources: Resource[] = [...sorted, ...activeOrphans];
  const byId = new Map<string, Resource>();
  const addIds = (r: Resource): void => {
    if (!byId.has(r.id)) byId.set(r.id, r);
    if (r.kind === 'group') r.children.forEach(addIds);
    if (r.kind === 'clone') {
      if (!byId.has(r.childId)) byId.set(r.childId, r);
      r.instances.forEach(addIds);
    }
  };
  resources.forEach(addIds);
  const tags = readTags(cib);
  // A template id in a constraint stands for every primitive built from that template.
  const templated = new Map<string, string[]>();
  const collectTemplates = (el: XmlElement): void => {
    for (const c of el.children) {
      if (c.name === 'primitive' && c.attrs.template !== undefined) templated.set(c.attrs.template, [...(templated.get(c.attrs.template) ?? []), c.attrs.id ?? '']);
      if (c.name === 'group' || c.name === 'clone' || c.name === 'master') collectTemplates(c);
    }
  };
  const resourcesEl = child(child(cib, 'configuration'), 'resources');
  if (resourcesEl) collectTemplates(resourcesEl);
  for (const [t, ids] of templated) if (!tags.has(t)) tags.set(t, ids);
  const constraints = readConstraints({ cib, resources: byId, nodes, now, tags, unsupported, warnings });
  const contained = containerConstraints(resources.flatMap(primitivesOf), nodes);
  constraints.locations.push(...contained.locations);
  constraints.colocations.push(...contained.colocations);
  constraints.orderings.push(...contained.orderings);
  const locationsOf = new Map<Resource, Location[]>();
  for (const l of constraints.locations) {
    if (!locationsOf.has(l.rsc)) locationsOf.set(l.rsc, []);
    (locationsOf.get(l.rsc) as Location[]).push(l);
  }
  const colocations: Colocation[] = [...constraints.colocations];
  const addGroupChain = (g: Group): void => {
    for (let i = 1; i < g.children.length; i++) {
      colocations.push({ id: `${g.id}-internal`, dependent: g.children[i], primary: g.children[i - 1], score: INFINITY, influence: true, nodeAttribute: '#uname' });
    }
  };
  const walk = (r: Resource): void => {
    if (r.kind === 'group') addGroupChain(r);
    if (r.kind === 'clone') r.instances.forEach(walk);
  };
  resources.forEach(walk);
  const thisWith = new Map<Resource, Colocation[]>();
  const withThis = new Map<Resource, Colocation[]>();
  for (const c of colocations) {
    if (!thisWith.has(c.dependent)) thisWith.set(c.dependent, []);
    (thisWith.get(c.dependent) as Colocation[]).push(c);
    if (!withThis.has(c.primary)) withThis.set(c.primary, []);
    (withThis.get(c.primary) as Colocation[]).push(c);
  }
  const ticketStates = new Map<string, { granted: boolean; standby: boolean }>();
  for (const t of children(child(child(cib, 'status'), 'tickets'), 'ticket_state')) {
    ticketStates.set(t.attrs.id ?? '', { granted: isTrue(t.attrs.granted), standby: isTrue(t.attrs.standby) });
  }
  const ctx: Context = {
    now,
    props,
    nodes,
    nodeByName: new Map(nodes.map((n) => [n.uname, n])),
    resources,
    orphans: orphanPrims,
    byId,
    constraints,
    locationsOf,
    thisWith,
    withThis,
    ordersOf: constraints.orderings,
    fences,
    stonithEnabled,
    fencingDevice: hasFencingDevice(resources),
    symmetric: boolOr(props.get('symmetric-cluster'), true),
    haveQuorum: isTrue(cib.attrs['have-quorum']),
    noQuorumPolicy,
    maintenanceMode: boolOr(props.get('maintenance-mode'), false),
    stopAll: boolOr(props.get('stop-all-resources'), false),
    placementStrategy: (props.get('placement-strategy') ?? 'default').toLowerCase(),
    placement: new Map(),
    promotionScores: new Map(),
    scores: new Map(),
    detail,
    explain: new Map(),
    unsupported,
    warnings,
    tickets: ticketStates,
  };
  applyTickets(ctx);
  applyShutdownLocks(ctx, shutdownLocks(cib, ctx));
  applyNodeHealth(ctx);
  if (startupDisabled(ctx)) warnings.push(STARTUP_DISABLED);
  return ctx;
}
