import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;
const DIGEST = parametersDigest(new Map());

const op = (id: string, task: string, interval: number, rc: number, call: number): string =>
  `<lrm_rsc_op id="${id}_${task}_${interval}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="${call}:1:0:x" transition-magic="0:${rc};${call}:1:0:x"/>`;

/** `first` failed its monitor; `then` follows it through an optional order. */
function cib(restartType?: string): string {
  const meta = restartType ? `<meta_attributes id="then-meta"><nvpair id="then-rt" name="restart-type" value="${restartType}"/></meta_attributes>` : '';
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources>
      <primitive id="first" class="ocf" provider="pacemaker" type="Dummy"/>
      <primitive id="then" class="ocf" provider="pacemaker" type="Dummy">${meta}</primitive>
    </resources>
    <constraints><rsc_order id="o" first="first" then="then" kind="Optional"/></constraints>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>
      <lrm_resource id="first" class="ocf" provider="pacemaker" type="Dummy">${op('first', 'start', 0, 0, 2)}${op('first', 'monitor', 10000, 1, 3)}</lrm_resource>
      <lrm_resource id="then" class="ocf" provider="pacemaker" type="Dummy">${op('then', 'start', 0, 0, 4)}</lrm_resource>
    </lrm_resources></lrm></node_state>
  </status>
</cib>`;
}

const summary = (rt?: string): string[] => schedule(parseXml(cib(rt)), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));

describe('restart-type=restart', () => {
  it('restarts the then side of an optional order when the first side restarts', () => {
    expect(summary('restart')).toEqual(['* Recover first ( n1 )', '* Restart then ( n1 ) due to required first start']);
  });

  it('leaves it alone otherwise: an optional order only orders', () => {
    expect(summary()).toEqual(['* Recover first ( n1 )']);
  });
});
