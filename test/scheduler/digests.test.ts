import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { executeGraph, injectResults, schedule } from '../../src/scheduler/index.js';
import { operationDigest, parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const NOW = 1_700_000_000;

interface Spec {
  /** The resource's configured instance parameters. */
  params?: Record<string, string>;
  /** The configured operations (XML). */
  ops: string;
  /** What the history recorded the start and the 10 s monitor with. */
  startDigest: string;
  monitorDigest: string;
  /** Extra attributes on the recorded start (restart digest ...). */
  startExtra?: string;
  /** n2 has probed it already (default). */
  probedElsewhere?: boolean;
}

function cib(s: Spec): string {
  const nv = Object.entries(s.params ?? {})
    .map(([k, v]) => `<nvpair id="p-${k}" name="${k}" value="${v}"/>`)
    .join('');
  const ia = nv === '' ? '' : `<instance_attributes id="rsc-ia">${nv}</instance_attributes>`;
  const start = `<lrm_rsc_op id="rsc_last_0" operation="start" interval="0" call-id="5" rc-code="0" op-status="0" op-digest="${s.startDigest}"${s.startExtra ?? ''} crm_feature_set="3.16.1" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>`;
  const mon = `<lrm_rsc_op id="rsc_monitor_10000" operation="monitor" interval="10000" call-id="6" rc-code="0" op-status="0" op-digest="${s.monitorDigest}" crm_feature_set="3.16.1" transition-key="2:1:0:x" transition-magic="0:0;2:1:0:x"/>`;
  const probe = (n: string): string => `<lrm_rsc_op id="rsc_last_0" operation="monitor" interval="0" call-id="1" rc-code="7" op-status="0" op-digest="${s.startDigest}" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x"/>`.replace('rsc_last_0', `rsc_probe_${n}`);
  const lrm = (body: string): string => `<lrm_resource id="rsc" class="ocf" provider="pacemaker" type="Dummy">${body}</lrm_resource>`;
  return cibXml({
    stonith: false,
    resources: `<primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy">${ia}<operations>${s.ops}</operations></primitive>`,
    status: member('n1', lrm(start + mon)) + member('n2', s.probedElsewhere === false ? '' : lrm(probe('n2'))),
  });
}

function run(s: Spec): { summary: string[]; tasks: string[] } {
  const r = schedule(parseXml(cib(s)), { now: NOW });
  const tasks = r.graph.actions.flatMap((a) => (a.kind === 'resource' ? [`${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ''} ${a.node}`] : []));
  return { summary: r.summary.map((l) => l.trim().replace(/\s+/g, ' ')), tasks };
}

const MONITOR = '<op id="m" name="monitor" interval="10s" timeout="30s"/>';
const PARAMS = { fake: 'x' };

describe('operation digests', () => {
  it('are computed as Pacemaker records them, with its escaping of values (checked against crm_simulate)', () => {
    expect(operationDigest(new Map(Object.entries(PARAMS)), 0, 20_000)).toBe('2f3053c186c302267ea73444a8af3d19');
    expect(operationDigest(new Map(Object.entries(PARAMS)), 10_000, 30_000)).toBe('5919c3bb7a1caefbdd217eff2b849474');
    expect(operationDigest(new Map([['fake', "a'b"]]), 0, 20_000)).toBe('6ea8200a9263f2f2542b6902040b3fe1');
    expect(operationDigest(new Map([['fake', 'a\nb']]), 0, 20_000)).toBe('bbd7d5386a91f8561ed7deb1ed1b519f');
    expect(operationDigest(new Map([['fake', 'a\tb']]), 0, 20_000)).toBe('fda5bac64f68fe6f6a83c9311a81bc80');
    expect(operationDigest(new Map([['fake', 'a&b'], ['CRM_meta_clone', '0']]), 0, 20_000)).toBe('68207b40f964a8bc004f1e4496c7d51a');
  });
});

describe('a recorded operation run with another definition', () => {
  const params = new Map(Object.entries(PARAMS));
  const current = { params: PARAMS, ops: MONITOR, startDigest: operationDigest(params, 0, 20_000), monitorDigest: operationDigest(params, 10_000, 30_000) };

  it('changes nothing when every digest matches', () => {
    expect(run(current)).toEqual({ summary: [], tasks: [] });
  });

  it('issues a recurring monitor again, with no restart and no cancel, when its timeout changed', () => {
    const r = run({ ...current, monitorDigest: operationDigest(params, 10_000, 20_000) });
    expect(r.summary).toEqual([]);
    expect(r.tasks).toEqual(['monitor=10000 n1']);
  });

  it('issues a recurring monitor again when its own instance attributes changed', () => {
    const ops = '<op id="m" name="monitor" interval="10s" timeout="30s"><instance_attributes id="m-ia"><nvpair id="m-d" name="depth" value="10"/></instance_attributes></op>';
    const r = run({ ...current, ops });
    expect(r.tasks).toEqual(['monitor=10000 n1']);
    const withDepth = operationDigest(new Map([...params, ['depth', '10']]), 10_000, 30_000);
    expect(run({ ...current, ops, monitorDigest: withDepth }).tasks).toEqual([]);
  });

  it('restarts the resource when its parameters changed since the start, even with its monitor issued with the new ones', () => {
    const r = run({ ...current, params: { fake: 'y' }, monitorDigest: operationDigest(new Map([['fake', 'y']]), 10_000, 30_000) });
    expect(r.summary).toEqual(['* Restart rsc ( n1 ) due to resource definition change']);
  });

  it("restarts rather than reloads when the start has attributes of its own (a reload would not apply them)", () => {
    const restart = ` op-force-restart=" state " op-restart-digest="${parametersDigest(new Map())}"`;
    const ops = `<op id="s" name="start" interval="0"><instance_attributes id="s-ia"><nvpair id="s-t" name="trace_ra" value="1"/></instance_attributes></op>${MONITOR}`;
    expect(run({ ...current, ops, startExtra: restart }).summary).toEqual(['* Restart rsc ( n1 ) due to resource definition change']);
    expect(run({ ...current, startExtra: restart, params: { fake: 'z' }, monitorDigest: operationDigest(new Map([['fake', 'z']]), 10_000, 30_000) }).summary).toEqual([
      '* Reload rsc ( n1 )',
    ]);
  });

  it('puts the reload after the resource\'s probes in the graph, as it is asked for before them', () => {
    const restart = ` op-force-restart=" state " op-restart-digest="${parametersDigest(new Map())}"`;
    const spec = { ...current, startExtra: restart, params: { fake: 'z' }, monitorDigest: operationDigest(new Map([['fake', 'z']]), 10_000, 30_000), probedElsewhere: false };
    const keys = schedule(parseXml(cib(spec)), { now: NOW }).graph.actions.flatMap((a) => (a.kind === 'resource' ? [`${a.task}@${a.node}`] : []));
    expect(keys.indexOf('monitor@n2')).toBeGreaterThanOrEqual(0);
    expect(keys.indexOf('reload-agent@n1')).toBeGreaterThan(keys.indexOf('monitor@n2'));
  });

  it('is not judged on a node that cannot run actions (standby): its stop there is a plain one, made after the probes', () => {
    const recordedOther = cib({ ...current, probedElsewhere: false }).replace('type="Dummy">', 'type="Other">');
    const standby = recordedOther.replace('<node id="n1" uname="n1"/>', '<node id="n1" uname="n1"><instance_attributes id="n1-a"><nvpair id="n1-s" name="standby" value="on"/></instance_attributes></node>');
    const r = schedule(parseXml(standby), { now: NOW });
    expect(r.summary.map((l) => l.trim().replace(/\s+/g, ' '))).toEqual(['* Move rsc ( n1 -> n2 )']);
    const keys = r.graph.actions.flatMap((a) => (a.kind === 'resource' ? [`${a.task}${a.intervalMs > 0 ? `=${a.intervalMs}` : ''}@${a.node}`] : []));
    expect(keys).toEqual(['monitor=10000@n2', 'start@n2', 'stop@n1', 'monitor@n2']);
  });

  it('records what it runs with the digests it will judge them by: nothing to do after its own transition', () => {
    const first = parseXml(cibXml({ stonith: false, resources: `<primitive id="rsc" class="ocf" provider="pacemaker" type="Dummy"><instance_attributes id="ia"><nvpair id="ia-f" name="fake" value="it's&#10;x"/></instance_attributes><operations>${MONITOR}<op id="s" name="start" interval="0"><instance_attributes id="s-ia"><nvpair id="s-t" name="trace_ra" value="1"/></instance_attributes></op></operations></primitive>`, status: member('n1') + member('n2') }));
    const r = schedule(first, { now: NOW });
    expect(r.graph.actions.some((a) => a.kind === 'resource' && a.task === 'start' && a.resource.params.trace_ra === '1')).toBe(true);
    const after = injectResults(first, executeGraph(r.graph), NOW);
    const again = schedule(after, { now: NOW + 10 });
    expect(again.summary).toEqual([]);
    expect(again.graph.actions).toEqual([]);
  });
});
