import type { XmlElement } from '../../cib/xml.js';
import { cloneXml, element } from '../../cib/xml.js';

export type NodeChange = { node: string; change: 'up' | 'down' | 'fail' };

function statusOf(cib: XmlElement): XmlElement {
  let status = cib.children.find((c) => c.name === 'status');
  if (!status) {
    status = element('status', {});
    cib.children.push(status);
  }
  return status;
}

function nodeIdOf(cib: XmlElement, uname: string): string | undefined {
  const nodes = cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'nodes');
  return nodes?.children.find((n) => n.attrs.uname === uname)?.attrs.id;
}

function nodeState(cib: XmlElement, uname: string): XmlElement {
  const status = statusOf(cib);
  let ns = status.children.find((c) => c.name === 'node_state' && c.attrs.uname === uname);
  if (!ns) {
    const id = nodeIdOf(cib, uname);
    if (id === undefined) throw new Error(`no node named '${uname}' in the CIB`);
    ns = element('node_state', { id, uname });
    status.children.push(ns);
  }
  return ns;
}

/** crm_simulate's -u/-d/-f: bring nodes up, take them down cleanly, or make them fail. */
export function applyNodeChanges(cib: XmlElement, changes: NodeChange[]): XmlElement {
  const out = cloneXml(cib);
  for (const c of changes) {
    const ns = nodeState(out, c.node);
    if (c.change === 'up') Object.assign(ns.attrs, { in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' });
    else if (c.change === 'down') Object.assign(ns.attrs, { in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'down' });
    else Object.assign(ns.attrs, { in_ccm: 'false', crmd: 'offline', join: 'down', expected: 'member' });
  }
  return out;
}

export interface OpSpec {
  rsc: string;
  task: string;
  intervalMs: number;
  node: string;
  rc: number;
}

/** Parses `RSC_TASK_INTERVAL@NODE=RC` (crm_simulate -i/-F syntax). */
export function parseOpSpec(text: string): OpSpec {
  const m = /^(.+)_([a-z_-]+?)_(\d+)@([^=]+)=(\d+)$/.exec(text);
  if (!m) throw new Error(`bad operation '${text}': expected RSC_TASK_INTERVAL@NODE=RC, e.g. web_monitor_10000@node1=7`);
  return { rsc: m[1], task: m[2], intervalMs: Number(m[3]), node: m[4], rc: Number(m[5]) };
}

function findPrimitive(cib: XmlElement, id: string): XmlElement | undefined {
  const stack = [...(cib.children.find((c) => c.name === 'configuration')?.children.find((c) => c.name === 'resources')?.children ?? [])];
  const base = id.replace(/:\d+$/, '');
  while (stack.length > 0) {
    const el = stack.pop() as XmlElement;
    if (el.name === 'primitive' && el.attrs.id === base) return el;
    stack.push(...el.children);
  }
  return undefined;
}

/** crm_simulate's -i: records an operation result in the node's history before scheduling. */
export function injectOps(cib: XmlElement, ops: OpSpec[]): XmlElement {
  const out = cloneXml(cib);
  let callId = 5000;
  for (const op of ops) {
    const prim = findPrimitive(out, op.rsc);
    if (!prim) throw new Error(`no resource named '${op.rsc}' in the CIB`);
    const ns = nodeState(out, op.node);
    let lrm = ns.children.find((c) => c.name === 'lrm');
    if (!lrm) {
      lrm = element('lrm', { id: ns.attrs.id ?? op.node });
      ns.children.push(lrm);
    }
    let resources = lrm.children.find((c) => c.name === 'lrm_resources');
    if (!resources) {
      resources = element('lrm_resources', {});
      lrm.children.push(resources);
    }
    let rsc = resources.children.find((c) => c.attrs.id === op.rsc);
    if (!rsc) {
      const attrs: Record<string, string> = { id: op.rsc, class: prim.attrs.class ?? 'ocf', type: prim.attrs.type ?? '' };
      if (prim.attrs.provider !== undefined) attrs.provider = prim.attrs.provider;
      rsc = element('lrm_resource', attrs);
      resources.children.push(rsc);
    }
    const target = op.task === 'monitor' && op.intervalMs === 0 ? 7 : 0;
    const id = op.intervalMs > 0 ? `${op.rsc}_${op.task}_${op.intervalMs}` : op.rc === target ? `${op.rsc}_last_0` : `${op.rsc}_last_failure_0`;
    rsc.children = rsc.children.filter((c) => c.attrs.id !== id);
    callId++;
    rsc.children.push(
      element('lrm_rsc_op', {
        id,
        operation_key: `${op.rsc}_${op.task}_${op.intervalMs}`,
        operation: op.task,
        'transition-key': `1:1:${target}:00000000-0000-0000-0000-000000000000`,
        'transition-magic': `0:${op.rc};1:1:${target}:00000000-0000-0000-0000-000000000000`,
        'call-id': String(callId),
        'rc-code': String(op.rc),
        'op-status': '0',
        interval: String(op.intervalMs),
        on_node: op.node,
      }),
    );
  }
  return out;
}
