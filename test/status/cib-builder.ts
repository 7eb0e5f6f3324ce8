import { parseXml, type XmlElement } from '../../src/cib/xml.js';

/** Small CIBs for status tests, written the way Pacemaker records them. */

export interface NodeSpec {
  readonly name: string;
  /** online (default), offline (clean shutdown), lost (left without shutting down), pending, none (no node_state). */
  readonly state?: 'online' | 'offline' | 'lost' | 'pending' | 'none';
  readonly attrs?: Record<string, string>;
  readonly transient?: Record<string, string>;
  /** Raw `<lrm_resource>` elements for this node. */
  readonly history?: readonly string[];
}

export interface CibSpec {
  readonly props?: Record<string, string>;
  readonly nodes: readonly NodeSpec[];
  readonly resources?: string;
  readonly haveQuorum?: boolean;
  readonly cibAttrs?: Record<string, string>;
}

let callId = 10;

/** One `<lrm_rsc_op>`; `expected` is the rc the transition expected (7 for probes by default). */
export function op(rsc: string, task: string, rc: number, options: { interval?: number; expected?: number; status?: number; call?: number; lastRcChange?: number } = {}): string {
  const interval = options.interval ?? 0;
  const expected = options.expected ?? (task === 'monitor' && interval === 0 ? 7 : 0);
  const status = options.status ?? 0;
  const call = options.call ?? callId++;
  const key = `${rsc}_${task}_${interval}`;
  const magic = `${status}:${rc};1:1:${expected}:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`;
  const change = options.lastRcChange !== undefined ? ` last-rc-change="${options.lastRcChange}"` : '';
  return `<lrm_rsc_op id="${key}" operation_key="${key}" operation="${task}" call-id="${call}" rc-code="${rc}" op-status="${status}" interval="${interval}" transition-key="1:1:${expected}:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" transition-magic="${magic}"${change}/>`;
}

export function history(rsc: string, ops: readonly string[], agent = 'class="ocf" provider="heartbeat" type="Dummy"'): string {
  return `<lrm_resource id="${rsc}" ${agent}>${ops.join('')}</lrm_resource>`;
}

export function started(rsc: string, agent?: string): string {
  return history(rsc, [op(rsc, 'start', 0)], agent);
}

export function dummy(id: string, meta: Record<string, string> = {}, extra = ''): string {
  const pairs = Object.entries(meta)
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const metaXml = pairs ? `<meta_attributes id="${id}-meta">${pairs}</meta_attributes>` : '';
  return `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${metaXml}${extra}</primitive>`;
}

function nvpairs(prefix: string, attrs: Record<string, string> | undefined): string {
  return Object.entries(attrs ?? {})
    .map(([k, v]) => `<nvpair id="${prefix}-${k}" name="${k}" value="${v}"/>`)
    .join('');
}

function nodeState(n: NodeSpec, id: string): string {
  const s = n.state ?? 'online';
  if (s === 'none') return '';
  const membership = {
    online: 'in_ccm="true" crmd="online" join="member" expected="member"',
    offline: 'in_ccm="false" crmd="offline" join="down" expected="down"',
    lost: 'in_ccm="false" crmd="offline" join="down" expected="member"',
    pending: 'in_ccm="true" crmd="online" join="pending" expected="member"',
  }[s];
  const transient = n.transient
    ? `<transient_attributes id="${id}"><instance_attributes id="status-${id}">${nvpairs(`status-${id}`, n.transient)}</instance_attributes></transient_attributes>`
    : '';
  const lrm = `<lrm id="${id}"><lrm_resources>${(n.history ?? []).join('')}</lrm_resources></lrm>`;
  return `<node_state id="${id}" uname="${n.name}" ${membership}>${transient}${lrm}</node_state>`;
}

export function buildCib(spec: CibSpec): XmlElement {
  const props = { 'stonith-enabled': 'false', ...(spec.props ?? {}) };
  const nodes = spec.nodes
    .map((n, i) => {
      const attrs = n.attrs ? `<instance_attributes id="nodes-${i + 1}">${nvpairs(`nodes-${i + 1}`, n.attrs)}</instance_attributes>` : '';
      return `<node id="${i + 1}" uname="${n.name}">${attrs}</node>`;
    })
    .join('');
  const states = spec.nodes.map((n, i) => nodeState(n, String(i + 1))).join('');
  const extra = Object.entries(spec.cibAttrs ?? {})
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return parseXml(
    `<cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.9" have-quorum="${spec.haveQuorum === false ? '0' : '1'}" dc-uuid="1"${extra}>` +
      `<configuration><crm_config><cluster_property_set id="cib-bootstrap-options">${nvpairs('opt', props)}</cluster_property_set></crm_config>` +
      `<nodes>${nodes}</nodes><resources>${spec.resources ?? ''}</resources><constraints/></configuration>` +
      `<status>${states}</status></cib>`,
  );
}
