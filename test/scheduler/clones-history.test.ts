import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function entry(id: string, running: boolean): string {
  const [op, rc] = running ? ['start', 0] : ['monitor', 7];
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">
    <lrm_rsc_op id="${id}_last_0" operation="${op}" interval="0" call-id="1" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="1:1:${rc}:x" transition-magic="0:${rc};1:1:${rc}:x"/>
  </lrm_resource>`;
}

function cib(cloneMeta: string, childMeta: string, n1: { attrs?: string; lrm: string[] }): string {
  const state = (n: string, attrs: string, lrm: string[]): string =>
    `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="${n}"><instance_attributes id="${n}-ta">${attrs}</instance_attributes></transient_attributes><lrm id="${n}"><lrm_resources>${lrm.join('')}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><clone id="c"><meta_attributes id="cm"><nvpair id="cm-max" name="clone-max" value="1"/>${cloneMeta}</meta_attributes>
      <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="dm">${childMeta}</meta_attributes></primitive>
    </clone></resources>
    <constraints/>
  </configuration>
  <status>${state('n1', n1.attrs ?? '', n1.lrm)}${state('n2', '', [])}</status>
</cib>`;
}

const summary = (xml: string): string[] => schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));

describe('clone histories', () => {
  it("an anonymous instance's fail count on a node is the sum over every instance number there", () => {
    const attrs = '<nvpair id="f0" name="fail-count-d:0#start_0" value="2"/><nvpair id="f1" name="fail-count-d:1#start_0" value="2"/>';
    const xml = cib('', '<nvpair id="dm-mt" name="migration-threshold" value="3"/>', { attrs, lrm: [entry('d', true)] });
    expect(summary(xml)).toEqual(['* Move d:0 ( n1 -> n2 )']);
  });

  it('a unique instance counts only its own fail count', () => {
    const attrs = '<nvpair id="f0" name="fail-count-d:0#start_0" value="2"/><nvpair id="f1" name="fail-count-d:1#start_0" value="2"/>';
    const xml = cib('<nvpair id="cm-u" name="globally-unique" value="true"/>', '<nvpair id="dm-mt" name="migration-threshold" value="3"/>', { attrs, lrm: [entry('d:0', true)] });
    expect(summary(xml)).toEqual([]);
  });

  it('a later lrm_resource entry for the same resource on a node does not stop what an earlier one found running', () => {
    const xml = cib('<nvpair id="cm-u" name="globally-unique" value="true"/>', '', { lrm: [entry('d:0', true), entry('d:0', false)] });
    expect(summary(xml)).toEqual([]);
  });
});
