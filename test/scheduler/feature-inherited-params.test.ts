import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;

/** A group `g` giving `shared=1` to its member `rsc`, which runs on n1 started with `startedWith`. */
function cib(startedWith: Record<string, string>): string {
  const digest = parametersDigest(new Map(Object.entries(startedWith)));
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources><group id="g"><instance_attributes id="g-ia"><nvpair id="g-s" name="shared" value="1"/><nvpair id="g-o" name="own" value="group"/></instance_attributes>
      <primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="r-ia"><nvpair id="r-o" name="own" value="mine"/></instance_attributes></primitive>
    </group></resources>
    <constraints/>
  </configuration>
  <status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>
    <lrm_resource id="rsc" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rsc_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${digest}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>
  </lrm_resources></lrm></node_state></status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('parameters inherited from a group or clone', () => {
  it('are part of the member\'s parameters, below its own', () => {
    expect(summary(cib({ own: 'mine', shared: '1' }))).toEqual([]);
  });

  it('change its definition when they were not there at start', () => {
    expect(summary(cib({ own: 'mine' }))).toEqual(['* Restart rsc ( n1 ) due to resource definition change']);
  });
});
