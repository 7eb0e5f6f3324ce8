import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member, remoteNode } from './fixtures.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function op(id: string, agent: string, task: string, rc = 0): string {
  const [cls, provider, type] = agent.split(':');
  return `<lrm_resource id="${id}" class="${cls}" provider="${provider}" type="${type}">
    <lrm_rsc_op id="${id}_last_0" operation="${task}" interval="0" call-id="5" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>
  </lrm_resource>`;
}

/** A connection that started, then whose recurring monitor failed. */
function lostConnection(): string {
  return `<lrm_resource id="remote1" class="ocf" provider="pacemaker" type="remote">
    <lrm_rsc_op id="remote1_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
    <lrm_rsc_op id="remote1_last_failure_0" operation="monitor" interval="60000" call-id="6" rc-code="7" op-status="0" op-digest="${DIGEST}" transition-key="2:1:0:x" transition-magic="0:7;2:1:0:x"/>
  </lrm_resource>`;
}

interface Spec {
  /** Meta attributes of the connection resource `remote1`; omit to leave it out of the configuration. */
  connMeta?: Record<string, string>;
  /** lrm entries on the members n1 and n2, and on remote1. */
  n1: string[];
  n2?: string[];
  remote?: string[];
  /** Location of `web` (score per node). */
  webPrefs?: Record<string, string>;
  stonith?: boolean;
}

