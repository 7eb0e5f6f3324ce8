/**
 * Seeded random CIBs for differential tests: a few nodes in every membership
 * state, primitives, a group and a clone (anonymous, unique, promotable,
 * cloned group) with random meta attributes, on-fail settings and operation
 * histories, including failures, pending actions and orphans.
 */

export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rnd = () => number;

const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

interface OpOptions {
  readonly interval?: number;
  readonly status?: number;
  readonly pending?: boolean;
}

class OpWriter {
  private call = 10;

  op(rsc: string, node: string, task: string, rc: number, o: OpOptions = {}): string {
    const interval = o.interval ?? 0;
    const expected = task === 'monitor' && interval === 0 ? 7 : 0;
    const callId = o.pending ? -1 : this.call++;
    const status = o.pending ? -1 : (o.status ?? 0);
    const code = o.pending ? -1 : rc;
    const key = `${rsc}_${task}_${interval}`;
    const tkey = `1:${this.call}:${expected}:aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`;
    return (
      `<lrm_rsc_op id="${key}${o.pending ? '_p' : ''}" operation_key="${key}" operation="${task}" call-id="${callId}" rc-code="${code}" ` +
      `op-status="${status}" interval="${interval}" transition-key="${tkey}" transition-magic="${status}:${code};${tkey}" ` +
      `last-rc-change="${1_600_000_000 + this.call}" on_node="${node}"/>`
    );
  }
}

const HISTORIES: Record<string, (w: OpWriter, r: string, n: string) => string[]> = {
  probeNotRunning: (w, r, n) => [w.op(r, n, 'monitor', 7)],
  probeRunning: (w, r, n) => [w.op(r, n, 'monitor', 0)],
  probeNotInstalled: (w, r, n) => [w.op(r, n, 'monitor', 5)],
  probePromoted: (w, r, n) => [w.op(r, n, 'monitor', 8)],
  started: (w, r, n) => [w.op(r, n, 'start', 0)],
  monitored: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'monitor', 0, { interval: 10000 })],
  monitorNotRunning: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'monitor', 7, { interval: 10000 })],
  monitorError: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'monitor', 1, { interval: 10000 })],
  startFailed: (w, r, n) => [w.op(r, n, 'start', 1)],
  startTimedOut: (w, r, n) => [w.op(r, n, 'start', 1, { status: 2 })],
  stopped: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'stop', 0)],
  stopFailed: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'stop', 1)],
  promoted: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'promote', 0)],
  demoted: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'promote', 0), w.op(r, n, 'demote', 0)],
  promoteFailed: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'promote', 1)],
  startPending: (w, r, n) => [w.op(r, n, 'monitor', 7), w.op(r, n, 'start', 0, { pending: true })],
  stopPending: (w, r, n) => [w.op(r, n, 'start', 0), w.op(r, n, 'stop', 0, { pending: true })],
};

const MEMBERSHIP: Record<string, string> = {
  online: 'in_ccm="true" crmd="online" join="member" expected="member"',
  offline: 'in_ccm="false" crmd="offline" join="down" expected="down"',
  lost: 'in_ccm="false" crmd="offline" join="down" expected="member"',
  pending: 'in_ccm="true" crmd="online" join="pending" expected="member"',
  controllerDown: 'in_ccm="true" crmd="offline" join="down" expected="member"',
};

function nvpairs(prefix: string, pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `<nvpair id="${prefix}-${k}" name="${k}" value="${v}"/>`).join('');
}

