import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';

const NOW = 1_700_000_000;

/** A probe result recorded `age` seconds ago with result code `rc`. */
function probe(id: string, rc: number, age: number, call: number): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="${id}_last_failure_0" operation="monitor" interval="0" call-id="${call}" rc-code="${rc}" op-status="0" last-rc-change="${NOW - age}" transition-key="1:1:7:x" transition-magic="0:${rc};1:1:7:x"/></lrm_resource>`;
}

function cib(resources: string, status: Record<string, string>): string {
  const nodes = ['n1', 'n2'];
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes.map((n) => `<node id="${n}" uname="${n}"/>`).join('')}</nodes>
    <resources>${resources}</resources>
    <constraints/>
  </configuration>
  <status>${nodes.map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${status[n] ?? ''}</lrm_resources></lrm></node_state>`).join('')}</status>
</cib>`;
}

const timeout = (id: string, t: string): string => `<meta_attributes id="${id}-m"><nvpair id="${id}-m-ft" name="failure-timeout" value="${t}"/></meta_attributes>`;

describe('failed probes', () => {
  it('bans a resource from a node where the agent is not installed', () => {
    const xml = cib('<primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/>', { n1: probe('r', 5, 60, 2) });
    const result = schedule(parseXml(xml), { now: NOW });
    expect(result.placements.r.node).toBe('n2');
  });

  it('forgets a probe failure its failure-timeout has expired: no ban, and the node is probed again', () => {
    const xml = cib(`<primitive id="r" class="ocf" provider="pacemaker" type="Dummy">${timeout('r', '10')}</primitive>`, { n1: probe('r', 5, 60, 2), n2: probe('r', 5, 60, 3) });
    const result = schedule(parseXml(xml), { now: NOW });
    expect(result.placements.r.node).not.toBeNull();
    const probes = result.graph.actions.filter((a) => a.kind === 'resource' && a.task === 'monitor' && a.intervalMs === 0);
    expect(probes.map((a) => (a.kind === 'resource' ? a.node : '')).sort()).toEqual(['n1', 'n2']);
  });

  it('keeps the ban while the failure-timeout has not passed', () => {
    const xml = cib(`<primitive id="r" class="ocf" provider="pacemaker" type="Dummy">${timeout('r', '600')}</primitive>`, { n1: probe('r', 5, 60, 2), n2: probe('r', 5, 60, 3) });
    expect(schedule(parseXml(xml), { now: NOW }).placements.r.node).toBeNull();
  });

  it('bans a whole anonymous clone from a node where one instance found its agent missing', () => {
    const xml = cib('<clone id="c"><primitive id="r" class="ocf" provider="pacemaker" type="Dummy"/></clone>', { n1: probe('r', 5, 60, 2) });
    const nodes = Object.values(schedule(parseXml(xml), { now: NOW }).placements).map((p) => p.node);
    expect(nodes.filter((n) => n === 'n1')).toEqual([]);
    expect(nodes.filter((n) => n === 'n2')).toHaveLength(1);
  });
});
