import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

/** n1 asks to shut down while running rsc (managed or not); n2 is idle. */
function cib(managed: boolean): string {
  const meta = managed ? '' : '<meta_attributes id="m"><nvpair id="m-u" name="is-managed" value="false"/></meta_attributes>';
  const running = `<lrm_resource id="rsc" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="rsc_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n2">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="enable-startup-probes" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy">${meta}</primitive></resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="n1-t"><instance_attributes id="n1-ta"><nvpair id="n1-sd" name="shutdown" value="${NOW - 5}"/></instance_attributes></transient_attributes>
      <lrm id="n1"><lrm_resources>${running}</lrm_resources></lrm></node_state>
    <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
  </status>
</cib>`;
}

describe('clean shutdown', () => {
  it('tells a node that asked to leave to go, after what it runs has stopped', () => {
    const { graph } = schedule(parseXml(cib(true)), { now: NOW });
    const down = graph.actions.find((a) => a.kind === 'cluster' && a.task === 'do_shutdown');
    const stop = graph.actions.find((a) => a.kind === 'resource' && a.task === 'stop' && a.node === 'n1');
    expect(down?.kind === 'cluster' ? down.node : undefined).toBe('n1');
    expect(down?.inputs).toContain(stop?.id);
  });

  it('does not wait for an unmanaged resource, which stays', () => {
    const { graph } = schedule(parseXml(cib(false)), { now: NOW });
    const down = graph.actions.find((a) => a.kind === 'cluster' && a.task === 'do_shutdown');
    expect(down?.inputs).toEqual([]);
    expect(graph.actions.some((a) => a.kind === 'resource' && a.task === 'stop')).toBe(false);
  });
});
