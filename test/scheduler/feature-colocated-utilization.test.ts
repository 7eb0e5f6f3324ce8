import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';

const NOW = 1_700_000_000;

function util(id: string, cpu: number): string {
  return `<utilization id="${id}-u"><nvpair id="${id}-u-cpu" name="cpu" value="${cpu}"/></utilization>`;
}

/** n1 and n2 with the given cpus; rsc1 leads, the others are colocated with it at INFINITY. */
function cib(n1: number, n2: number, rscs: Record<string, number>, extra = ''): string {
  const prims = Object.entries(rscs)
    .map(([id, cpu]) => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${util(id, cpu)}</primitive>`)
    .join('');
  const cols = Object.keys(rscs)
    .filter((id) => id !== 'rsc1')
    .map((id) => `<rsc_colocation id="${id}-with-rsc1" rsc="${id}" with-rsc="rsc1" score="INFINITY"/>`)
    .join('');
  const state = (n: string): string => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"/>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="placement-strategy" value="utilization"/><nvpair id="o3" name="enable-startup-probes" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1">${util('n1', n1)}</node><node id="n2" uname="n2">${util('n2', n2)}</node></nodes>
    <resources>${prims}</resources>
    <constraints>${cols}${extra}</constraints>
  </configuration>
  <status>${state('n1')}${state('n2')}</status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('colocated utilization', () => {
  it('places the leader where the whole colocated set fits', () => {
    // Alone, rsc1 would take n1 (name order); with its two followers only n2 has room for all.
    expect(summary(cib(4, 6, { rsc1: 2, rsc2: 2, rsc3: 2 }))).toEqual(['* Start rsc1 ( n2 )', '* Start rsc2 ( n2 )', '* Start rsc3 ( n2 )']);
  });

  it('prefers the roomiest node on a tie when the set fits nowhere whole', () => {
    expect(summary(cib(2, 4, { rsc1: 2, rsc2: 2, rsc3: 2 }))).toEqual(['* Start rsc1 ( n2 )', '* Start rsc2 ( n2 )']);
  });

  it('only counts nodes the leader may run on', () => {
    // n1 could hold the set but rsc1 is banned there; n2 cannot: rsc1 goes by its own demand.
    const ban = '<rsc_location id="ban" rsc="rsc1" node="n1" score="-INFINITY"/>';
    expect(summary(cib(4, 2, { rsc1: 0, rsc2: 4 }, ban))).toEqual(['* Start rsc1 ( n2 )']);
  });
});
