import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';

const NOW = 1_700_000_000;

/** Two nodes; n1 reports `health` in #health-disk; rsc prefers n1 by 50. */
function cib(strategy: string, health: string, opts: { allowUnhealthy?: boolean; props?: Record<string, string> } = {}): string {
  const props = Object.entries({ 'node-health-strategy': strategy, ...(opts.props ?? {}) })
    .map(([k, v]) => `<nvpair id="o-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const meta = opts.allowUnhealthy === true ? '<meta_attributes id="m"><nvpair id="m-a" name="allow-unhealthy-nodes" value="true"/></meta_attributes>' : '';
  const state = (n: string, attrs: string): string =>
    `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="${n}-t"><instance_attributes id="${n}-ta">${attrs}</instance_attributes></transient_attributes></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="enable-startup-probes" value="false"/>${props}</cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy">${meta}</primitive></resources>
    <constraints><rsc_location id="pref" rsc="rsc" node="n1" score="50"/></constraints>
  </configuration>
  <status>${state('n1', `<nvpair id="h" name="#health-disk" value="${health}"/>`)}${state('n2', '')}</status>
</cib>`;
}

function placed(xml: string): string[] {
  const r = schedule(parseXml(xml), { now: NOW });
  expect(r.unsupported).toEqual([]);
  return r.summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('node health', () => {
  it('ignores health attributes without a strategy', () => {
    expect(placed(cib('none', 'red'))).toEqual(['* Start rsc ( n1 )']);
  });

  it('migrate-on-red keeps resources off red nodes only', () => {
    expect(placed(cib('migrate-on-red', 'red'))).toEqual(['* Start rsc ( n2 )']);
    expect(placed(cib('migrate-on-red', 'yellow'))).toEqual(['* Start rsc ( n1 )']);
  });

  it('only-green keeps them off yellow nodes too', () => {
    expect(placed(cib('only-green', 'yellow'))).toEqual(['* Start rsc ( n2 )']);
  });

  it('progressive adds the configured colour scores to the base', () => {
    const props = { 'node-health-yellow': '-40', 'node-health-base': '-20' };
    // 50 - 40 - 20 < 0 on n1; n2's base alone is -20 too: nowhere is allowed.
    expect(placed(cib('progressive', 'yellow', { props }))).toEqual([]);
    expect(placed(cib('progressive', 'yellow', { props: { 'node-health-yellow': '-40' } }))).toEqual(['* Start rsc ( n1 )']);
  });

  it('custom sums numeric health values; allow-unhealthy-nodes is spared a negative sum', () => {
    expect(placed(cib('custom', '-60'))).toEqual(['* Start rsc ( n2 )']);
    expect(placed(cib('custom', '-60', { allowUnhealthy: true }))).toEqual(['* Start rsc ( n1 )']);
  });
});
