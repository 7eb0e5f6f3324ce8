import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;

interface Spec {
  /** Parameters configured now. */
  params: Record<string, string>;
  /** Parameters the running instance was started with. */
  startedWith: Record<string, string>;
  /** Parameters the agent cannot reload (op-force-restart); absent: the agent cannot reload at all. */
  forceRestart?: string[];
  /** The agent type recorded in the history (default: as configured). */
  recordedType?: string;
  pending?: boolean;
}

function cib(s: Spec): string {
  const nv = Object.entries(s.params)
    .map(([k, v]) => `<nvpair id="p-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const old = new Map(Object.entries(s.startedWith));
  const restart = s.forceRestart
    ? ` op-force-restart=" ${s.forceRestart.join(' ')} " op-restart-digest="${parametersDigest(new Map([...old].filter(([k]) => s.forceRestart?.includes(k))))}"`
    : '';
  const call = s.pending === true ? 'call-id="-1" rc-code="-1" op-status="-1"' : 'call-id="5" rc-code="0" op-status="0"';
  const start = `<lrm_rsc_op id="rsc_last_0" operation="start" interval="0" ${call} op-digest="${parametersDigest(old)}"${restart} transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>`;
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes>
    <resources><primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="rsc-ia">${nv}</instance_attributes>
      <operations><op id="rsc-mon" name="monitor" interval="10s"/></operations></primitive></resources>
    <constraints/>
  </configuration>
  <status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="n1"><lrm_resources>
    <lrm_resource id="rsc" class="ocf" provider="pacemaker" type="${s.recordedType ?? 'Dummy'}">${start}
      <lrm_rsc_op id="rsc_monitor_10000" operation="monitor" interval="10000" call-id="6" rc-code="0" op-status="0" op-digest="x" transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x"/>
    </lrm_resource></lrm_resources></lrm></node_state></status>
</cib>`;
}

function run(s: Spec): { summary: string[]; tasks: string[] } {
  const r = schedule(parseXml(cib(s)), { now: NOW });
  const tasks = r.graph.actions.flatMap((a) => (a.kind === 'resource' ? [`${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ''}`] : []));
  return { summary: r.summary.map((l) => l.trim().replace(/\s+/g, ' ')), tasks };
}

describe('reload on a parameter change', () => {
  it('reloads, and monitors again, when only reloadable parameters changed', () => {
    const r = run({ params: { state: 'a', delay: '2' }, startedWith: { state: 'a', delay: '1' }, forceRestart: ['state'] });
    expect(r.summary).toEqual(['* Reload rsc ( n1 )']);
    expect(r.tasks.sort()).toEqual(['monitor=10000', 'reload-agent']);
  });

  it('restarts when a parameter the agent cannot reload changed', () => {
    const r = run({ params: { state: 'b', delay: '1' }, startedWith: { state: 'a', delay: '1' }, forceRestart: ['state'] });
    expect(r.summary).toEqual(['* Restart rsc ( n1 ) due to resource definition change']);
  });

  it('restarts when the agent records no restart digest (it cannot reload)', () => {
    const r = run({ params: { delay: '2' }, startedWith: { delay: '1' } });
    expect(r.summary).toEqual(['* Restart rsc ( n1 ) due to resource definition change']);
  });

  it('restarts, without a reason, when the start is still pending', () => {
    const r = run({ params: { state: 'a', delay: '2' }, startedWith: { state: 'a', delay: '1' }, forceRestart: ['state'], pending: true });
    expect(r.summary).toEqual(['* Restart rsc ( n1 )']);
  });

  it('restarts, without a reason, a resource whose agent type changed', () => {
    const r = run({ params: {}, startedWith: {}, recordedType: 'Stateful' });
    expect(r.summary).toEqual(['* Restart rsc ( n1 )']);
  });
});
