import { element, firstChild, parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { formatVersion } from './cib-version.js';
import type { DaemonStatus } from './status-types.js';

export type NodeCondition = 'online' | 'offline' | 'unclean';

export interface NodeLine {
  name: string;
  id: number;
  condition: NodeCondition;
  isDc: boolean;
  expectedUp: boolean;
}

/**
 * Each configured node as crm_mon shows it. Membership decides who is up (it is fresher than
 * any CIB copy); the CIB's node_state says whether a node that is gone was expected up — gone
 * without saying goodbye is UNCLEAN until fenced or cleared, as in Pacemaker.
 */
export function nodeLines(status: DaemonStatus): NodeLine[] {
  const cib = parseXml(status.cib, 'status CIB');
  const states = firstChild(cib, 'status')?.children.filter((c) => c.name === 'node_state') ?? [];
  return status.peers.map((p) => {
    const state = states.find((s) => s.attrs.uname === p.name);
    const expectedUp = state?.attrs.expected === 'member';
    const condition: NodeCondition = status.view.members.includes(p.name) ? 'online' : expectedUp ? 'unclean' : 'offline';
    return { name: p.name, id: p.id, condition, isDc: status.view.dc === p.name, expectedUp };
  });
}

function partitionText(status: DaemonStatus): string {
  const v = status.view;
  if (v.partition === 'whole-cluster') return 'partition with quorum';
  return v.quorate ? 'partition with quorum' : 'partition WITHOUT quorum';
}

const resourceCount = (cib: XmlElement): number => {
  const resources = firstChild(firstChild(cib, 'configuration') ?? cib, 'resources');
  let n = 0;
  const walk = (el: XmlElement): void => {
    for (const c of el.children) {
      if (c.name === 'primitive') n++;
      else walk(c);
    }
  };
  if (resources) walk(resources);
  return n;
};

export interface Paint {
  red: (s: string) => string;
  green: (s: string) => string;
  yellow: (s: string) => string;
  bold: (s: string) => string;
}

/** crm_mon -1's layout, with vigil's membership and packet counters after it. */
export function renderStatusText(status: DaemonStatus, paint: Paint, nowIso: string): string {
  const nodes = nodeLines(status);
  const cib = parseXml(status.cib, 'status CIB');
  const v = status.view;
  const out: string[] = [];
  out.push('Cluster Summary:');
  out.push(`  * Stack: vigil (cluster ${status.cluster})`);
  out.push(v.dc === null ? `  * Current DC: NONE` : `  * Current DC: ${v.dc} - ${v.quorate ? partitionText(status) : paint.red(partitionText(status))}`);
  out.push(`  * Last updated: ${nowIso} on ${status.node}`);
  out.push(`  * CIB version: ${formatVersion(status.cibVersion)}`);
  out.push(`  * ${nodes.length} node${nodes.length === 1 ? '' : 's'} configured`);
  const rc = resourceCount(cib);
  out.push(`  * ${rc} resource instance${rc === 1 ? '' : 's'} configured`);
  out.push('');
  out.push('Node List:');
  const online = nodes.filter((n) => n.condition === 'online').map((n) => n.name);
  const offline = nodes.filter((n) => n.condition === 'offline').map((n) => n.name);
  for (const n of nodes.filter((x) => x.condition === 'unclean')) out.push(`  * Node ${n.name}: ${paint.red('UNCLEAN (offline)')}`);
  if (online.length > 0) out.push(`  * Online: [ ${paint.green(online.join(' '))} ]`);
  if (offline.length > 0) out.push(`  * OFFLINE: [ ${paint.yellow(offline.join(' '))} ]`);
  out.push('');
  out.push('Full List of Resources:');
  out.push(rc === 0 ? '  * No resources' : `  * ${rc} configured (resource state is shown once the controller runs)`);
  out.push('');
  out.push('Membership:');
  out.push(`  * View ${v.id}: ${v.members.join(' ')} (coordinator ${v.coordinator}); votes ${v.votes}/${v.expectedVotes}, quorum at ${v.quorumVotes}`);
  for (const p of status.peers.filter((x) => !x.self)) {
    const links = p.silentMsByLink.map((ms, i) => `link ${i}: ${ms === null ? 'never heard' : `heard ${ms} ms ago`}`).join(', ');
    out.push(`  * ${p.name}: ${p.state}${links ? ` (${links})` : ''}`);
  }
  out.push(`  * Local health: score ${status.health.score}, event-loop lag now ${status.health.lastLagMs} ms, worst ${status.health.worstLagMs} ms`);
  out.push('');
  out.push('Packets:');
  const c = status.counters;
  out.push(`  * sent ${c.sent}, received ${c.received}, delivered ${c.delivered}, send errors ${c.sendErrors}`);
  const drops = [
    ['malformed', c.droppedMalformed],
    ['bad MAC', c.droppedBadMac],
    ['bad cipher', c.droppedBadCipher],
    ['replayed', c.droppedReplay],
    ['unknown sender', c.droppedUnknownSender],
    ['clear text', c.droppedPlaintext],
    ['streams rejected', c.streamRejected],
  ] as const;
  const total = drops.reduce((s, [, n]) => s + n, 0);
  const dropText = `  * dropped: ${drops.map(([k, n]) => `${k} ${n}`).join(', ')}`;
  out.push(total > 0 ? paint.yellow(dropText) : dropText);
  return out.join('\n') + '\n';
}

/** The detection time the configuration gives, for `vigil status --timing`. */
export function renderTiming(t: DaemonStatus['timing']): string {
  return (
    [
      `keepalive      ${t.keepaliveMs} ms`,
      `warntime       ${t.warnMs} ms`,
      `deadtime       ${t.deadMs} ms`,
      `initdead       ${t.initDeadMs} ms`,
      `tick           ${t.tickMs} ms`,
      `worst-case detection of a dead node: ${t.worstCaseDetectionMs} ms (deadtime + one tick)`,
    ].join('\n') + '\n'
  );
}

/** crm_mon --output-as xml's <pacemaker-result> shape, with a vigil-specific <membership> part. */
export function renderStatusXml(status: DaemonStatus, nowIso: string): string {
  const nodes = nodeLines(status);
  const cib = parseXml(status.cib, 'status CIB');
  const v = status.view;
  const dc = nodes.find((n) => n.isDc);
  const summary = element('summary', {}, [
    element('stack', { type: 'vigil', 'pacemakerd-state': 'running' }),
    element(
      'current_dc',
      dc ? { present: 'true', version: '', name: dc.name, id: String(dc.id), with_quorum: String(v.quorate), mixed_version: 'false' } : { present: 'false' },
    ),
    element('last_update', { time: nowIso, origin: status.node }),
    element('nodes_configured', { number: String(nodes.length) }),
    element('resources_configured', { number: String(resourceCount(cib)), disabled: '0', blocked: '0' }),
  ]);
  const nodesEl = element(
    'nodes',
    {},
    nodes.map((n) =>
      element('node', {
        name: n.name,
        id: String(n.id),
        online: String(n.condition === 'online'),
        standby: 'false',
        standby_onfail: 'false',
        maintenance: 'false',
        pending: 'false',
        unclean: String(n.condition === 'unclean'),
        shutdown: 'false',
        expected_up: String(n.expectedUp),
        is_dc: String(n.isDc),
        resources_running: '0',
        type: 'member',
      }),
    ),
  );
  const c = status.counters;
  const membership = element('membership', { view: String(v.id), coordinator: v.coordinator, partition: v.partition, votes: String(v.votes), expected_votes: String(v.expectedVotes) }, [
    element('packets', Object.fromEntries(Object.entries(c).filter(([, val]) => typeof val === 'number').map(([k, val]) => [k, String(val)]))),
  ]);
  const root = element('pacemaker-result', { 'api-version': '2.30', request: 'vigil status --output-as xml' }, [
    summary,
    nodesEl,
    element('resources'),
    membership,
    element('status', { code: '0', message: 'OK' }),
  ]);
  return serializeXml(root, { declaration: true });
}
