import { element, type XmlElement } from '../../cib/xml.js';
import { allIds, editAt, findById, section, statusOf, withNvpair } from '../cib-tree.js';
import { parseDurationMs } from '../duration.js';
import { applyStatusUpdates, type StatusUpdate } from '../history.js';

/**
 * The administrator's verbs (crm resource / crm node / crm configure property) as pure edits of
 * a CIB: each takes a CIB and returns a new one or throws AdminError, so a command either makes
 * its whole change or none of it, on a file or on the live cluster alike.
 */

export class AdminError extends Error {
  override name = 'AdminError';
  /** 105: no such object (crm_resource's CRM_EX_NOSUCH); 64: bad argument; 1: refused. */
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const RESOURCE_ELEMENTS = ['primitive', 'group', 'clone', 'master', 'bundle'];

export function findResource(cib: XmlElement, id: string): XmlElement {
  const resources = section(cib, 'resources');
  const hit = resources ? findById(resources, id) : undefined;
  if (!hit || !RESOURCE_ELEMENTS.includes(hit.name)) throw new AdminError(`resource '${id}' not found`, 105);
  return hit;
}

export function nodeNames(cib: XmlElement): string[] {
  const names = new Set<string>();
  for (const n of section(cib, 'nodes')?.children ?? []) if (n.name === 'node' && n.attrs.uname) names.add(n.attrs.uname);
  for (const s of statusOf(cib)?.children ?? []) if (s.name === 'node_state' && s.attrs.uname) names.add(s.attrs.uname);
  return [...names];
}

function requireNode(cib: XmlElement, node: string): void {
  if (!nodeNames(cib).includes(node)) throw new AdminError(`node '${node}' not found`, 105);
}

/** Path from the root to the element with this id inside the resources section. */
function resourcePath(cib: XmlElement, id: string): { name: string; id?: string }[] {
  const resources = section(cib, 'resources');
  const walk = (el: XmlElement, trail: { name: string; id?: string }[]): { name: string; id?: string }[] | null => {
    for (const child of el.children) {
      const step = { name: child.name, id: child.attrs.id };
      if (child.attrs.id === id) return [...trail, step];
      const deeper = walk(child, [...trail, step]);
      if (deeper) return deeper;
    }
    return null;
  };
  const path = resources ? walk(resources, []) : null;
  if (!path) throw new AdminError(`resource '${id}' not found`, 105);
  return [{ name: 'configuration' }, { name: 'resources' }, ...path];
}

/** Sets (or with null removes) a meta attribute of a resource: target-role, is-managed ... */
export function setResourceMeta(cib: XmlElement, rsc: string, name: string, value: string | null): XmlElement {
  findResource(cib, rsc);
  return editAt(cib, resourcePath(cib, rsc), (el) => withNvpair(el, 'meta_attributes', `${rsc}-meta_attributes`, name, value));
}

/** Nodes where the history shows the resource (or any primitive inside it) active. */
export function activeNodes(cib: XmlElement, rsc: string): string[] {
  const top = findResource(cib, rsc);
  const primitives = new Set<string>();
  const collect = (el: XmlElement): void => {
    if (el.name === 'primitive' && el.attrs.id) primitives.add(el.attrs.id);
    for (const c of el.children) collect(c);
  };
  collect(top);
  const out: string[] = [];
  for (const state of statusOf(cib)?.children ?? []) {
    if (state.name !== 'node_state' || !state.attrs.uname) continue;
    let active = false;
    for (const lrm of state.children) if (lrm.name === 'lrm') for (const rscs of lrm.children) for (const r of rscs.children) {
      if (!primitives.has((r.attrs.id ?? '').replace(/:\d+$/, ''))) continue;
      const ops = r.children.filter((o) => o.attrs.operation !== 'cancel').sort((a, b) => Number(a.attrs['call-id']) - Number(b.attrs['call-id']));
      const last = ops.at(-1);
      if (last && last.attrs.operation !== 'stop' && ['0', '8'].includes(last.attrs['rc-code'] ?? '')) active = true;
      if (last && last.attrs.operation === 'start' && last.attrs['rc-code'] !== '0') active = true;
    }
    if (active) out.push(state.attrs.uname);
  }
  return out;
}

/** Pacemaker's date format in rules: `2026-11-22 01:00:00 +00:00`. */
export function pacemakerDate(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} +00:00`;
}

export function parseLifetime(text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null || ms <= 0) throw new AdminError(`lifetime '${text}' is not a duration (e.g. PT1H, P1D, 30min)`, 64);
  return ms;
}

function withConstraint(cib: XmlElement, id: string, constraint: XmlElement | null): XmlElement {
  return editAt(cib, [{ name: 'configuration' }, { name: 'constraints' }], (constraints) => {
    const children = constraints.children.filter((c) => c.attrs.id !== id);
    if (constraint) children.push(constraint);
    return { ...constraints, children };
  });
}

function locationConstraint(kind: 'prefer' | 'ban', id: string, rsc: string, node: string, lifetimeMs: number | null, nowMs: number): XmlElement {
  const score = kind === 'prefer' ? 'INFINITY' : '-INFINITY';
  if (lifetimeMs === null) return element('rsc_location', { id, rsc, role: 'Started', node, score });
  return element('rsc_location', { id, rsc, role: 'Started' }, [
    element('rule', { id: `${id}-rule`, score, 'boolean-op': 'and' }, [
      element('expression', { id: `${id}-expr`, attribute: '#uname', operation: 'eq', value: node, type: 'string' }),
      element('date_expression', { id: `${id}-lifetime`, operation: 'lt', end: pacemakerDate(nowMs + lifetimeMs) }),
    ]),
  ]);
}

export interface MoveResult {
  cib: XmlElement;
  constraint: string;
  node: string;
  expires: string | null;
}

/**
 * `move RSC NODE`: a cli-prefer-RSC constraint pinning it to NODE. Without NODE it is banned from
 * where it runs now (as crm_resource --move does), which needs it to run on exactly one node.
 */
export function moveResource(cib: XmlElement, rsc: string, node: string | undefined, lifetime: string | undefined, nowMs: number): MoveResult {
  findResource(cib, rsc);
  const lifetimeMs = lifetime === undefined ? null : parseLifetime(lifetime);
  const expires = lifetimeMs === null ? null : pacemakerDate(nowMs + lifetimeMs);
  if (node === undefined) {
    const active = activeNodes(cib, rsc);
    if (active.length !== 1) {
      throw new AdminError(
        active.length === 0 ? `resource '${rsc}' is not running: name the node to move it to` : `resource '${rsc}' runs on ${active.join(', ')}: name the node to move it to`,
        64,
      );
    }
    const banned = banResource(cib, rsc, active[0], lifetime, nowMs);
    return banned;
  }
  requireNode(cib, node);
  const id = `cli-prefer-${rsc}`;
  return { cib: withConstraint(cib, id, locationConstraint('prefer', id, rsc, node, lifetimeMs, nowMs)), constraint: id, node, expires };
}

export function banResource(cib: XmlElement, rsc: string, node: string | undefined, lifetime: string | undefined, nowMs: number): MoveResult {
  findResource(cib, rsc);
  const lifetimeMs = lifetime === undefined ? null : parseLifetime(lifetime);
  let target = node;
  if (target === undefined) {
    const active = activeNodes(cib, rsc);
    if (active.length !== 1) {
      throw new AdminError(active.length === 0 ? `resource '${rsc}' is not running: name the node to ban it from` : `resource '${rsc}' runs on ${active.join(', ')}: name the node to ban it from`, 64);
    }
    target = active[0];
  } else requireNode(cib, target);
  const id = `cli-ban-${rsc}-on-${target}`;
  return {
    cib: withConstraint(cib, id, locationConstraint('ban', id, rsc, target, lifetimeMs, nowMs)),
    constraint: id,
    node: target,
    expires: lifetimeMs === null ? null : pacemakerDate(nowMs + lifetimeMs),
  };
}

/** `clear RSC [NODE]`: removes the constraints move/ban made (only those naming NODE, if given). */
export function clearResource(cib: XmlElement, rsc: string, node?: string): { cib: XmlElement; removed: string[] } {
  findResource(cib, rsc);
  const removed: string[] = [];
  const out = editAt(cib, [{ name: 'configuration' }, { name: 'constraints' }], (constraints) => ({
    ...constraints,
    children: constraints.children.filter((c) => {
      const id = c.attrs.id ?? '';
      const mine =
        c.name === 'rsc_location' &&
        ((id === `cli-prefer-${rsc}` && (node === undefined || constraintNode(c) === node)) ||
          (node === undefined ? id.startsWith(`cli-ban-${rsc}-on-`) : id === `cli-ban-${rsc}-on-${node}`));
      if (mine) removed.push(id);
      return !mine;
    }),
  }));
  return { cib: removed.length ? out : cib, removed };
}

function constraintNode(c: XmlElement): string | undefined {
  if (c.attrs.node !== undefined) return c.attrs.node;
  return c.children.find((r) => r.name === 'rule')?.children.find((e) => e.name === 'expression' && e.attrs.attribute === '#uname')?.attrs.value;
}

function primitivesIn(cib: XmlElement, rsc: string): string[] {
  const out: string[] = [];
  const collect = (el: XmlElement): void => {
    if (el.name === 'primitive' && el.attrs.id) out.push(el.attrs.id);
    for (const c of el.children) collect(c);
  };
  collect(findResource(cib, rsc));
  return out;
}

function isFailedOp(op: XmlElement): boolean {
  const rc = op.attrs['rc-code'];
  const status = op.attrs['op-status'];
  if (op.attrs.id?.endsWith('_last_failure_0')) return true;
  if (status !== undefined && status !== '0' && status !== '1' && status !== '-1') return true;
  const probe = op.attrs.operation === 'monitor' && op.attrs.interval === '0';
  return rc !== undefined && rc !== '0' && !(probe && (rc === '7' || rc === '8')) && !(rc === '8');
}

export interface CleanupResult {
  cib: XmlElement;
  /** The same change as status updates, for a live cluster (the DC's controller applies them). */
  updates: StatusUpdate[];
  /** `RSC on NODE` for every history that was forgotten. */
  cleaned: string[];
}

/**
 * `cleanup` forgets failures (fail counts, last-failure, and the history of resources that
 * failed, so they are probed again); `refresh` forgets all history of the resource, failed or
 * not. Either way the scheduler re-probes before deciding anything.
 */
export function cleanupResource(cib: XmlElement, rsc: string | undefined, node: string | undefined, mode: 'cleanup' | 'refresh'): CleanupResult {
  if (node !== undefined) requireNode(cib, node);
  const targets = rsc === undefined ? null : new Set(primitivesIn(cib, rsc));
  const matches = (id: string): boolean => targets === null || targets.has(id.replace(/:\d+$/, ''));
  const updates: StatusUpdate[] = [];
  const cleaned = new Set<string>();
  for (const state of statusOf(cib)?.children ?? []) {
    const name = state.attrs.uname;
    if (state.name !== 'node_state' || name === undefined || (node !== undefined && name !== node)) continue;
    const failed = new Set<string>();
    for (const child of state.children) {
      if (child.name === 'transient_attributes') {
        for (const set of child.children) for (const p of set.children) {
          const m = /^(?:fail-count|last-failure)-([^#]+)/.exec(p.attrs.name ?? '');
          if (m && matches(m[1])) failed.add(m[1]);
        }
      }
    }
    for (const r of failed) {
      updates.push({ kind: 'clear-failures', node: name, resource: r });
      cleaned.add(`${r} on ${name} (fail count)`);
    }
    for (const lrm of state.children) {
      if (lrm.name !== 'lrm') continue;
      for (const rscs of lrm.children) for (const r of rscs.children) {
        const id = r.attrs.id ?? '';
        if (!matches(id) || !(mode === 'refresh' || r.children.some(isFailedOp))) continue;
        updates.push({ kind: 'forget-resource', node: name, resource: id });
        cleaned.add(`${id} on ${name}`);
      }
    }
  }
  return { cib: applyStatusUpdates(cib, updates), updates, cleaned: [...cleaned] };
}

export type NodeLifetime = 'forever' | 'reboot';

/** Sets a node attribute permanently (nodes section) or until the node restarts (status). */
export function setNodeAttribute(cib: XmlElement, node: string, name: string, value: string | null, lifetime: NodeLifetime): XmlElement {
  requireNode(cib, node);
  if (lifetime === 'forever') {
    const existing = section(cib, 'nodes')?.children.find((n) => n.name === 'node' && n.attrs.uname === node);
    const id = existing?.attrs.id ?? node;
    return editAt(cib, [{ name: 'configuration' }, { name: 'nodes' }, { name: 'node', id, attrs: { uname: node } }], (el) =>
      withNvpair(el, 'instance_attributes', `nodes-${id}`, name, value),
    );
  }
  return applyStatusUpdates(cib, [{ kind: 'node-attribute', node, name, value }]);
}

/** standby/online and maintenance/ready: `online` clears the attribute in both places. */
export function setNodeMode(cib: XmlElement, node: string, attribute: 'standby' | 'maintenance', on: boolean, lifetime: NodeLifetime): XmlElement {
  if (on) return setNodeAttribute(cib, node, attribute, 'on', lifetime);
  return setNodeAttribute(setNodeAttribute(cib, node, attribute, null, 'forever'), node, attribute, null, 'reboot');
}

/**
 * `node clearstate`: the administrator vouches that the node is down (powered off by hand), so
 * it stops being UNCLEAN: cleanly offline, no history, no transient attributes.
 */
export function clearNodeState(cib: XmlElement, node: string): { cib: XmlElement; updates: StatusUpdate[] } {
  requireNode(cib, node);
  const updates: StatusUpdate[] = [{ kind: 'clear-node-state', node }];
  return { cib: applyStatusUpdates(cib, updates), updates };
}

/** `node delete`: removes a node that is not a member from the configuration and status. */
export function deleteNode(cib: XmlElement, node: string, force: boolean): XmlElement {
  requireNode(cib, node);
  const state = statusOf(cib)?.children.find((s) => s.name === 'node_state' && s.attrs.uname === node);
  if (!force && state && state.attrs.in_ccm !== undefined && state.attrs.in_ccm !== 'false' && state.attrs.crmd !== 'offline') {
    throw new AdminError(`node '${node}' is online: stop it first (or --force)`);
  }
  let out = editAt(cib, [{ name: 'configuration' }, { name: 'nodes' }], (nodes) => ({ ...nodes, children: nodes.children.filter((n) => n.attrs.uname !== node) }));
  out = editAt(out, [{ name: 'status' }], (status) => ({ ...status, children: status.children.filter((s) => s.attrs.uname !== node) }));
  return out;
}

export const KNOWN_PROPERTIES = new Set([
  'stonith-enabled', 'fencing-enabled', 'stonith-action', 'stonith-timeout', 'stonith-watchdog-timeout', 'startup-fencing', 'priority-fencing-delay',
  'no-quorum-policy', 'symmetric-cluster', 'maintenance-mode', 'stop-all-resources', 'stop-orphan-resources', 'stop-orphan-actions',
  'start-failure-is-fatal', 'enable-startup-probes', 'cluster-recheck-interval', 'crmd-transition-delay', 'transition-delay', 'batch-limit',
  'migration-limit', 'node-action-limit', 'placement-strategy', 'node-health-strategy', 'node-health-base', 'node-health-green',
  'node-health-yellow', 'node-health-red', 'cluster-delay', 'dc-deadtime', 'election-timeout', 'shutdown-escalation', 'join-integration-timeout',
  'join-finalization-timeout', 'concurrent-fencing', 'pe-error-series-max', 'pe-warn-series-max', 'pe-input-series-max', 'cluster-name',
  'cluster-infrastructure', 'dc-version', 'have-watchdog', 'shutdown-lock', 'shutdown-lock-limit', 'remove-after-stop', 'enable-acl',
  'cluster-ipc-limit', 'load-threshold', 'fence-reaction', 'default-resource-stickiness', 'is-managed-default', 'stonith-max-attempts',
]);

const PROPERTY_SET = 'cib-bootstrap-options';

export function getProperty(cib: XmlElement, name: string): string | undefined {
  for (const set of section(cib, 'crm_config')?.children ?? []) {
    if (set.name !== 'cluster_property_set') continue;
    const pair = set.children.find((p) => p.attrs.name === name);
    if (pair) return pair.attrs.value;
  }
  return undefined;
}

export function setProperty(cib: XmlElement, name: string, value: string | null): XmlElement {
  if (!/^[A-Za-z][\w.-]*$/.test(name)) throw new AdminError(`'${name}' is not a property name`, 64);
  if (value === null && getProperty(cib, name) === undefined) throw new AdminError(`property '${name}' is not set`, 105);
  const sets = section(cib, 'crm_config')?.children.filter((s) => s.name === 'cluster_property_set') ?? [];
  const holder = sets.find((s) => s.children.some((p) => p.attrs.name === name)) ?? sets.find((s) => s.attrs.id === PROPERTY_SET) ?? sets[0];
  const setId = holder?.attrs.id ?? PROPERTY_SET;
  return editAt(cib, [{ name: 'configuration' }, { name: 'crm_config' }, { name: 'cluster_property_set', id: setId }], (set) => {
    const pairs = set.children.filter((p) => !(value === null && p.attrs.name === name));
    if (value === null) return { ...set, children: pairs };
    const ids = allIds(cib);
    const i = pairs.findIndex((p) => p.attrs.name === name);
    if (i >= 0) pairs[i] = { ...pairs[i], attrs: { ...pairs[i].attrs, value } };
    else {
      let id = `${setId}-${name}`;
      for (let n = 1; ids.has(id); n += 1) id = `${setId}-${name}-${n}`;
      pairs.push(element('nvpair', { id, name, value }));
    }
    return { ...set, children: pairs };
  });
}

/** Bumps epoch when the configuration changed, num_updates when only status did. */
export function bumpVersion(before: XmlElement, after: XmlElement, configChanged: boolean): XmlElement {
  if (before === after) return after;
  const epoch = Number.parseInt(before.attrs.epoch ?? '0', 10) || 0;
  const updates = Number.parseInt(before.attrs.num_updates ?? '0', 10) || 0;
  return {
    ...after,
    attrs: configChanged ? { ...after.attrs, epoch: String(epoch + 1), num_updates: '0' } : { ...after.attrs, num_updates: String(updates + 1) },
  };
}
