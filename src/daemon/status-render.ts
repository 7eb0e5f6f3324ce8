import { clusterStatus, renderCrmMon, renderCrmMonXml } from '../status/index.js';
import { element, firstChild, parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
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
 * Each configured node as membership sees it right now, for programs (--output-as json).
 * Membership decides who is up; the CIB's node_state says whether a node that is gone was
 * expected up — gone without saying goodbye is UNCLEAN until fenced or cleared, as in Pacemaker.
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

export interface Paint {
  yellow: (s: string) => string;
  red: (s: string) => string;
}

/**
 * `vigil status`: crm_mon -1's text for the CIB this node holds (src/status), then what only
 * vigil shows: the membership view, each peer's links, local health and the packet counters.
 */
export function renderStatusText(status: DaemonStatus, colour: boolean, paint: Paint, nowMs: number): string {
  const view = clusterStatus(parseXml(status.cib, 'status CIB'), { now: nowMs });
  return renderCrmMon({ ...view, summary: { ...view.summary, lastUpdated: nowMs } }, { colour }).replace(/\n*$/, '\n') + '\n' + membershipText(status, paint);
}

function membershipText(status: DaemonStatus, paint: Paint): string {
  const v = status.view;
  const out: string[] = [];
  out.push('Membership:');
  out.push(`  * View ${v.id}: ${v.members.join(' ')} (coordinator ${v.coordinator}); votes ${v.votes}/${v.expectedVotes}, quorum at ${v.quorumVotes}`);
  for (const p of status.peers.filter((x) => !x.self)) {
    const links = p.silentMsByLink.map((ms, i) => `link ${i}: ${ms === null ? 'never heard' : `heard ${ms} ms ago`}`).join(', ');
    const state = p.state === 'lost' ? paint.red(p.state) : p.state === 'suspect' || p.state === 'stalled' ? paint.yellow(p.state) : p.state;
    out.push(`  * ${p.name}: ${state}${links ? ` (${links})` : ''}`);
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
    ["a peer's earlier life", c.controller.staleIncarnation],
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
      `a stopped or starved daemon whose host still answers is held up to ${t.stallHoldMs} ms of silence`,
    ].join('\n') + '\n'
  );
}

/** crm_mon --output-as xml's <pacemaker-result>, with a vigil-specific <membership> before <status>. */
export function renderStatusXml(status: DaemonStatus, nowMs: number): string {
  const result = parseXml(renderCrmMonXml(clusterStatus(parseXml(status.cib, 'status CIB'), { now: nowMs })), 'crm_mon xml');
  const at = result.children.findIndex((c) => c.name === 'status');
  result.children.splice(at < 0 ? result.children.length : at, 0, membershipXml(status));
  return serializeXml(result, { declaration: true });
}

function membershipXml(status: DaemonStatus): XmlElement {
  const v = status.view;
  const numeric = Object.entries(status.counters).filter(([, val]) => typeof val === 'number');
  return element('membership', { view: String(v.id), coordinator: v.coordinator, partition: v.partition, votes: String(v.votes), expected_votes: String(v.expectedVotes) }, [
    ...status.peers.map((p) =>
      element('peer', { name: p.name, state: p.state, in_view: String(p.inView), silent_ms_by_link: p.silentMsByLink.map((ms) => (ms === null ? '-' : String(ms))).join(',') }),
    ),
    element('health', { score: String(status.health.score), loop_lag_ms: String(status.health.lastLagMs), worst_loop_lag_ms: String(status.health.worstLagMs) }),
    element('packets', Object.fromEntries(numeric.map(([k, val]) => [k, String(val)]))),
  ]);
}
