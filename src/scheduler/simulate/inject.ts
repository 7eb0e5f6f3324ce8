import type { XmlElement } from '../../cib/xml.js';
import { cloneXml, element } from '../../cib/xml.js';
import type { GraphAction } from '../graph.js';
import { operationDigest } from '../md5.js';

/** crm_simulate's placeholder transition UUID, kept so the recorded history reads the same. */
const UUID = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx';

function maxCallId(el: XmlElement): number {
  let max = Number(el.attrs['call-id'] ?? 0);
  if (!Number.isFinite(max)) max = 0;
  for (const c of el.children) max = Math.max(max, maxCallId(c));
  return max;
}

function ensure(parent: XmlElement, name: string, attrs: Record<string, string>, match: (e: XmlElement) => boolean): XmlElement {
  const found = parent.children.find((c) => c.name === name && match(c));
  if (found) return found;
  const el = element(name, attrs);
  parent.children.push(el);
  return el;
}

/**
 * The CIB after every executed action succeeded: each resource action recorded in the node's
 * history, fenced nodes down with their history cleared, shut down nodes offline. Recorded as
 * crm_simulate records them (transition -1, changed at `now`), with call ids above any already
 * in the history so each result reads as the newest.
 */
export function injectResults(cib: XmlElement, executed: GraphAction[], now?: number): XmlElement {
  const out = cloneXml(cib);
  let status = out.children.find((c) => c.name === 'status');
  if (!status) {
    status = element('status', {});
    out.children.push(status);
  }
  const nodeIds = new Map<string, string>();
  const nodesEl = out.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'nodes');
  for (const n of nodesEl?.children ?? []) if (n.attrs.uname) nodeIds.set(n.attrs.uname, n.attrs.id ?? n.attrs.uname);
  const nodeState = (uname: string): XmlElement => {
    const st = status as XmlElement;
    return ensure(st, 'node_state', { id: nodeIds.get(uname) ?? uname, uname, in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' }, (e) => e.attrs.uname === uname);
  };
  let callId = maxCallId(status);
  for (const a of executed) {
    if (a.kind === 'fence') {
      const ns = nodeState(a.node);
      if (a.fenceAction === 'on') continue;
      Object.assign(ns.attrs, { in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' });
      ns.children = ns.children.filter((c) => c.name !== 'lrm' && c.name !== 'transient_attributes');
      continue;
    }
    // crm_simulate only reports cluster actions: a node told to shut down is still a member
    // when the transition ends.
    if (a.kind !== 'resource') continue;
    // A notification is not the resource's last result: crm_simulate keeps it under its own
    // key, and reading the history skips it, so it leaves the state as it was.
    if (a.task === 'notify') continue;
    const ns = nodeState(a.node);
    const lrm = ensure(ns, 'lrm', { id: ns.attrs.id ?? a.node }, () => true);
    const resources = ensure(lrm, 'lrm_resources', {}, () => true);
    const attrs: Record<string, string> = { id: a.resource.id, class: a.resource.agentClass, type: a.resource.type };
    if (a.resource.provider !== undefined) attrs.provider = a.resource.provider;
    const rscEl = ensure(resources, 'lrm_resource', attrs, (e) => e.attrs.id === a.resource.id);
    const probe = a.task === 'monitor' && a.intervalMs === 0;
    const rc = a.targetRc ?? (probe ? 7 : 0);
    const opId = a.intervalMs > 0 ? `${a.resource.id}_${a.task}_${a.intervalMs}` : `${a.resource.id}_last_0`;
    if (a.task === 'cancel') {
      rscEl.children = rscEl.children.filter((c) => !(c.attrs.operation === 'monitor' && c.attrs.interval === String(a.intervalMs)));
      continue;
    }
    if (a.task === 'delete') {
      resources.children = resources.children.filter((c) => c !== rscEl);
      continue;
    }
    // A success replaces the last result only: the recorded failure stays, older, as crm_simulate leaves it.
    rscEl.children = rscEl.children.filter((c) => c.attrs.id !== opId);
    callId++;
    if (a.task === 'stop') rscEl.children = rscEl.children.filter((c) => Number(c.attrs.interval ?? 0) === 0);
    rscEl.children.push(
      element('lrm_rsc_op', {
        id: opId,
        operation_key: `${a.resource.id}_${a.task}_${a.intervalMs}`,
        operation: a.task,
        'crm-debug-origin': 'crm_simulate',
        'transition-key': `${a.id}:-1:${rc}:${UUID}`,
        'transition-magic': `0:${rc};${a.id}:-1:${rc}:${UUID}`,
        'exit-reason': '',
        'call-id': String(callId),
        'rc-code': String(rc),
        'op-status': '0',
        interval: String(a.intervalMs),
        ...(now !== undefined ? { 'last-rc-change': String(now) } : {}),
        'exec-time': '0',
        'queue-time': '0',
        'op-digest': operationDigest(new Map(Object.entries(a.resource.params)), a.intervalMs, a.timeoutMs),
        on_node: a.node,
      }),
    );
  }
  return out;
}
