import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function util(id: string, cpu: number): string {
  return `<utilization id="${id}-u"><nvpair id="${id}-u-cpu" name="cpu" value="${cpu}"/></utilization>`;
}

function running(id: string): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;
}

/** rsc1 runs on n1, rsc2 on n2; each needs one cpu; n1 has `n1Cpu`, n2 one. */
function cib(strategy: string, n1Cpu: number): string {
  const state = (n: string, rsc: string): string => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${running(rsc)}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="placement-strategy" value="${strategy}"/><nvpair id="o3" name="enable-startup-probes" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1">${util('n1', n1Cpu)}</node><node id="n2" uname="n2">${util('n2', 1)}</node></nodes>
    <resources>
      <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy">${util('rsc1', 1)}</primitive>
      <primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy">${util('rsc2', 1)}</primitive>
    </resources>
    <constraints/>
    <rsc_defaults><meta_attributes id="d"><nvpair id="d-s" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>
  </configuration>
  <status>${state('n1', 'rsc1')}${state('n2', 'rsc2')}</status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('allocation order under a placement strategy', () => {
  it('lets the resource that sticks to the roomiest node keep it, before one that must leave its node', () => {
    // n1 has no room left: rsc1 must go, but rsc2, allocated first, keeps n2.
    expect(summary(cib('balanced', 0))).toEqual(['* Stop rsc1 ( n1 ) due to node availability']);
  });

  it('changes nothing when both fit where they are', () => {
    expect(summary(cib('balanced', 1))).toEqual([]);
  });
});

describe('allocation order with colocations', () => {
  it("weighs a resource by the scores of what it is colocated with: a dependent banned with its primary does not go first", () => {
    // rsc2 is first by its own scores (n1, the roomiest node, allows it), but colocated with
    // rsc1, which n1 bans: equal then, the configuration order stands and rsc1's actions lead.
    const xml = `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="placement-strategy" value="utilization"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1">${util('n1', 4)}</node><node id="n2" uname="n2">${util('n2', 2)}</node></nodes>
    <resources>
      <primitive id="rsc1" class="ocf" provider="pacemaker" type="Dummy"/>
      <primitive id="rsc2" class="ocf" provider="pacemaker" type="Dummy">${util('rsc2', 4)}</primitive>
    </resources>
    <constraints><rsc_location id="l" rsc="rsc1" node="n1" score="-INFINITY"/><rsc_colocation id="c" rsc="rsc2" with-rsc="rsc1" score="INFINITY"/></constraints>
  </configuration>
  <status>${['n1', 'n2'].map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"/>`).join('')}</status>
</cib>`;
    const graph = schedule(parseXml(xml), { now: NOW }).graph.actions;
    const owners = graph.map((a) => (a.kind === 'resource' ? a.resource.id : '')).filter(Boolean);
    expect(owners[0]).toBe('rsc1');
    expect(owners.lastIndexOf('rsc1')).toBeLessThan(owners.indexOf('rsc2'));
  });
});
