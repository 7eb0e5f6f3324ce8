import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { executeGraph, schedule } from '../../src/scheduler/index.js';
import { operationDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;

/** One operation in a node's history: `start`, `stop`, `monitor` (probe), `monitor:10000` ... with its rc. */
type Op = [string, number];

interface Spec {
  ops?: string;
  /** History per node name. */
  history: Record<string, Op[]>;
  nodeMaintenance?: boolean;
  meta?: string;
  /** Wrap the primitive in an anonymous clone. */
  clone?: boolean;
}

const OPS = '<op id="m10" name="monitor" interval="10s"/><op id="m20" name="monitor" interval="20s" role="Stopped"/>';

function cib(s: Spec): string {
  const prim = `<primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy">${s.meta ?? ''}<operations>${s.ops ?? OPS}</operations></primitive>`;
  const rsc = s.clone ? `<clone id="cl">${prim}</clone>` : prim;
  const states = Object.entries(s.history)
    .map(([node, ops]) => {
      const lrm = ops
        .map(([op, rc], i) => {
          const [task, interval = '0'] = op.split(':');
          const target = task === 'monitor' && interval === '0' ? 7 : rc === 7 ? 7 : 0;
          return `<lrm_rsc_op id="rsc_${task}_${interval}_${i}" operation="${task}" interval="${interval}" call-id="${i + 1}" rc-code="${rc}" op-status="0" op-digest="${operationDigest(new Map(), Number(interval), 20_000)}" transition-key="${i}:1:${target}:x" transition-magic="0:${rc};${i}:1:${target}:x"/>`;
        })
        .join('');
      const id = s.clone ? 'rsc:0' : 'rsc';
      return `<node_state id="${node}" uname="${node}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${node}"><lrm_resources><lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">${lrm}</lrm_resource></lrm_resources></lrm></node_state>`;
    })
    .join('');
  const maint = s.nodeMaintenance ? '<instance_attributes id="n1-ia"><nvpair id="n1-m" name="maintenance" value="true"/></instance_attributes>' : '';
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1"><configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1">${maint}</node><node id="n2" uname="n2"/></nodes>
    <resources>${rsc}</resources><constraints/></configuration><status>${states}</status></cib>`;
}

/** The transition as crm_simulate would carry it out: `task[=interval] node`, in firing order. */
function run(s: Spec): string[] {
  const r = schedule(parseXml(cib(s)), { now: NOW });
  return executeGraph(r.graph).flatMap((a) => (a.kind === 'resource' ? [`${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ''} ${a.node}`] : []));
}

const started: Op[] = [['monitor', 7], ['start', 0], ['monitor:10000', 0]];
const probedOnly: Op[] = [['monitor', 7]];

describe('recurring monitors for the Stopped role', () => {
  it('run on the nodes where the resource is not, expecting "not running"', () => {
    const r = schedule(parseXml(cib({ history: { n1: started, n2: probedOnly } })), { now: NOW });
    const mons = r.graph.actions.filter((a) => a.kind === 'resource');
    expect(mons.map((a) => (a.kind === 'resource' ? [a.task, a.intervalMs, a.node, a.targetRc] : []))).toEqual([['monitor', 20000, 'n2', 7]]);
  });

  it('are left alone where the history says they already run', () => {
    expect(run({ history: { n1: started, n2: [...probedOnly, ['monitor:20000', 7]] } })).toEqual([]);
  });

  it('are cancelled before the resource starts where one runs, and start where it stops', () => {
    const stoppedMonitor: Op[] = [...probedOnly, ['monitor:20000', 7]];
    expect(run({ history: { n1: stoppedMonitor, n2: stoppedMonitor } })).toEqual(['cancel=20000 n1', 'start n1', 'monitor=10000 n1']);
  });

  it('follow the stop of a resource that moves away', () => {
    const r = run({ history: { n1: started, n2: probedOnly }, meta: '<meta_attributes id="m"><nvpair id="t" name="target-role" value="Stopped"/></meta_attributes>' });
    expect(r).toEqual(['monitor=20000 n2', 'stop n1', 'monitor=20000 n1']);
  });

  it('are not supported for anonymous clones', () => {
    expect(run({ history: { n1: started, n2: probedOnly }, clone: true }).filter((t) => t.startsWith('monitor=20000'))).toEqual([]);
  });
});

describe('cancelling recurring operations', () => {
  it('cancels a recorded monitor whose definition is gone', () => {
    expect(run({ ops: '<op id="m10" name="monitor" interval="10s"/>', history: { n1: [...started, ['monitor:5000', 0]], n2: probedOnly } })).toEqual(['cancel=5000 n1']);
  });

  it('keeps a recorded monitor that was stopped since', () => {
    expect(run({ ops: '<op id="m10" name="monitor" interval="10s"/>', history: { n1: [...started, ['monitor:5000', 0], ['stop', 0]], n2: probedOnly } })).toEqual(['start n1', 'monitor=10000 n1']);
  });

  it('cancels the recurring monitors of a node in maintenance', () => {
    expect(run({ ops: '<op id="m10" name="monitor" interval="10s"/>', history: { n1: started, n2: probedOnly }, nodeMaintenance: true })).toEqual(['cancel=10000 n1']);
  });
});

describe('cleaning up the history', () => {
  const base = (resources: string, status: string, props = ''): string => `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1"><configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/>${props}</cluster_property_set></crm_config>
    <nodes><node id="n1" uname="n1"/></nodes><resources>${resources}</resources><constraints/></configuration>
    <status><node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">${status}</node_state></status></cib>`;
  const lrm = (id: string, type: string, ops: string): string => `<lrm id="n1"><lrm_resources><lrm_resource id="${id}" class="ocf" provider="pacemaker" type="${type}">${ops}</lrm_resource></lrm_resources></lrm>`;
  const digest = operationDigest(new Map(), 0, 20_000);
  const stop = `<lrm_rsc_op id="x_last_0" operation="stop" interval="0" call-id="3" rc-code="0" op-status="0" op-digest="${digest}" last-rc-change="${NOW - 1000}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>`;
  const lines = (xml: string): string[] => executeGraph(schedule(parseXml(xml), { now: NOW }).graph).map((a) => (a.kind === 'cluster' ? `${a.task} ${a.resourceId ?? ''}` : a.kind === 'resource' ? `${a.task} ${a.resource.id}` : a.kind));

  it('deletes the history of a resource no longer configured', () => {
    expect(lines(base('', lrm('gone', 'Dummy', stop)))).toEqual(['delete gone']);
  });

  it('deletes the history left by another agent, before starting with the configured one', () => {
    const r = lines(base('<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"/>', lrm('x', 'Stateful', stop)));
    expect(r).toEqual(['delete x', 'start x']);
  });

  it('clears a fail count whose failures are all older than failure-timeout', () => {
    const prim = '<primitive id="x" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="x-m"><nvpair id="x-ft" name="failure-timeout" value="60"/></meta_attributes></primitive>';
    const fails = (at: number): string => `<transient_attributes id="n1"><instance_attributes id="n1-a"><nvpair id="f" name="fail-count-x" value="1"/><nvpair id="l" name="last-failure-x" value="${at}"/></instance_attributes></transient_attributes>`;
    expect(lines(base(prim, fails(NOW - 1000) + lrm('x', 'Dummy', stop)))).toEqual(['start x', 'clear_failcount x']);
    expect(lines(base(prim, fails(NOW - 10) + lrm('x', 'Dummy', stop)))).toEqual(['start x']);
  });
});
