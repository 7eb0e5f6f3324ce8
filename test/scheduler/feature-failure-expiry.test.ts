import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;
const DIGEST = parametersDigest(new Map());

/** `web` (failure-timeout 10 s) started on n1, then its 5 s monitor failed `ago` seconds before now. */
function cib(ago: number, onFail?: string): string {
  const op = (id: string, task: string, interval: number, rc: number, call: number, at: number): string =>
    `<lrm_rsc_op id="${id}" operation="${task}" interval="${interval}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" last-rc-change="${at}" transition-key="${call}:1:0:x" transition-magic="0:${rc};${call}:1:0:x"/>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources>
      <primitive id="web" class="ocf" provider="pacemaker" type="Dummy">
        <meta_attributes id="web-meta"><nvpair id="web-ft" name="failure-timeout" value="10"/></meta_attributes>
        <operations><op id="web-mon" name="monitor" interval="5s"${onFail ? ` on-fail="${onFail}"` : ''}/></operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="n1"><instance_attributes id="st-n1">
        <nvpair id="fc" name="fail-count-web#monitor_5000" value="1"/><nvpair id="lf" name="last-failure-web#monitor_5000" value="${NOW - ago}"/>
      </instance_attributes></transient_attributes>
      <lrm id="n1"><lrm_resources><lrm_resource id="web" class="ocf" provider="pacemaker" type="Dummy">
        ${op('web_start_0', 'start', 0, 0, 2, NOW - 1000)}${op('web_monitor_5000', 'monitor', 5000, 1, 3, NOW - ago)}
      </lrm_resource></lrm_resources></lrm>
    </node_state>
  </status>
</cib>`;
}

const run = (ago: number, onFail?: string) => schedule(parseXml(cib(ago, onFail)), { now: NOW });
const monitors = (r: ReturnType<typeof run>): string[] => r.graph.actions.flatMap((a) => ('key' in a && a.key.startsWith('web_monitor') ? [a.key] : []));

describe('failure-timeout', () => {
  it('recovers a resource whose monitor failed within the timeout', () => {
    expect(run(5).summary.join('\n')).toMatch(/Recover\s+web\s+\(\s*n1\s*\)/);
  });

  it('forgets an expired monitor failure: nothing to recover, the monitor simply starts again', () => {
    const r = run(100);
    expect(r.summary).toEqual([]);
    expect(monitors(r)).toEqual(['web_monitor_5000']);
  });

  it('keeps blocking when the failure said on-fail=block, expired or not', () => {
    const r = run(100, 'block');
    expect(r.summary).toEqual([]);
    expect(monitors(r)).toEqual([]);
  });
});