export function randomCib(rnd: Rnd): string {
  const w = new OpWriter();
  const nodeCount = 1 + Math.floor(rnd() * 4);
  const nodes: { name: string; id: string; state: string; standby: boolean; maintenance: boolean; transientStandby: boolean }[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    let name = pick(rnd, ['node', 'n', 'alpha', 'Zeta']) + String(i * (rnd() < 0.3 ? 10 : 1));
    while (nodes.some((n) => n.name === name)) name += 'x';
    nodes.push({
      name,
      id: String(i),
      state: pick(rnd, ['online', 'online', 'online', 'offline', 'lost', 'pending', 'none', 'controllerDown']),
      standby: rnd() < 0.15,
      maintenance: rnd() < 0.08,
      transientStandby: rnd() < 0.1,
    });
  }
  const props: [string, string][] = [
    ['stonith-enabled', pick(rnd, ['true', 'false', 'false'])],
    ['maintenance-mode', rnd() < 0.05 ? 'true' : 'false'],
    ['stop-orphan-resources', rnd() < 0.2 ? 'false' : 'true'],
    ['symmetric-cluster', rnd() < 0.15 ? 'false' : 'true'],
  ];
  const meta = (id: string): string => {
    const m: [string, string][] = [];
    if (rnd() < 0.12) m.push(['target-role', pick(rnd, ['Stopped', 'Started', 'Unpromoted'])]);
    if (rnd() < 0.1) m.push(['is-managed', 'false']);
    if (rnd() < 0.05) m.push(['maintenance', 'true']);
    if (rnd() < 0.1) m.push(['priority', String(Math.floor(rnd() * 10))]);
    if (rnd() < 0.1) m.push(['multiple-active', pick(rnd, ['block', 'stop_only'])]);
    return m.length > 0 ? `<meta_attributes id="${id}-m">${nvpairs(id, m)}</meta_attributes>` : '';
  };
  const ops = (id: string): string =>
    rnd() < 0.2
      ? `<operations><op id="${id}-mon" name="monitor" interval="10s" on-fail="${pick(rnd, ['ignore', 'block', 'stop', 'restart', 'fence', 'standby'])}"/>` +
        `<op id="${id}-stop" name="stop" interval="0"${rnd() < 0.3 ? ' on-fail="block"' : ''}/></operations>`
      : '';
  const primitive = (id: string, cls: string): string =>
    `<primitive id="${id}" class="${cls}" ${cls === 'ocf' ? 'provider="heartbeat" ' : ''}type="${cls === 'stonith' ? 'fence_dummy' : 'Dummy'}">${meta(id)}${ops(id)}</primitive>`;

  const resources: string[] = [];
  const historyIds: string[] = [];
  const primitives = Math.floor(rnd() * 3);
  for (let i = 0; i < primitives; i++) {
    resources.push(primitive(`p${i}`, pick(rnd, ['ocf', 'ocf', 'ocf', 'lsb', 'stonith'])));
    historyIds.push(`p${i}`);
  }
  if (rnd() < 0.5) {
    resources.push(`<group id="g">${meta('g')}${primitive('ga', 'ocf')}${primitive('gb', 'ocf')}</group>`);
    historyIds.push('ga', 'gb');
  }
  if (rnd() < 0.6) {
    const promotable = rnd() < 0.4;
    const cm: [string, string][] = [];
    if (promotable) cm.push(['promotable', 'true']);
    if (rnd() < 0.3) cm.push(['globally-unique', 'true']);
    if (rnd() < 0.3) cm.push(['clone-max', String(Math.floor(rnd() * 4))]);
    if (rnd() < 0.1) cm.push(['target-role', 'Stopped']);
    const grouped = rnd() < 0.25;
    // Promotable clones of agents without promotion are invalid configuration, not a status question.
    const child = grouped
      ? `<group id="cg">${primitive('ca', 'ocf')}${primitive('cb', 'ocf')}</group>`
      : primitive('c', promotable ? 'ocf' : pick(rnd, ['ocf', 'ocf', 'lsb']));
    resources.push(`<clone id="cl"><meta_attributes id="cl-m">${nvpairs('cl', cm)}</meta_attributes>${child}</clone>`);
    historyIds.push(...(grouped ? ['ca', 'cb', 'ca:0', 'ca:1'] : ['c', 'c', 'c:0', 'c:1', 'c:2']));
  }
  if (rnd() < 0.3) historyIds.push('orphan1');

  const kinds = Object.keys(HISTORIES);
  const states = nodes
    .map((n) => {
      if (n.state === 'none') return '';
      const seen = new Set<string>();
      const entries: string[] = [];
      for (const r of historyIds) {
        if (rnd() >= 0.5 || seen.has(r)) continue;
        seen.add(r);
        entries.push(`<lrm_resource id="${r}" class="ocf" provider="heartbeat" type="Dummy">${HISTORIES[pick(rnd, kinds)]!(w, r, n.name).join('')}</lrm_resource>`);
      }
      const transient = n.transientStandby
        ? `<transient_attributes id="${n.id}"><instance_attributes id="t-${n.id}">${nvpairs(`t-${n.id}`, [['standby', 'on']])}</instance_attributes></transient_attributes>`
        : '';
      return `<node_state id="${n.id}" uname="${n.name}" ${MEMBERSHIP[n.state]!}>${transient}<lrm id="${n.id}"><lrm_resources>${entries.join('')}</lrm_resources></lrm></node_state>`;
    })
    .join('');
  const nodeXml = nodes
    .map((n) => {
      const attrs: [string, string][] = [];
      if (n.standby) attrs.push(['standby', 'on']);
      if (n.maintenance) attrs.push(['maintenance', 'true']);
      const set = attrs.length > 0 ? `<instance_attributes id="na-${n.id}">${nvpairs(`na-${n.id}`, attrs)}</instance_attributes>` : '';
      return `<node id="${n.id}" uname="${n.name}">${set}</node>`;
    })
    .join('');
  return (
    `<cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0" have-quorum="${rnd() < 0.8 ? 1 : 0}" dc-uuid="1">` +
    `<configuration><crm_config><cluster_property_set id="o">${nvpairs('o', props)}</cluster_property_set></crm_config>` +
    `<nodes>${nodeXml}</nodes><resources>${resources.join('')}</resources><constraints/></configuration><status>${states}</status></cib>`
  );
}
