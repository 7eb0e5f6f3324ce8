import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function op(task: string, call: number, rc: number, extra = ''): string {
  const key = `${call}:1:${task === 'monitor' ? 7 : 0}:x`;
  return `<lrm_rsc_op id="vm_${task}_${call}" operation="${task}" interval="0" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${DIGEST}" transition-key="${key}" transition-magic="0:${rc};${key}"${extra}/>`;
}

const MIGRATION = ' migrate_source="n1" migrate_target="n2"';

/** vm started on n1 and was migrated towards n2: n1's and n2's histories as given. */
function cib(n1: string[], n2: string[]): string {
  const state = (n: string, ops: string[]): string =>
    `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources><lrm_resource id="vm" class="ocf" provider="pacemaker" type="Dummy">${ops.join('')}</lrm_resource></lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="vm" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="m"><nvpair id="m-a" name="allow-migrate" value="true"/><nvpair id="m-s" name="resource-stickiness" value="100"/></meta_attributes></primitive></resources>
    <constraints><rsc_location id="pref" rsc="vm" node="n2" score="50"/></constraints>
  </configuration>
  <status>${state('n1', n1)}${state('n2', n2)}</status>
</cib>`;
}

function run(xml: string): { summary: string[]; stops: string[] } {
  const r = schedule(parseXml(xml), { now: NOW });
  const stops = r.graph.actions.flatMap((a) => (a.kind === 'resource' && a.task === 'stop' ? [a.node] : []));
  return { summary: r.summary.map((l) => l.trim().replace(/\s+/g, ' ')), stops };
}

describe('histories of a live migration', () => {
  it('a completed migration never followed by a stop on the source: runs on the target, source stopped silently', () => {
    const r = run(cib([op('start', 2, 0), op('migrate_to', 3, 0, MIGRATION)], [op('monitor', 1, 7), op('migrate_from', 4, 0, MIGRATION)]));
    expect(r.summary).toEqual([]);
    expect(r.stops).toEqual(['n1']);
  });

  it('a failed migrate_to: taken as active on both sides, recovered where it belongs', () => {
    const r = run(cib([op('start', 2, 0), op('migrate_to', 3, 1, MIGRATION)], [op('monitor', 1, 7)]));
    expect(r.summary).toEqual(['* Recover vm ( n2 )']);
    expect(r.stops.sort()).toEqual(['n1', 'n2']);
  });
});
