import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, lockAt?: number): string {
  const lock = lockAt === undefined ? '' : ` shutdown-lock="${lockAt}"`;
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy"${lock}>
    <lrm_rsc_op id="${id}_last_0" operation="${lockAt === undefined ? 'start' : 'stop'}" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
  </lrm_resource>`;
}

interface Spec {
  props: Record<string, string>;
  /** n1 is shutting down (its shutdown attribute set) with rsc running there. */
  n1ShuttingDown?: boolean;
  /** n1 is down and its history holds rsc's lock taken at this time. */
  n1DownLockedAt?: number;
}

function cib(s: Spec): string {
  const props = Object.entries(s.props)
    .map(([k, v]) => `<nvpair id="o-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const n1 = s.n1DownLockedAt !== undefined
    ? `<node_state id="n1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="down"><lrm id="n1"><lrm_resources>${started('rsc', s.n1DownLockedAt)}</lrm_resources></lrm></node_state>`
    : `<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
        <transient_attributes id="n1"><instance_attributes id="n1-ta">${s.n1ShuttingDown === true ? `<nvpair id="n1-sd" name="shutdown" value="${NOW - 10}"/>` : ''}</instance_attributes></transient_attributes>
        <lrm id="n1"><lrm_resources>${started('rsc')}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n2">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/>${props}</cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy"/></resources>
    <constraints/>
  </configuration>
  <status>${n1}<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n2"><lrm_resources/></lrm></node_state></status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

describe('shutdown-lock', () => {
  it('moves a resource off a node shutting down when locks are off', () => {
    expect(summary(cib({ props: {}, n1ShuttingDown: true }))).toEqual(['* Move rsc ( n1 -> n2 )']);
  });

  it('stops it in place, starting it nowhere else, when shutdown-lock=true', () => {
    expect(summary(cib({ props: { 'shutdown-lock': 'true' }, n1ShuttingDown: true }))).toEqual(['* Stop rsc ( n1 ) due to node availability']);
  });

  it('keeps a lock recorded in the down node\'s history until shutdown-lock-limit has passed', () => {
    const props = { 'shutdown-lock': 'true', 'shutdown-lock-limit': '5m' };
    expect(summary(cib({ props, n1DownLockedAt: NOW - 200 }))).toEqual([]);
    expect(summary(cib({ props, n1DownLockedAt: NOW - 400 }))).toEqual(['* Start rsc ( n2 )']);
  });

  it('erases the history an expired lock left on the down node', () => {
    const props = { 'shutdown-lock': 'true', 'shutdown-lock-limit': '5m' };
    const erased = (lockedAt: number): unknown[] =>
      schedule(parseXml(cib({ props, n1DownLockedAt: lockedAt })), { now: NOW }).graph.actions.flatMap((a) =>
        a.kind === 'cluster' && a.task === 'lrm_delete' ? [[a.resourceId, a.node]] : [],
      );
    expect(erased(NOW - 400)).toEqual([['rsc', 'n1']]);
    expect(erased(NOW - 200)).toEqual([]);
  });
});
