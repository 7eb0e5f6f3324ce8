import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { describeAction, executeGraph, schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;

function op(rsc: string, task: string, rc: number, call: number, intervalMs = 0): string {
  return `<lrm_rsc_op id="${rsc}_${task}_${intervalMs}" operation="${task}" interval="${intervalMs}" call-id="${call}" rc-code="${rc}" op-status="0" op-digest="${operationDigest(new Map(), intervalMs, 20_000)}" transition-key="1:1:0:x" transition-magic="0:${rc};1:1:0:x"/>`;
}

function state(node: string, resources: Record<string, string>): string {
  const lrm = Object.entries(resources)
    .map(([id, ops]) => `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Stateful">${ops}</lrm_resource>`)
    .join('');
  return `<node_state id="${node}" uname="${node}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${node}"><lrm_resources>${lrm}</lrm_resources></lrm></node_state>`;
}

function cib(nodes: string, resources: string, constraints: string, status: string): string {
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes}</nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status>${status}</status>
</cib>`;
}

function executed(xml: string): string[] {
  const r = schedule(parseXml(xml), { now: NOW });
  expect(r.unsupported).toEqual([]);
  return executeGraph(r.graph).map((a) => describeAction(a).replace(/\s+/g, ' ').trim());
}

function clone(id: string, child: string, meta: Record<string, string>): string {
  const nv = Object.entries(meta)
    .map(([k, v]) => `<nvpair id="${id}-${k}" name="${k}" value="${v}"/>`)
    .join('');
  return `<clone id="${id}"><meta_attributes id="${id}-meta">${nv}</meta_attributes>
    <primitive id="${child}" class="ocf" provider="pacemaker" type="Stateful">
      <operations><op id="${child}-mon" name="monitor" interval="10s"/></operations>
    </primitive></clone>`;
}

describe('clone notifications', () => {
  it('tell the running instance before a start and every instance after it; what follows the clone waits for that', () => {
    const xml = cib(
      '<node id="n1" uname="n1"/><node id="n2" uname="n2"/>',
      `${clone('C', 'c', { notify: 'true', 'clone-max': '2' })}<primitive id="d" class="ocf" provider="pacemaker" type="Stateful"/>`,
      '<rsc_order id="c-then-d" first="C" then="d"/>',
      state('n1', { c: op('c', 'start', 0, 1) + op('c', 'monitor', 0, 2, 10_000), d: op('d', 'monitor', 7, 3) }) + state('n2', { c: op('c', 'monitor', 7, 1), d: op('d', 'monitor', 7, 2) }),
    );
    expect(executed(xml)).toEqual([
      '* Pseudo action: C_pre_notify_start_0',
      '* Resource action: c notify on n1',
      '* Pseudo action: C_confirmed-pre_notify_start_0',
      '* Pseudo action: C_start_0',
      '* Resource action: c start on n2',
      '* Pseudo action: C_running_0',
      '* Pseudo action: C_post_notify_running_0',
      '* Resource action: c notify on n1',
      '* Resource action: c notify on n2',
      '* Pseudo action: C_confirmed-post_notify_running_0',
      '* Resource action: d start on n1',
      '* Resource action: c monitor=10000 on n2',
    ]);
  });

  it('tell the instances left as soon as a node is fenced, with the notification of the clone stop waiting for that', () => {
    const lost = state('n2', { c: op('c', 'start', 0, 1) }).replace('in_ccm="true" crmd="online"', 'in_ccm="false" crmd="offline"');
    const xml = cib(
      '<node id="n1" uname="n1"/><node id="n2" uname="n2"/><node id="n3" uname="n3"/>',
      `<primitive id="fence" class="stonith" type="fence_dummy"/>${clone('C', 'c', { notify: 'true' })}`,
      '',
      state('n1', { c: op('c', 'start', 0, 1) + op('c', 'monitor', 0, 2, 10_000), fence: op('fence', 'monitor', 7, 3) }) + lost + state('n3', { c: op('c', 'start', 0, 1) + op('c', 'monitor', 0, 2, 10_000), fence: op('fence', 'monitor', 7, 3) }),
    ).replace('value="false"', 'value="true"');
    expect(executed(xml).filter((l) => !l.includes('fence'))).toEqual([
      '* Pseudo action: C_pre_notify_stop_0',
      '* Fencing n2 (reboot)',
      '* Resource action: c notify on n1',
      '* Pseudo action: c_post_notify_stop_0',
      '* Resource action: c notify on n3',
      '* Pseudo action: C_confirmed-pre_notify_stop_0',
      '* Pseudo action: C_stop_0',
      '* Pseudo action: c_stop_0',
      '* Pseudo action: C_stopped_0',
      '* Pseudo action: C_post_notify_stopped_0',
      '* Resource action: c notify on n1',
      '* Resource action: c notify on n3',
      '* Pseudo action: C_confirmed-post_notify_stopped_0',
      '* Pseudo action: c_notified_0',
    ]);
  });

  it('chain demote, stop and start notifications; a stopping instance hears only what comes before its stop', () => {
    const xml = cib(
      '<node id="n1" uname="n1"><instance_attributes id="n1-a"><nvpair id="n1-sb" name="standby" value="on"/></instance_attributes></node><node id="n2" uname="n2"/><node id="n3" uname="n3"/>',
      clone('M', 'm', { notify: 'true', promotable: 'true', 'clone-max': '2' }),
      '',
      state('n1', { m: op('m', 'start', 0, 1) + op('m', 'promote', 0, 2) }) + state('n2', { m: op('m', 'start', 0, 1) + op('m', 'monitor', 0, 2, 10_000) }) + state('n3', { m: op('m', 'monitor', 7, 1) }),
    );
    const out = executed(xml);
    const at = (line: string, from = 0): number => out.indexOf(line, from);
    const stopAt = at('* Resource action: m stop on n1');
    const startAt = at('* Resource action: m start on n3');
    expect(stopAt).toBeGreaterThan(at('* Pseudo action: M_confirmed-post_notify_demoted_0'));
    expect(at('* Pseudo action: M_pre_notify_stop_0')).toBeGreaterThan(at('* Pseudo action: M_confirmed-post_notify_demoted_0'));
    expect(at('* Pseudo action: M_pre_notify_start_0')).toBeGreaterThan(at('* Pseudo action: M_confirmed-post_notify_stopped_0'));
    // After its stop, n1 is told nothing more; the instance starting on n3 only hears the outcome.
    expect(out.slice(stopAt).filter((l) => l.endsWith('notify on n1'))).toEqual([]);
    expect(out.slice(0, startAt).filter((l) => l.endsWith('notify on n3'))).toEqual([]);
    expect(out.slice(startAt).filter((l) => l.includes('notify on'))).toEqual(['* Resource action: m notify on n3', '* Resource action: m notify on n2']);
    expect(out.filter((l) => l.includes('notify on n1'))).toHaveLength(3);
  });
});
