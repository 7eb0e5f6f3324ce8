import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { executeGraph, schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NODES = ['node1', 'node2', 'node3'];

function op(rsc: string, task: string, rc: number, call: number, interval = 0): string {
  return `<lrm_rsc_op id="${rsc}_${task}_${interval}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>`;
}

function stateful(name: string, ops: string): string {
  return `<lrm_resource id="${name}" class="ocf" provider="pacemaker" type="Stateful">${ops}</lrm_resource>`;
}

function cib(resources: string, constraints: string, history: Record<string, string> = {}, promotionScore?: number): string {
  const attrs = (n: string): string => (promotionScore === undefined ? '' : `<transient_attributes id="${n}"><instance_attributes id="ta-${n}"><nvpair id="ta-${n}-m" name="master-st" value="${promotionScore}"/></instance_attributes></transient_attributes>`);
  const states = NODES.map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member">${attrs(n)}<lrm id="${n}"><lrm_resources>${history[n] ?? ''}</lrm_resources></lrm></node_state>`);
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="node1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${NODES.map((n) => `<node id="${n}" uname="${n}"/>`).join('')}</nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status>${states.join('')}</status>
</cib>`;
}

const PROMOTABLE = `<clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-p" name="promotable" value="true"/></meta_attributes>
  <primitive id="st" class="ocf" provider="pacemaker" type="Stateful"><operations><op id="m10" name="monitor" interval="10s"/></operations></primitive></clone>`;

function dummy(id: string, meta = ''): string {
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${meta}</primitive>`;
}

function run(xml: string): { summary: string[]; executed: string[] } {
  const result = schedule(parseXml(xml), { now: 1_700_000_000 });
  const executed = executeGraph(result.graph).map((a) => (a.kind === 'resource' ? `${a.resource.id} ${a.task} ${a.node}` : a.kind));
  return { summary: result.summary.map((l) => l.replace(/\s+/g, ' ').trim()), executed };
}

describe('a mandatory colocation with a primary that cannot start', () => {
  const stoppedGate = dummy('gate', '<meta_attributes id="g-m"><nvpair id="g-t" name="target-role" value="Stopped"/></meta_attributes>');
  const constraints = (score: string): string =>
    `<rsc_colocation id="c1" rsc="ms" rsc-role="Promoted" with-rsc="prim" score="${score}"/><rsc_order id="o1" first="gate" then="prim"/><rsc_location id="l1" rsc="prim" node="node2" score="10"/>`;

  it('still chooses the promoted instance beside the primary, but blocks its promotion', () => {
    const { summary, executed } = run(cib(dummy('prim') + PROMOTABLE + stoppedGate, constraints('INFINITY')));
    expect(summary).toContain('* Start prim ( node2 ) due to unrunnable gate start (blocked)');
    expect(summary.filter((l) => l.startsWith('* Promote'))).toEqual([expect.stringMatching(/^\* Promote st:\d \( Stopped -> Promoted node2 \) due to colocation with prim \(blocked\)$/)]);
    expect(executed.filter((l) => l.includes(' promote '))).toEqual([]);
    expect(executed.filter((l) => l.startsWith('st:') && l.includes(' start '))).toHaveLength(3);
  });

  it('an optional colocation blocks nothing: an instance is promoted anyway', () => {
    const { executed } = run(cib(dummy('prim') + PROMOTABLE + stoppedGate, constraints('100')));
    expect(executed.filter((l) => l.includes(' promote '))).toHaveLength(1);
  });
});

describe('an order from a resource that starts to a running promotable clone', () => {
  const running = (name: string, promoted: boolean): string => stateful(name, op(name, 'start', 0, 2) + (promoted ? op(name, 'promote', 0, 3) : ''));
  const history = { node1: running('st:0', true), node2: running('st:1', false), node3: running('st:2', false) };

  it('restarts every instance, in its role', () => {
    const { summary } = run(cib(dummy('first') + PROMOTABLE, '<rsc_order id="o1" first="first" then="ms"/><rsc_location id="l1" rsc="first" node="node1" score="10"/>', history, 5));
    expect(summary).toEqual([
      '* Start first ( node1 )',
      '* Restart st:0 ( Promoted node1 ) due to required first start',
      '* Restart st:1 ( Unpromoted node2 ) due to required first start',
      '* Restart st:2 ( Unpromoted node3 ) due to required first start',
    ]);
  });

  it('leaves the clone alone when the first is already running', () => {
    const started = { ...history, node1: history.node1 + `<lrm_resource id="first" class="ocf" provider="pacemaker" type="Dummy">${op('first', 'start', 0, 4)}</lrm_resource>` };
    const { summary } = run(cib(dummy('first') + PROMOTABLE, '<rsc_order id="o1" first="first" then="ms"/><rsc_location id="l1" rsc="first" node="node1" score="10"/>', started, 5));
    expect(summary).toEqual([]);
  });
});

describe('promotion among equal scores', () => {
  it('passes over an instance that is being recovered from a failure', () => {
    const failed = stateful('st:0', op('st:0', 'start', 0, 2) + op('st:0', 'monitor', 1, 4, 10000));
    const fine = (name: string): string => stateful(name, op(name, 'start', 0, 2));
    const { summary } = run(cib(PROMOTABLE, '', { node1: failed, node2: fine('st:1'), node3: fine('st:2') }, 5));
    expect(summary).toEqual(['* Recover st:0 ( Unpromoted node1 )', '* Promote st:1 ( Unpromoted -> Promoted node2 )']);
  });
});
