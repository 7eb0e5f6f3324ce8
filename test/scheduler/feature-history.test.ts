import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

interface Rec {
  task: string;
  interval?: number;
  rc?: number;
  status?: number;
  /** Expected result written in the transition key (0 unless said). */
  target?: number;
  call: number;
}

function lrm(id: string, recs: Rec[]): string {
  const ops = recs
    .map((r) => {
      const key = `${r.call}:1:${r.target ?? 0}:x`;
      return `<lrm_rsc_op id="${id}_${r.task}_${r.call}" operation="${r.task}" interval="${r.interval ?? 0}" call-id="${r.call}" rc-code="${r.rc ?? 0}" op-status="${r.status ?? 0}" op-digest="${DIGEST}" transition-key="${key}" transition-magic="${r.status ?? 0}:${r.rc ?? 0};${key}"/>`;
    })
    .join('');
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">${ops}</lrm_resource>`;
}

/** Two nodes, no fencing, one resource `rsc` with the given operations, its history on n1. */
function cib(opsXml: string, n1: string[], n1Attrs: Record<string, string> = {}, meta = ''): string {
  const attrs = (name: string): string =>
    name === 'n1' && Object.keys(n1Attrs).length > 0
      ? `<transient_attributes id="t"><instance_attributes id="t-ia">${Object.entries(n1Attrs)
          .map(([k, v]) => `<nvpair id="t-${k}" name="${k}" value="${v}"/>`)
          .join('')}</instance_attributes></transient_attributes>`
      : '';
  const state = (name: string, entries: string[]): string =>
    `<node_state id="${name}" uname="${name}" in_ccm="true" crmd="online" join="member" expected="member">${attrs(name)}<lrm id="${name}"><lrm_resources>${entries.join('')}</lrm_resources></lrm></node_state>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy">${meta}<operations>${opsXml}</operations></primitive></resources>
    <constraints/>
  </configuration>
  <status>${state('n1', n1)}${state('n2', [lrm('rsc', [{ task: 'monitor', rc: 7, target: 7, call: 1 }])])}</status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));
}

const started = { task: 'start', call: 2 };
const failedMonitor = (rc: number, status = 0): Rec => ({ task: 'monitor', interval: 10_000, rc, status, call: 3 });

describe('operation history', () => {
  it('matches an operation configured with an ISO 8601 interval without T (P10S) to its history', () => {
    const xml = cib('<op id="m" name="monitor" interval="P10S" on-fail="block"/>', [lrm('rsc', [started, failedMonitor(7)])]);
    // on-fail=block of the configured monitor applies: nothing is recovered.
    expect(summary(xml)).toEqual([]);
  });

  it('forgives a failure the agent reported when on-fail=ignore, even "not installed"', () => {
    const xml = cib('<op id="m" name="monitor" interval="10s" on-fail="ignore"/>', [lrm('rsc', [started, failedMonitor(5)])]);
    expect(summary(xml)).toEqual([]);
  });

  it('lets no fail count reach migration-threshold once a failure was ignored', () => {
    const meta = '<meta_attributes id="m"><nvpair id="m-t" name="migration-threshold" value="2"/></meta_attributes>';
    const ops = '<op id="m" name="monitor" interval="10s" on-fail="ignore"/>';
    const failCount = { 'fail-count-rsc': '2' };
    expect(summary(cib(ops, [lrm('rsc', [started, failedMonitor(7)])], failCount, meta))).toEqual([]);
    // Without the ignored failure the same fail count moves it.
    expect(summary(cib(ops, [lrm('rsc', [started])], failCount, meta))).toEqual(['* Move rsc ( n1 -> n2 )']);
  });

  it('does not forgive an agent the executor found not installed (op-status 7), whatever on-fail says', () => {
    const xml = cib('<op id="m" name="monitor" interval="10s" on-fail="ignore"/>', [lrm('rsc', [started, failedMonitor(5, 7)])]);
    expect(summary(xml)).toEqual(['* Recover rsc ( n1 -> n2 )']);
  });

  it('takes a start that returned the expected "not running" as leaving the resource stopped', () => {
    const xml = cib('', [lrm('rsc', [{ task: 'start', rc: 7, target: 7, call: 2 }])]);
    // Stopped on n1 (not active twice, no restart): it just starts on the first node.
    expect(summary(xml)).toEqual(['* Start rsc ( n1 )']);
  });
});
