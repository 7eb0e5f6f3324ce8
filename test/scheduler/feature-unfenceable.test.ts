import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;
const DIGEST = parametersDigest(new Map());

const op = (id: string, task: string, rc: number, call: number): string =>
  `<lrm_rsc_op id="${id}_${task}_0" operation="${task}" interval="0" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="${call}:1:0:x" transition-magic="0:${rc};${call}:1:0:x"/>`;
const lrm = (id: string, type: string, ops: string): string => `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="${type}">${ops}</lrm_resource>`;

/**
 * No quorum, no-quorum-policy=freeze, a fencing device: n1 is lost (offline, unclean) with `a`
 * (whose stop failed, on-fail=block), `b` and the promoted instance of `ms` on it.
 */
function cib(): string {
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="0" dc-uuid="n2">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="true"/><nvpair id="o2" name="no-quorum-policy" value="freeze"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/></nodes>
    <resources>
      <primitive id="st" class="stonith" type="fence_dummy"/>
      <primitive id="a" class="ocf" provider="pacemaker" type="Dummy"><operations><op id="a-stop" name="stop" interval="0" on-fail="block"/></operations></primitive>
      <primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/>
      <clone id="ms"><meta_attributes id="ms-m"><nvpair id="ms-m1" name="promotable" value="true"/></meta_attributes>
        <primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="false" crmd="offline" join="member" expected="member"><lrm id="n1"><lrm_resources>
      ${lrm('a', 'Dummy', op('a', 'stop', 1, 3))}${lrm('b', 'Dummy', op('b', 'start', 0, 4))}${lrm('s', 'Stateful', op('s', 'promote', 0, 5))}
    </lrm_resources></lrm></node_state>
    <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="n2"><instance_attributes id="st2"><nvpair id="m2" name="master-s" value="10"/></instance_attributes></transient_attributes>
      <lrm id="n2"><lrm_resources>${lrm('s', 'Stateful', op('s', 'start', 0, 5))}</lrm_resources></lrm>
    </node_state>
    <node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n3"><lrm_resources/></lrm></node_state>
  </status>
</cib>`;
}

describe('a node lost while it cannot be fenced (no quorum, frozen)', () => {
  const r = schedule(parseXml(cib()), { now: NOW });
  const text = r.summary.join('\n');

  it('still needs what ran there stopped, and that stop is blocked (the failed stop on-fail=block is moot there)', () => {
    expect(text).toMatch(/Stop\s+a\s+\(\s*n1\s*\)\s+blocked/);
    expect(text).toMatch(/Stop\s+b\s+\(\s*n1\s*\)\s+blocked/);
  });

  it('leaves the instance promoted there holding its promoted slot: no other is promoted', () => {
    expect(text).not.toMatch(/\* Promote\s/);
    expect(r.placements['s:1']?.role).not.toBe('Promoted');
  });
});
