import type { XmlElement } from '../../cib/xml.js';
import type { Node } from '../model.js';
import { isTrue } from '../score.js';
import { child, children, readNvSets } from './config.js';

export interface NodeOptions {
  now: number;
  stonithEnabled: boolean;
  startupFencing: boolean;
  clusterName?: string;
  dcUuid?: string;
  /** Quorum is lost under no-quorum-policy=suicide: every member online is fenced. */
  fenceOnline: boolean;
}

function truthyState(v: string | undefined): boolean {
  if (v === undefined) return false;
  if (/^\d+$/.test(v)) return Number(v) > 0;
  return isTrue(v) || v.toLowerCase() === 'online' || v.toLowerCase() === 'member';
}

/** Cluster nodes from `<nodes>`, their attributes and their membership-derived state. */
export function readNodes(cib: XmlElement, opts: NodeOptions, fences: { node: string; reason: string }[]): Node[] {
  const config = child(cib, 'configuration');
  const status = child(cib, 'status');
  const states = new Map<string, XmlElement>();
  for (const s of children(status, 'node_state')) {
    if (s.attrs.uname !== undefined && !states.has(s.attrs.uname)) states.set(s.attrs.uname, s);
    if (s.attrs.id !== undefined && !states.has(`#id:${s.attrs.id}`)) states.set(`#id:${s.attrs.id}`, s);
  }
  const nodes: Node[] = [];
  let index = 0;
  for (const el of children(child(config, 'nodes'), 'node')) {
    const type = el.attrs.type ?? 'member';
    if (type === 'ping') continue;
    const uname = el.attrs.uname ?? el.attrs.id ?? '';
    const id = el.attrs.id ?? uname;
    const state = states.get(uname) ?? states.get(`#id:${id}`);
    const attrs = new Map<string, string>();
    const transient = state ? readNvSets(child(state, 'transient_attributes'), 'instance_attributes', { now: opts.now }) : new Map<string, string>();
    const permanent = readNvSets(el, 'instance_attributes', { now: opts.now });
    for (const [k, v] of permanent) attrs.set(k, v);
    for (const [k, v] of transient) attrs.set(k, v);
    attrs.set('#uname', uname);
    attrs.set('#id', id);
    attrs.set('#kind', type === 'remote' ? 'remote' : 'cluster');
    attrs.set('#is_dc', opts.dcUuid !== undefined && opts.dcUuid === id ? 'true' : 'false');
    if (opts.clusterName !== undefined) attrs.set('#cluster-name', opts.clusterName);
    attrs.set('#site-name', attrs.get('site-name') ?? opts.clusterName ?? '');
    const utilization = new Map<string, number>();
    for (const [k, v] of readNvSets(el, 'utilization', { now: opts.now })) utilization.set(k, Number(v) || 0);
    const node = nodeRecord({
      id,
      uname,
      kind: type === 'remote' ? 'remote' : 'member',
      index: index++,
      attrs,
      utilization,
      shutdown: (attrs.get('shutdown') ?? '0') !== '0' && attrs.get('shutdown') !== undefined,
      seen: state !== undefined,
    });
    determineState(node, state, opts, fences);
    if (opts.fenceOnline && node.online) fence(node, 'cluster does not have quorum', fences);
    nodes.push(node);
  }
  return nodes;
}

function fence(node: Node, reason: string, fences: { node: string; reason: string }[]): void {
  if (!node.unclean) fences.push({ node: node.uname, reason });
  node.unclean = true;
}

function determineState(node: Node, state: XmlElement | undefined, opts: NodeOptions, fences: { node: string; reason: string }[]): void {
  if (state === undefined) {
    // Never seen: with startup fencing the node may be running anything, so it must be shot.
    if (opts.stonithEnabled && opts.startupFencing) {
      node.unclean = true;
    }
    return;
  }
  const inCcm = state.attrs.in_ccm;
  const inCluster = truthyState(inCcm);
  const crmdOnline = truthyState(state.attrs.crmd);
  const join = (state.attrs.join ?? '').toLowerCase();
  const expected = (state.attrs.expected ?? 'down').toLowerCase();
  const terminate = node.attrs.get('terminate');
  const doTerminate = terminate !== undefined && (isTrue(terminate) || (/^\d+$/.test(terminate) && Number(terminate) > 0));
  if (!opts.stonithEnabled) {
    if (inCluster && crmdOnline) {
      if (join === 'member') node.online = true;
      else node.pending = true;
    }
    return;
  }
  if (node.shutdown) {
    node.online = crmdOnline;
  } else if (inCcm === undefined) {
    fence(node, 'peer has not been seen by the cluster', fences);
  } else if (join === 'banned') {
    fence(node, 'peer failed Pacemaker membership criteria', fences);
    node.online = crmdOnline && inCluster;
  } else if (!doTerminate && expected === 'down') {
    if (inCluster || crmdOnline) node.pending = true;
    node.joining = inCluster;
  } else if (doTerminate && join === 'down' && !inCluster && !crmdOnline) {
    // Just fenced on request: nothing runs there.
  } else if (!inCluster) {
    fence(node, 'peer is no longer part of the cluster', fences);
  } else if (!crmdOnline) {
    fence(node, 'peer process is no longer available', fences);
    node.online = true;
  } else if (doTerminate) {
    fence(node, 'termination was requested', fences);
    node.online = true;
  } else if (join === 'member') {
    node.online = true;
  } else if (join === 'pending' || join === 'down') {
    node.pending = true;
    node.joining = true;
  } else {
    fence(node, 'peer was in an unknown state', fences);
  }
}

/** A node as unpacked, before its state is determined: down, nothing assigned, standby and maintenance from its attributes. */
export function nodeRecord(n: Pick<Node, 'id' | 'uname' | 'kind' | 'index' | 'attrs' | 'utilization' | 'shutdown' | 'seen'>): Node {
  return {
    ...n,
    online: false,
    unclean: false,
    pending: false,
    joining: false,
    standby: isTrue(n.attrs.get('standby')),
    standbyOnFail: false,
    maintenance: isTrue(n.attrs.get('maintenance')),
    assignedCount: 0,
    freeUtilization: new Map(n.utilization),
  };
}
