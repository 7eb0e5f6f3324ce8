import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';

const NOW = 1_700_000_000;

const started = (id: string, type: string, provider = 'heartbeat'): string =>
  `<lrm_resource id="${id}" class="ocf" provider="${provider}" type="${type}"><lrm_rsc_op id="${id}_start_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;

/** A running one-replica promotable bundle; the promotion score is recorded on the host n1. */
function cib(target: string): string {
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources>
      <bundle id="B"><docker image="img:1" replicas="1" promoted-max="1"/><network control-port="3121"/>
        <primitive id="db" class="ocf" provider="pacemaker" type="Stateful">
          <meta_attributes id="db-meta"><nvpair id="db-cat" name="container-attribute-target" value="${target}"/></meta_attributes>
        </primitive>
      </bundle>
    </resources>
    <constraints/>
  </configuration>
  <status>
    <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="n1"><instance_attributes id="st-n1"><nvpair id="m" name="master-db" value="10"/></instance_attributes></transient_attributes>
      <lrm id="n1"><lrm_resources>${started('B-docker-0', 'docker')}${started('B-0', 'remote', 'pacemaker')}</lrm_resources></lrm>
    </node_state>
    <node_state id="B-0" uname="B-0" remote_node="true"><lrm id="B-0"><lrm_resources>${started('db', 'Stateful', 'pacemaker')}</lrm_resources></lrm></node_state>
  </status>
</cib>`;
}

describe('container-attribute-target', () => {
  it('=host reads the promotion score of a resource in a container from the host it runs on', () => {
    const r = schedule(parseXml(cib('host')), { now: NOW });
    expect(r.placements['db:0']).toEqual({ node: 'B-0', role: 'Promoted' });
  });

  it('otherwise reads the guest node itself, which has no score here', () => {
    const r = schedule(parseXml(cib('guest')), { now: NOW });
    expect(r.placements['db:0']).toEqual({ node: 'B-0', role: 'Unpromoted' });
  });
});
