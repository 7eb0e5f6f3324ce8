import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import type { NodeHistory } from '../../src/scheduler/model.js';
import { recoversByDemotion } from '../../src/scheduler/promotable/on-fail.js';
import { quorumDemotes } from '../../src/scheduler/promotable/quorum.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function op(rsc: string, task: string, rc: number, call: number, intervalMs = 0): string {
  const id = intervalMs > 0 ? `${rsc}_${task}_${intervalMs}` : `${rsc}_${task}_0`;
  return `<lrm_rsc_op id="${id}" operation="${task}" interval="${intervalMs}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>`;
}

interface Options {
  quorum: boolean;
  policy: string;
  /** History of rsc1 on node1 after its promotion. */
  node1Extra?: string;
  monitorOnFail?: string;
}

/** Two nodes; promotable ms1 promoted on node1 and unpromoted on node2; plain rsc2 on node2. */
function cib(o: Options): string {
  const state = (n: string, rscOps: string, extra: string): string => `
    <node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member">
      <lrm id="${n}"><lrm_resources>
        <lrm_resource id="rsc1" class="ocf" provider="pacemaker" type="Stateful">${rscOps}</lrm_resource>${extra}
      </lrm_resources></lrm>
    </node_state>`;
  const onFail = o.monitorOnFail ? ` on-fail="${o.monitorOnFail}"` : '';
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="${o.quorum ? 1 : 0}" dc-uuid="node1">
  <configuration>
    <crm_config><cluster_property_set id="opts">
      <nvpair id="o1" name="stonith-enabled" value="false"/>
      <nvpair id="o2" name="no-quorum-policy" value="${o.policy}"/>
    </cluster_property_set></crm_config>
    <nodes><node id="node1" uname="node1"/><node id="node2" uname="node2"/></nodes>
    <resources>
      <clone id="ms1">
        <meta_attributes id="ms1-meta"><nvpair id="ms1-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="rsc1" class="ocf" provider="pacemaker" type="Stateful">
          <operations><op id="rsc1-mon" name="monitor" interval="10s" role="Promoted"${onFail}/></operations>
        </primitive>
      </clone>
      <primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy"/>
    </resources>
    <constraints>
      <rsc_location id="prefer-node1" rsc="ms1" role="Promoted" node="node1" score="10"/>
      <rsc_location id="prefer-node2" rsc="ms1" role="Promoted" node="node2" score="5"/>
    </constraints>
  </configuration>
  <status>
    ${state('node1', op('rsc1', 'start', 0, 1) + op('rsc1', 'promote', 0, 2) + (o.node1Extra ?? ''), '')}
    ${state('node2', op('rsc1', 'start', 0, 1), `<lrm_resource id="rsc2" class="ocf" provider="pacemaker" type="Dummy">${op('rsc2', 'start', 0, 3)}</lrm_resource>`)}
  </status>
</cib>`;
}

const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));

describe('no-quorum-policy=demote', () => {
  it('applies only without quorum', () => {
    expect(quorumDemotes({ haveQuorum: false, noQuorumPolicy: 'demote' })).toBe(true);
    expect(quorumDemotes({ haveQuorum: true, noQuorumPolicy: 'demote' })).toBe(false);
    expect(quorumDemotes({ haveQuorum: false, noQuorumPolicy: 'stop' })).toBe(false);
  });

  it('demotes the promoted instance, keeps the unpromoted one and stops everything else', () => {
    const result = schedule(parseXml(cib({ quorum: false, policy: 'demote' })), { now: NOW });
    expect(result.unsupported).toEqual([]);
    expect(squash(result.summary)).toEqual(['* Demote rsc1:0 ( Promoted -> Unpromoted node1 )', '* Stop rsc2 ( node2 ) due to no quorum']);
  });

  it('with quorum the same cluster is left alone', () => {
    expect(schedule(parseXml(cib({ quorum: true, policy: 'demote' })), { now: NOW }).summary).toEqual([]);
  });
});

describe('on-fail=demote', () => {
  const base: NodeHistory = {
    node: undefined as never,
    role: 'Promoted',
    failed: true,
    onFail: 'demote',
    stopFailed: false,
    recurring: new Map(),
    definitionChanged: false,
    notInstalled: false,
    hardBan: false,
    fatal: false,
    activeOps: [],
    stoppedInHistory: false,
    otherAgent: false,
  };

  it('recognises only a standing promoted failure with on-fail=demote', () => {
    expect(recoversByDemotion(base)).toBe(true);
    expect(recoversByDemotion({ ...base, onFail: 'restart' })).toBe(false);
    expect(recoversByDemotion({ ...base, failed: false })).toBe(false);
    expect(recoversByDemotion({ ...base, role: 'Unpromoted' })).toBe(false);
    expect(recoversByDemotion({ ...base, stopFailed: true })).toBe(false);
  });

  it('a failed promoted monitor demotes in place and the promotion goes elsewhere', () => {
    const failedMonitor = op('rsc1', 'monitor', 7, 4, 10_000);
    const result = schedule(parseXml(cib({ quorum: true, policy: 'stop', node1Extra: failedMonitor, monitorOnFail: 'demote' })), { now: NOW });
    const lines = squash(result.summary);
    expect(lines).toContain('* Demote rsc1:0 ( Promoted -> Unpromoted node1 )');
    expect(lines).toContain('* Promote rsc1:1 ( Unpromoted -> Promoted node2 )');
    expect(lines.some((l) => l.startsWith('* Recover'))).toBe(false);
  });

  it('without on-fail=demote the same failure recovers the instance', () => {
    const failedMonitor = op('rsc1', 'monitor', 7, 4, 10_000);
    const result = schedule(parseXml(cib({ quorum: true, policy: 'stop', node1Extra: failedMonitor })), { now: NOW });
    expect(squash(result.summary).some((l) => l.startsWith('* Recover rsc1:0'))).toBe(true);
  });
});

describe('a failed demote', () => {
  it('leaves the instance counted as unpromoted, to be recovered', () => {
    const failedDemote = op('rsc1', 'demote', 1, 5);
    const lines = squash(schedule(parseXml(cib({ quorum: true, policy: 'stop', node1Extra: failedDemote })), { now: NOW }).summary);
    expect(lines.some((l) => l.startsWith('* Recover rsc1:0 ( Unpromoted'))).toBe(true);
    expect(lines.some((l) => l.includes('Promoted -> Unpromoted'))).toBe(false);
  });
});