function cib(s: Spec): string {
  const meta = s.connMeta
    ? `<meta_attributes id="remote1-meta">${Object.entries(s.connMeta)
        .map(([k, v]) => `<nvpair id="remote1-${k}" name="${k}" value="${v}"/>`)
        .join('')}</meta_attributes>`
    : '';
  const conn = s.connMeta ? `<primitive id="remote1" class="ocf" provider="pacemaker" type="remote">${meta}</primitive>` : '';
  const locs = Object.entries(s.webPrefs ?? {})
    .map(([n, sc]) => `<rsc_location id="web-on-${n}" rsc="web" node="${n}" score="${sc}"/>`)
    .join('');
  return cibXml({
    stonith: s.stonith === true,
    resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      ${conn}
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/>`,
    constraints: locs,
    status: `${member('n1', s.n1.join(''))}${member('n2', (s.n2 ?? []).join(''))}${s.remote ? remoteNode('remote1', s.remote.join('')) : ''}`,
  });
}

const run = (s: Spec) => schedule(parseXml(cib(s)), { now: NOW, detail: true });

describe('remote nodes', () => {
  it('starts a connection on a member and lets resources go to the remote node in the same transition', () => {
    const r = run({ connMeta: {}, n1: [op('fence', 'stonith::fence_dummy', 'start')], webPrefs: { remote1: '100' } });
    expect(r.placements.remote1.node).not.toBe('remote1');
    expect(['n1', 'n2']).toContain(r.placements.remote1.node);
    expect(r.placements.web.node).toBe('remote1');
    expect(r.unsupported).toEqual([]);
  });

  it('never places a connection or a fencing device on a remote node', () => {
    const r = run({
      connMeta: {},
      n1: [op('remote1', 'ocf:pacemaker:remote', 'start')],
      remote: [op('fence', 'stonith::fence_dummy', 'start')],
    });
    expect(r.placements.fence.node).not.toBe('remote1');
    expect(r.scores.fence.remote1).toBeLessThanOrEqual(-1_000_000);
    expect(r.scores.remote1.remote1).toBeLessThanOrEqual(-1_000_000);
  });

  it('stops what runs on the remote node when its connection is disabled', () => {
    const r = run({
      connMeta: { 'target-role': 'Stopped' },
      n1: [op('remote1', 'ocf:pacemaker:remote', 'start')],
      remote: [op('web', 'ocf:pacemaker:Dummy', 'start')],
      webPrefs: { n1: '-INFINITY', n2: '-INFINITY' },
    });
    expect(r.placements.remote1.node).toBeNull();
    expect(r.placements.web.node).toBeNull();
    expect(r.summary.join('\n')).toMatch(/Stop\s+web\s+\(\s*remote1\s*\)\s+due to node availability/);
  });

  it('reads the remote node history only when its connection runs', () => {
    const up = run({ connMeta: {}, n1: [op('remote1', 'ocf:pacemaker:remote', 'start')], remote: [op('web', 'ocf:pacemaker:Dummy', 'start')] });
    expect(up.placements.web.node).toBe('remote1');
    expect(up.summary.join('\n')).not.toMatch(/web/);
    const down = run({ connMeta: { 'target-role': 'Stopped' }, n1: [], remote: [op('web', 'ocf:pacemaker:Dummy', 'start')] });
    // The connection never ran: nothing is known to run on the remote node, so web just starts.
    expect(down.summary.join('\n')).toMatch(/Start\s+web\s+\(\s*n[12]\s*\)/);
  });

  it('takes the node down with a connection that left the configuration', () => {
    const r = run({ n1: [op('remote1', 'ocf:pacemaker:remote', 'start')], remote: [op('web', 'ocf:pacemaker:Dummy', 'start')] });
    expect(r.placements.web.node).not.toBe('remote1');
    expect(r.summary.join('\n')).toMatch(/Stop\s+remote1\s+\(\s*n1\s*\)/);
  });

  it('says so when a failed connection needs a recovery it does not model', () => {
    const r = run({ connMeta: {}, n1: [op('remote1', 'ocf:pacemaker:remote', 'start', 1)] });
    expect(r.unsupported.some((u) => u.includes('remote node remote1'))).toBe(true);
  });

  it('fences a remote node whose connection was lost, and moves its resources', () => {
    const r = run({
      stonith: true,
      connMeta: {},
      n1: [op('fence', 'stonith::fence_dummy', 'start'), lostConnection()],
      remote: [op('web', 'ocf:pacemaker:Dummy', 'start')],
    });
    expect(r.summary.join('\n')).toMatch(/Fence \(reboot\) remote1 'remote connection is unrecoverable'/);
    expect(r.placements.web.node).not.toBe('remote1');
  });

  it('fences a remote node whose connection failed to start while a resource was active there', () => {
    const r = run({
      stonith: true,
      connMeta: {},
      n1: [op('fence', 'stonith::fence_dummy', 'start'), op('remote1', 'ocf:pacemaker:remote', 'start', 1)],
      remote: [op('web', 'ocf:pacemaker:Dummy', 'start')],
    });
    expect(r.summary.join('\n')).toMatch(/Fence \(reboot\) remote1 'web is thought to be active there'/);
  });

  it('revokes the fencing of a down remote node when its connection can start again', () => {
    const r = run({
      stonith: true,
      connMeta: {},
      n1: [op('fence', 'stonith::fence_dummy', 'start'), op('remote1', 'ocf:pacemaker:remote', 'monitor', 7)],
      remote: [op('web', 'ocf:pacemaker:Dummy', 'start')],
    });
    expect(r.summary.join('\n')).not.toMatch(/Fence/);
    expect(r.placements.remote1.node).toBe('n1');
    expect(r.placements.web.node).toBe('remote1');
  });

  it('moves a connection by live migration unless allow-migrate says otherwise', () => {
    const spec = (meta: Record<string, string>): Spec => ({
      connMeta: meta,
      n1: [op('remote1', 'ocf:pacemaker:remote', 'start')],
      webPrefs: {},
    });
    const moved = (meta: Record<string, string>) =>
      schedule(parseXml(cib(spec(meta)).replace('<constraints>', '<constraints><rsc_location id="ban" rsc="remote1" node="n1" score="-INFINITY"/>')), { now: NOW }).summary.join('\n');
    expect(moved({})).toMatch(/Migrate\s+remote1\s+\(\s*n1 -> n2\s*\)/);
    expect(moved({ 'allow-migrate': 'false' })).toMatch(/Move\s+remote1\s+\(\s*n1 -> n2\s*\)/);
  });
});

