import { applyCibPatch, bumpVersion, compareVersions, versionOf } from '../cib/index.js';
import { cloneXml, element, firstChild, parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { applyStatusUpdates } from '../controller/history.js';
import { cibVersion, setVersion } from './cib-version.js';
import type { CibChange } from './cib-messages.js';

export class CibChangeError extends Error {
  override name = 'CibChangeError';
}

const CONFIG_SECTIONS = ['crm_config', 'nodes', 'resources', 'constraints', 'rsc_defaults', 'op_defaults', 'alerts', 'fencing-topology', 'tags', 'acls'];

/**
 * Applies a client's change on the DC, returning a new CIB (the input is left alone, so a
 * refused change changes nothing). A configuration change bumps epoch and resets num_updates,
 * as Pacemaker does.
 */
export function applyChange(current: XmlElement, change: CibChange, nodes: readonly ClusterNode[], origin?: ChangeOrigin): XmlElement {
  const next = stampChange(applyChangeOnly(current, change, nodes), current, origin);
  return next;
}

/** Who asked for a change and when, recorded on the root as Pacemaker does (crm_mon's "Last change"). */
export interface ChangeOrigin {
  node: string;
  client: string;
  nowMs: number;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Pacemaker's cib-last-written format (C's asctime, UTC here): "Sat Nov 22 00:14:48 2026". */
export function asctime(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function stampChange(next: XmlElement, current: XmlElement, origin?: ChangeOrigin): XmlElement {
  if (origin === undefined || cibVersion(next).epoch === cibVersion(current).epoch) return next;
  next.attrs['cib-last-written'] = asctime(origin.nowMs);
  next.attrs['update-origin'] = origin.node;
  next.attrs['update-client'] = origin.client;
  return next;
}

function applyChangeOnly(current: XmlElement, change: CibChange, nodes: readonly ClusterNode[]): XmlElement {
  const next = cloneXml(current);
  switch (change.op) {
    case 'replace': {
      if (change.ifEpoch !== undefined) {
        const cur = cibVersion(current);
        const want = change.ifEpoch;
        if (cur.adminEpoch !== want.adminEpoch || cur.epoch !== want.epoch) {
          throw new CibChangeError(
            `the configuration changed underneath: it was read at admin_epoch ${want.adminEpoch}, epoch ${want.epoch}, ` +
              `and the cluster is now at admin_epoch ${cur.adminEpoch}, epoch ${cur.epoch}; nothing committed (read it again and redo the change)`,
          );
        }
      }
      let incoming: XmlElement;
      try {
        incoming = parseXml(change.xml, 'replacement');
      } catch (err) {
        throw new CibChangeError(`the replacement is not well-formed XML: ${(err as Error).message}`);
      }
      if (change.scope === undefined || change.scope === 'cib') replaceWhole(next, incoming);
      else replaceSection(next, change.scope, incoming);
      bumpEpoch(next, current);
      return next;
    }
    case 'patch': {
      let patched: XmlElement;
      try {
        patched = applyCibPatch(current, change.patch);
      } catch (err) {
        throw new CibChangeError(`the patch does not apply: ${(err as Error).message}`);
      }
      if (patched.name !== 'cib') throw new CibChangeError('the patch replaces the <cib> root');
      // A patch that names its own result version keeps it when it moves forward; otherwise the
      // version follows from what changed, as for any other update.
      const result = compareVersions(versionOf(patched), versionOf(current)) > 0 ? patched : bumpVersion(current, patched);
      return cloneXml(result);
    }
    case 'node-leaving': {
      const node = nodes.find((n) => n.name === change.node);
      if (node === undefined) throw new CibChangeError(`unknown node '${change.node}'`);
      const state = nodeState(next, node);
      state.attrs.expected = 'down';
      bumpUpdates(next, current);
      return next;
    }
    case 'status': {
      const updated = applyStatusUpdates(next, change.updates);
      // Status writers never touch the configuration; one that did would need an epoch bump.
      // (Copy-on-write: an untouched section is the very same object.)
      if (firstChild(updated, 'configuration') !== firstChild(next, 'configuration')) {
        throw new CibChangeError('a status update may not change the configuration');
      }
      bumpUpdates(updated, current);
      return updated;
    }
  }
}

function replaceWhole(next: XmlElement, incoming: XmlElement): void {
  if (incoming.name !== 'cib') throw new CibChangeError(`a whole-CIB replacement must have <cib> as root, not <${incoming.name}>`);
  const inConfig = firstChild(incoming, 'configuration');
  if (inConfig === undefined) throw new CibChangeError('the replacement has no <configuration> section');
  const cur = cibVersion(next);
  const inc = cibVersion(incoming);
  if (inc.adminEpoch < cur.adminEpoch || (inc.adminEpoch === cur.adminEpoch && inc.epoch < cur.epoch)) {
    throw new CibChangeError(
      `the replacement (admin_epoch ${inc.adminEpoch}, epoch ${inc.epoch}) is older than the cluster's configuration (admin_epoch ${cur.adminEpoch}, epoch ${cur.epoch})`,
    );
  }
  // The status section is the cluster's record of what runs where: a client's copy of it is
  // out of date by definition, so only the configuration is taken.
  for (const [k, v] of Object.entries(incoming.attrs)) {
    if (!['epoch', 'num_updates', 'admin_epoch', 'have-quorum', 'dc-uuid', 'cib-last-written', 'update-origin', 'update-client', 'update-user'].includes(k)) next.attrs[k] = v;
  }
  next.attrs.admin_epoch = String(inc.adminEpoch);
  next.attrs.epoch = String(Math.max(cur.epoch, inc.epoch));
  const idx = next.children.findIndex((c) => c.name === 'configuration');
  if (idx >= 0) next.children[idx] = inConfig;
  else next.children.unshift(inConfig);
}

function replaceSection(next: XmlElement, scope: string, incoming: XmlElement): void {
  if (scope === 'status') throw new CibChangeError('the status section is maintained by the cluster and cannot be replaced');
  if (scope === 'configuration') {
    if (incoming.name !== 'configuration') throw new CibChangeError(`--scope configuration needs <configuration>, not <${incoming.name}>`);
    const idx = next.children.findIndex((c) => c.name === 'configuration');
    if (idx >= 0) next.children[idx] = incoming;
    else next.children.unshift(incoming);
    return;
  }
  if (!CONFIG_SECTIONS.includes(scope)) throw new CibChangeError(`unknown scope '${scope}': expected configuration, ${CONFIG_SECTIONS.join(', ')}`);
  if (incoming.name !== scope) throw new CibChangeError(`--scope ${scope} needs <${scope}> as root, not <${incoming.name}>`);
  const config = ensureChild(next, 'configuration');
  const idx = config.children.findIndex((c) => c.name === scope);
  if (idx >= 0) config.children[idx] = incoming;
  else config.children.push(incoming);
}

function bumpEpoch(next: XmlElement, current: XmlElement): void {
  const cur = cibVersion(current);
  const got = cibVersion(next);
  setVersion(next, { adminEpoch: got.adminEpoch, epoch: Math.max(cur.epoch + 1, got.epoch), numUpdates: 0 });
}

function bumpUpdates(next: XmlElement, current: XmlElement): void {
  const cur = cibVersion(current);
  setVersion(next, { ...cur, numUpdates: cur.numUpdates + 1 });
}

function ensureChild(parent: XmlElement, name: string): XmlElement {
  let child = firstChild(parent, name);
  if (child === undefined) {
    child = element(name);
    parent.children.push(child);
  }
  return child;
}

export interface ClusterNode {
  name: string;
  id: number;
}

export interface MembershipFacts {
  members: readonly string[];
  dc: string | null;
  quorate: boolean;
}

/** What the DC records about the cluster software, as Pacemaker's DC does in cib-bootstrap-options. */
export interface ClusterIdentity {
  clusterName: string;
  /** Shown by crm_mon as "Current DC: x (version ...)". */
  dcVersion: string;
}

function ensureBootstrapOptions(cib: XmlElement, identity: ClusterIdentity): void {
  const crmConfig = ensureChild(ensureChild(cib, 'configuration'), 'crm_config');
  let set = crmConfig.children.find((c) => c.name === 'cluster_property_set' && c.attrs.id === 'cib-bootstrap-options');
  if (set === undefined) {
    set = element('cluster_property_set', { id: 'cib-bootstrap-options' });
    crmConfig.children.unshift(set);
  }
  const props: [string, string][] = [
    ['dc-version', identity.dcVersion],
    ['cluster-infrastructure', 'vigil'],
    ['cluster-name', identity.clusterName],
  ];
  for (const [name, value] of props) {
    const existing = set.children.find((c) => c.name === 'nvpair' && c.attrs.name === name);
    if (existing !== undefined) existing.attrs.value = value;
    else set.children.push(element('nvpair', { id: `cib-bootstrap-options-${name}`, name, value }));
  }
}

function nodeState(cib: XmlElement, node: ClusterNode): XmlElement {
  const status = ensureChild(cib, 'status');
  let state = status.children.find((c) => c.name === 'node_state' && c.attrs.uname === node.name);
  if (state === undefined) {
    state = element('node_state', { id: String(node.id), uname: node.name, in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' });
    status.children.push(state);
  }
  return state;
}

/**
 * Records what membership says in the CIB, as Pacemaker's DC does: every configured node in
 * <nodes>, a node_state per node (in_ccm, crmd, join, expected), have-quorum and dc-uuid on the
 * root. A node that vanishes keeps expected="member" — that is what makes it UNCLEAN rather
 * than OFFLINE — unless it announced a clean shutdown first. Returns the new CIB, or null when
 * nothing changed (so an unchanged view does not bump num_updates).
 */
export function applyMembership(
  current: XmlElement,
  nodes: readonly ClusterNode[],
  facts: MembershipFacts,
  identity?: ClusterIdentity,
  origin?: ChangeOrigin,
): XmlElement | null {
  const next = cloneXml(current);
  if (identity !== undefined) ensureBootstrapOptions(next, identity);
  const nodesEl = ensureChild(ensureChild(next, 'configuration'), 'nodes');
  let configChanged = false;
  for (const node of nodes) {
    if (!nodesEl.children.some((c) => c.name === 'node' && c.attrs.uname === node.name)) {
      nodesEl.children.push(element('node', { id: String(node.id), uname: node.name }));
      configChanged = true;
    }
  }
  for (const node of nodes) {
    const state = nodeState(next, node);
    if (facts.members.includes(node.name)) {
      Object.assign(state.attrs, { in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' });
    } else {
      Object.assign(state.attrs, { in_ccm: 'false', crmd: 'offline', join: 'down' });
    }
  }
  next.attrs['have-quorum'] = facts.quorate ? '1' : '0';
  const dcNode = nodes.find((n) => n.name === facts.dc);
  if (dcNode !== undefined) next.attrs['dc-uuid'] = String(dcNode.id);
  else delete next.attrs['dc-uuid'];
  if (serializeXml(next) === serializeXml(current)) return null;
  const configuration = (el: XmlElement): string => serializeXml(firstChild(el, 'configuration') ?? element('configuration'));
  if (configChanged || configuration(next) !== configuration(current)) bumpEpoch(next, current);
  else bumpUpdates(next, current);
  return stampChange(next, current, origin);
}

/**
 * What a DC adopts when a member's copy is newer than its own (after a partition heals): that
 * copy, except for the nodes the DC's own copy saw as members and the newer one did not. Each
 * node's state (history, fail counts) is taken from the side of the partition it was on: a
 * member that was cut off cannot know what the DC's partition did, and the DC does not know what
 * ran on the member's side. A DC that just started holds a copy from before it went down, which
 * may still call everyone a member: where both copies do, the newer one wins. (The DC's
 * controller probes every node that joins it again, so lrm history that is off is corrected.)
 */
export function adoptNewer(own: XmlElement, newer: XmlElement): XmlElement {
  const member = (s: XmlElement | undefined): boolean => s?.attrs.in_ccm === 'true';
  const states = (cib: XmlElement): Map<string, XmlElement> =>
    new Map((firstChild(cib, 'status')?.children ?? []).filter((c) => c.name === 'node_state' && c.attrs.uname !== undefined).map((c) => [c.attrs.uname as string, c]));
  const mine = states(own);
  const theirs = states(newer);
  const keep = [...mine].filter(([uname, state]) => member(state) && !member(theirs.get(uname)));
  if (keep.length === 0) return newer;
  const kept = new Map(keep);
  const status = firstChild(newer, 'status') ?? element('status');
  const children = status.children.map((c) => (c.name === 'node_state' && c.attrs.uname !== undefined && kept.has(c.attrs.uname) ? (kept.get(c.attrs.uname) as XmlElement) : c));
  for (const [uname, state] of kept) if (!theirs.has(uname)) children.push(state);
  return { ...newer, children: [...newer.children.filter((c) => c.name !== 'status'), { ...status, children }] };
}
