import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function entry(id: string, cls: string, type: string, task: string, rc: number, digest = DIGEST): string {
  const provider = cls === 'ocf' ? ' provider="pacemaker"' : '';
  const key = `1:1:${task === 'monitor' ? 7 : 0}:x`;
  return `<lrm_resource id="${id}" class="${cls}"${provider} type="${type}"><lrm_rsc_op id="${id}_last_0" operation="${task}" interval="0" call-id="3" rc-code="${rc}" op-status="0" op-digest="${digest}" transition-key="${key}" transition-magic="0:${rc};${key}"/></lrm_resource>`;
}

interface Spec {
  provides: boolean;
  /** n2 joined but was never unfenced (no #node-unfenced) and has no history. */
  n2Fresh: boolean;
  /** The device's type as recorded on n1, where it runs (default: as configured). */
  recordedDeviceType?: string;
}

function cib(s: Spec): string {
  const meta = s.provides ? '<meta_attributes id="fence-meta"><nvpair id="fence-provides" name="provides" value="unfencing"/></meta_attributes>' : '';
  const unfenced = '<transient_attributes id="t"><instance_attributes id="t-ia"><nvpair id="t-u" name="#node-unfenced" value="1"/></instance_attributes></transient_attributes>';
  const n1 = `<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">${unfenced}<lrm id="n1"><lrm_resources>${entry('fence', 'stonith', s.recordedDeviceType ?? 'fence_scsi', 'start', 0)}${entry('db', 'ocf', 'Dummy', 'start', 0)}</lrm_resources></lrm></node_state>`;
  const n2History = s.n2Fresh ? '' : entry('fence', 'stonith', 'fence_scsi', 'monitor', 7) + entry('db', 'ocf', 'Dummy', 'monitor', 7);
  const n2 = `<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">${s.n2Fresh ? '' : unfenced}<lrm id="n2"><lrm_resources>${n2History}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="fence" class="stonith" type="fence_scsi">${meta}</primitive><primitive id="db" class="ocf" provider="pacemaker" type="Dummy"/></resources>
    <constraints><rsc_location id="db-prefers-n1" rsc="db" node="n1" score="100"/></constraints>
  </configuration>
  <status>${n1}${n2}</status>
</cib>`;
}

function summary(s: Spec): string[] {
  return schedule(parseXml(cib(s)), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('unfencing', () => {
  it('unfences a node never unfenced before its first probe, when a device provides unfencing', () => {
    expect(summary({ provides: true, n2Fresh: true })).toEqual(["* Fence (on) n2 'required by fence monitor'"]);
    const graph = schedule(parseXml(cib({ provides: true, n2Fresh: true })), { now: NOW }).graph;
    const on = graph.actions.find((a) => a.kind === 'fence' && a.fenceAction === 'on');
    const probes = graph.actions.filter((a) => a.kind === 'resource' && a.node === 'n2' && a.task === 'monitor');
    expect(probes.length).toBe(2);
    for (const p of probes) expect(p.inputs).toContain(on?.id);
  });

  it('does not unfence without such a device, nor a node already unfenced', () => {
    expect(summary({ provides: false, n2Fresh: true })).toEqual([]);
    expect(summary({ provides: true, n2Fresh: false })).toEqual([]);
  });

  it('unfences again where the device runs with another agent, restarting what needs unfencing there', () => {
    expect(summary({ provides: true, n2Fresh: false, recordedDeviceType: 'fence_virt' })).toEqual([
      "* Fence (on) n1 'Device definition changed'",
      '* Restart fence ( n1 )',
      '* Restart db ( n1 ) due to required stonith',
    ]);
  });
});
