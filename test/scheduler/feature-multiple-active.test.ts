import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function cib(multipleActive: string): string {
  const running = `<lrm_resource id="rsc" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rsc_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;
  const state = (n: string): string => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${running}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m"><nvpair id="m-m" name="multiple-active" value="${multipleActive}"/></meta_attributes></primitive></resources>
    <constraints/>
  </configuration>
  <status>${state('n1')}${state('n2')}</status>
</cib>`;
}

describe('a resource active on several nodes', () => {
  it('with multiple-active=stop_only, shows a Stop line for every node it stops on', () => {
    const summary = schedule(parseXml(cib('stop_only')), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
    expect(summary).toEqual(['* Stop rsc ( n1 ) due to node availability', '* Stop rsc ( n2 ) due to node availability']);
  });
});
