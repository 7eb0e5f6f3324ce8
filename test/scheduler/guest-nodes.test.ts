import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member, remoteNode } from './fixtures.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function lrm(id: string, agent: string, ops: { task: string; rc?: number; interval?: number }[]): string {
  const [cls, provider, type] = agent.split(':');
  const body = ops
    .map((o, i) => {
      const rc = o.rc ?? 0;
      return `<lrm_rsc_op id="${id}_${o.task}_${i}" operation="${o.task}" interval="${o.interval ?? 0}" call-id="${i + 2}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="${i}:1:0:x" transition-magic="0:${rc};${i}:1:0:x"/>`;
    })
    .join('');
  return `<lrm_resource id="${id}" class="${cls}" provider="${provider}" type="${type}">${body}</lrm_resource>`;
}

const started = (id: string, agent: string): string => lrm(id, agent, [{ task: 'start' }]);

interface Spec {
  /** n1 left the cluster cleanly (expected down) rather than being a member. */
  n1Left?: boolean;
  n1: string[];
  n2?: string[];
  guest?: string[];
  constraints?: string;
}

/** Members n1 and n2; container `vm` (remote-node guest1); `web` prefers the guest. */
function cib(s: Spec): string {
  return cibXml({
    resources: `<primitive id="fence" class="stonith" type="fence_dummy"/>
      <primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
        <meta_attributes id="vm-meta"><nvpair id="vm-rn" name="remote-node" value="guest1"/></meta_attributes>
      </primitive>
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy"/>`,
    constraints: `<rsc_location id="web-on-guest" rsc="web" node="guest1" score="100"/>${s.constraints ?? ''}`,
    status: `${member('n1', s.n1.join(''), s.n1Left ? 'left' : 'online')}${member('n2', (s.n2 ?? []).join(''))}${s.guest ? remoteNode('guest1', s.guest.join('')) : ''}`,
  });
}

const run = (s: Spec) => schedule(parseXml(cib(s)), { now: NOW, detail: true });
const FENCE = started('fence', 'stonith::fence_dummy');
const VM = 'ocf:heartbeat:VirtualDomain';
const CONN = 'ocf:pacemaker:remote';
const WEB = 'ocf:pacemaker:Dummy';

describe('guest nodes', () => {
  it('brings the guest up with its container: container, then connection, then what runs inside', () => {
    const r = run({ n1: [FENCE] });
    expect(r.unsupported).toEqual([]);
    expect(r.placements.vm.node).toMatch(/^n[12]$/);
    // The implicit connection is named after the guest and runs beside the container.
    expect(r.placements.guest1.node).toBe(r.placements.vm.node);
    expect(r.placements.web.node).toBe('guest1');
    const keys = r.graph.actions.map((a) => ('key' in a ? a.key : ''));
    const id = (k: string): number => r.graph.actions[keys.indexOf(k)].id;
    const inputsOf = (k: string): number[] => r.graph.actions[keys.indexOf(k)].inputs;
    expect(inputsOf('guest1_start_0')).toContain(id('vm_start_0'));
    expect(inputsOf('web_start_0')).toContain(id('guest1_start_0'));
    // The summary lists the implicit connection after everything configured.
    expect(r.summary.at(-1)).toMatch(/Start\s+guest1\s+\(\s*n[12]\s*\)/);
  });

  it('changes nothing while container, connection and contents run', () => {
    const r = run({ n1: [started('vm', VM), started('guest1', CONN)], n2: [FENCE], guest: [started('web', WEB)] });
    expect(r.summary).toEqual([]);
  });

  it('never runs a guest container, a connection or a fencing device on a guest', () => {
    const r = run({ n1: [FENCE, started('vm', VM), started('guest1', CONN)], guest: [started('web', WEB)] });
    for (const id of ['vm', 'guest1', 'fence']) expect(r.scores[id].guest1).toBeLessThanOrEqual(-1_000_000);
  });

  it('"fences" a guest whose container failed by recovering the container, and recovers what ran inside', () => {
    const r = run({
      n1: [FENCE, lrm('vm', VM, [{ task: 'start' }, { task: 'monitor', interval: 10000, rc: 7 }]), started('guest1', CONN)],
      guest: [started('web', WEB)],
    });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Fence \(reboot\) guest1 \(resource: vm\) 'guest is unclean'/);
    expect(text).toMatch(/Recover\s+vm\s+\(\s*n1\s*\)/);
    expect(text).toMatch(/Recover\s+web\s+\(\s*guest1\s*\)/);
    // What ran inside stops with the guest (a pseudo stop after the pseudo fencing), not by itself.
    const pseudo = r.graph.actions.filter((a) => a.kind === 'pseudo').map((a) => a.key);
    expect(pseudo).toContain('stonith-guest1-reboot');
    expect(pseudo).toContain('web_stop_0');
  });

  it('restarts what runs in a guest whose container moves', () => {
    const r = run({
      n1: [FENCE, started('vm', VM), started('guest1', CONN)],
      guest: [started('web', WEB)],
      constraints: '<rsc_location id="vm-away" rsc="vm" node="n1" score="-INFINITY"/>',
    });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Move\s+vm\s+\(\s*n1 -> n2\s*\)/);
    expect(text).toMatch(/Restart\s+web\s+\(\s*guest1\s*\)\s+due to required vm start/);
    expect(text).toMatch(/Move\s+guest1\s+\(\s*n1 -> n2\s*\)/);
  });

  it('resets a guest that is down while its history says something runs there', () => {
    const r = run({ n1: [FENCE], guest: [started('web', WEB)] });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Fence \(reboot\) guest1 \(resource: vm\) 'guest is unclean'/);
    expect(text).toMatch(/Start\s+vm\s+/);
  });

  it('goes down with its host: a host that left while its history says the container runs is fenced, and the guest reset', () => {
    const r = run({ n1Left: true, n1: [started('vm', VM), started('guest1', CONN)], n2: [FENCE], guest: [started('web', WEB)] });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Fence \(reboot\) guest1 \(resource: vm\) 'guest is unclean'/);
    expect(text).toMatch(/Fence \(reboot\) n1 'vm is thought to be active there'/);
    expect(text).toMatch(/Recover\s+vm\s+\(\s*n1 -> n2\s*\)/);
    expect(text).toMatch(/Recover\s+web\s+\(\s*guest1\s*\)/);
  });

  it('moves the container of a guest reset only because its host is lost: nothing failed inside', () => {
    const r = run({ n1Left: true, n1: [started('vm', VM), started('guest1', CONN)], n2: [FENCE], guest: [] });
    const text = r.summary.join('\n');
    expect(text).toMatch(/Fence \(reboot\) guest1 \(resource: vm\) 'guest is unclean'/);
    expect(text).toMatch(/Move\s+vm\s+\(\s*n1 -> n2\s*\)/);
  });
});
