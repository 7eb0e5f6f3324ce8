import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml } from '../../src/cib/xml.js';
import { describeAction, executeGraph, schedule } from '../../src/scheduler/index.js';
import type { GraphAction } from '../../src/scheduler/graph.js';
import { graphToXml } from '../../src/scheduler/transition/graph-xml.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const NOW = 1_700_000_000;

/** Two online nodes, no fencing; `resources` and `constraints` as given, `lrm` per node. */
function cib(resources: string, opts: { constraints?: string; lrm?: Record<string, string> } = {}): string {
  const nodes = ['n1', 'n2'];
  const states = nodes
    .map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${opts.lrm?.[n] ?? ''}</lrm_resources></lrm></node_state>`)
    .join('');
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes.map((n) => `<node id="${n}" uname="${n}"/>`).join('')}</nodes>
    <resources>${resources}</resources>
    <constraints>${opts.constraints ?? ''}</constraints>
  </configuration>
  <status>${states}</status>
</cib>`;
}

const dummy = (id: string): string =>
  `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy"><operations><op id="${id}-mon" name="monitor" interval="10s"/></operations></primitive>`;

/** History of a resource started on a node and probed everywhere else. */
const started = (id: string): string =>
  `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="${id}_last_0" operation_key="${id}_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" crm-feature-set="3.16.1" on_node="n1"/></lrm_resource>`;
const probedStopped = (id: string): string =>
  `<lrm_resource id="${id}" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="${id}_last_0" operation_key="${id}_monitor_0" operation="monitor" call-id="1" rc-code="7" op-status="0" interval="0" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x" crm-feature-set="3.16.1" on_node="n2"/></lrm_resource>`;

/** Fencing needs a device: without one Pacemaker fences nothing (and starts nothing). */
const FENCE_DEVICE = '<primitive id="fd" class="stonith" type="fence_dummy"/>';
const run = (xml: string) => schedule(parseXml(xml), { now: NOW });
const name = (a: GraphAction): string => describeAction(a).replace(/^ {2}\* /, '').replace(/\s+/g, ' ');
const names = (g: GraphAction[]): string[] => g.map(name);

describe('transition graph: which actions, in which order', () => {
  it('a clone that only starts has no stop pseudo actions, and its instances precede its own pseudo actions', () => {
    const r = run(cib(`<clone id="C"><meta_attributes id="C-m"><nvpair id="C-m1" name="clone-max" value="1"/></meta_attributes>${dummy('d')}</clone>`));
    const keys = names(r.graph.actions);
    expect(keys.some((k) => k.includes('C_stop_0') || k.includes('C_stopped_0'))).toBe(false);
    const firstInstance = keys.findIndex((k) => /^Resource action: d(:\d+)? /.test(k));
    expect(firstInstance).toBeGreaterThanOrEqual(0);
    expect(keys.indexOf('Pseudo action: C_start_0')).toBeGreaterThan(firstInstance);
    expect(keys.indexOf('Pseudo action: C_running_0')).toBeGreaterThan(firstInstance);
  });

  it("a clone instance's probes wait for nothing and the clone's start waits for them", () => {
    const r = run(cib(`<clone id="C">${dummy('d')}</clone>`));
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const start = byName.get('Pseudo action: C_start_0');
    expect(start).toBeDefined();
    const probes = r.graph.actions.filter((a) => a.kind === 'resource' && a.task === 'monitor' && a.intervalMs === 0);
    expect(probes.length).toBe(2);
    for (const p of probes) expect(start?.inputs).toContain(p.id);
    for (const a of r.graph.actions) if (a.kind === 'resource' && a.task === 'start') for (const p of probes) expect(a.inputs).not.toContain(p.id);
  });

  it("a group's running waits for its start, and the simulation fires the start pseudo action before the members", () => {
    const r = run(cib(`<group id="G">${dummy('a')}${dummy('b')}</group>`, { lrm: { n1: probedStopped('a') + probedStopped('b'), n2: probedStopped('a') + probedStopped('b') } }));
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const start = byName.get('Pseudo action: G_start_0');
    const running = byName.get('Pseudo action: G_running_0');
    expect(start && running && running.inputs.includes(start.id)).toBe(true);
    const fired = names(executeGraph(r.graph));
    expect(fired.indexOf('Pseudo action: G_start_0')).toBeLessThan(fired.findIndex((k) => k.startsWith('Resource action: a start')));
    expect(fired[fired.length - 1]).toMatch(/^Resource action: b monitor=10000/);
  });

  it('a resource restarted where it runs puts its recurring monitor after the restart (stop first when its definition changed)', () => {
    const changed = dummy('a').replace('type="Dummy">', 'type="Dummy"><instance_attributes id="a-i"><nvpair id="a-i1" name="fake" value="2"/></instance_attributes>');
    const history = `<lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="a_last_0" operation_key="a_start_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0" op-digest="00000000000000000000000000000000" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x" crm-feature-set="3.16.1" on_node="n1"/></lrm_resource>`;
    const r = run(cib(changed, { lrm: { n1: history, n2: probedStopped('a') } }));
    // As carried out: Pacemaker's synapses here are monitor, start, stop (the start is asked for by the parameter check).
    const keys = names(executeGraph(r.graph)).filter((k) => k.startsWith('Resource action: a '));
    expect(keys).toEqual(['Resource action: a stop on n1', 'Resource action: a start on n1', 'Resource action: a monitor=10000 on n1']);
  });

  it('a failed resource recovered where it runs: start, stop, then its recurring monitor', () => {
    const digest = parametersDigest(new Map());
    const failed = started('a').replace('op-status="0" interval="0"', `op-status="0" interval="0" op-digest="${digest}"`).replace('</lrm_resource>', '<lrm_rsc_op id="a_monitor_10000" operation_key="a_monitor_10000" operation="monitor" call-id="3" rc-code="1" op-status="0" interval="10000" transition-key="2:1:0:x" transition-magic="0:1;2:1:0:x" crm-feature-set="3.16.1" on_node="n1"/></lrm_resource>');
    const r = run(cib(dummy('a'), { lrm: { n1: failed, n2: probedStopped('a') } }));
    expect(r.summary.join('\n')).toMatch(/Recover\s+a\s+\(\s*n1\s*\)/);
    const keys = names(r.graph.actions).filter((k) => k.startsWith('Resource action: a '));
    expect(keys).toEqual(['Resource action: a start on n1', 'Resource action: a stop on n1', 'Resource action: a monitor=10000 on n1']);
  });

  it('the DC is fenced last, after every other node', () => {
    const xml = cib(dummy('a') + FENCE_DEVICE)
      .replace('<nvpair id="o1" name="stonith-enabled" value="false"/>', '<nvpair id="o1" name="stonith-enabled" value="true"/><nvpair id="o2" name="concurrent-fencing" value="true"/>')
      .replace('dc-uuid="n1"', 'dc-uuid="n1"')
      .replace(/<node_state id="(n\d)" uname="n\d" in_ccm="true" crmd="online" join="member" expected="member">/g, '<node_state id="$1" uname="$1" in_ccm="false" crmd="offline" join="down" expected="member">');
    const three = xml.replace('<node id="n2" uname="n2"/>', '<node id="n2" uname="n2"/><node id="n3" uname="n3"/>').replace('</status>', '<node_state id="n3" uname="n3" in_ccm="true" crmd="online" join="member" expected="member"/></status>');
    const r = run(three);
    const fences = r.graph.actions.filter((a) => a.kind === 'fence');
    const dc = fences.find((a) => a.kind === 'fence' && a.node === 'n1');
    const other = fences.find((a) => a.kind === 'fence' && a.node === 'n2');
    expect(dc && other).toBeTruthy();
    expect(dc?.inputs).toContain(other?.id);
    expect(other?.inputs).not.toContain(dc?.id);
  });

  it('writes the graph in the transition_graph shape: numbered synapses, one action each, triggers as inputs', () => {
    const r = run(cib(dummy('a'), { lrm: { n1: started('a').replace('a_last_0', 'a_last_0') } }));
    const xml = serializeXml(graphToXml(r.graph));
    const doc = parseXml(xml);
    expect(doc.name).toBe('transition_graph');
    expect(doc.children.map((s) => s.attrs.id)).toEqual(r.graph.actions.map((_, i) => String(i)));
    for (const [i, s] of doc.children.entries()) {
      expect(s.children.map((c) => c.name)).toEqual(['action_set', 'inputs']);
      expect(s.children[1].children.length).toBe(r.graph.actions[i].inputs.length);
    }
    expect(xml).toContain('operation_key="a_monitor_10000"');
  });

  it('under a placement strategy, load_stopped pseudo actions order the stops on a node before the starts there', () => {
    const xml = cib(dummy('a').replace('type="Dummy">', 'type="Dummy"><utilization id="a-u"><nvpair id="a-u1" name="cpu" value="1"/></utilization>'), {
      constraints: '<rsc_location id="a-on-n2" rsc="a" node="n2" score="100"/>',
      lrm: { n1: started('a'), n2: probedStopped('a') },
    }).replace('<nvpair id="o1" name="stonith-enabled" value="false"/>', '<nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="placement-strategy" value="utilization"/>')
      .replace(/<node id="(n\d)" uname="n\d"\/>/g, '<node id="$1" uname="$1"><utilization id="$1-u"><nvpair id="$1-u1" name="cpu" value="4"/></utilization></node>');
    const r = run(xml);
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const l1 = byName.get('Pseudo action: load_stopped_n1');
    const l2 = byName.get('Pseudo action: load_stopped_n2');
    const stop = byName.get('Resource action: a stop on n1');
    const start = byName.get('Resource action: a start on n2');
    expect(l1 && l2 && stop && start).toBeTruthy();
    expect(l1?.inputs).toContain(stop?.id);
    expect(start?.inputs).toContain(l2?.id);
    expect(start?.inputs).not.toContain(l1?.id);
    // Created for n1 first (where it runs), so written after n2's.
    expect(r.graph.actions.indexOf(l2 as GraphAction)).toBeLessThan(r.graph.actions.indexOf(l1 as GraphAction));
  });

  it('an order after a clone with clone-min waits on a clone-one-or-more pseudo action fed by the instances', () => {
    const clone = (id: string, extra = ''): string => `<clone id="${id}-clone">${extra}${dummy(id)}</clone>`;
    const r = run(
      cib(clone('A', '<meta_attributes id="A-m"><nvpair id="A-m1" name="clone-min" value="1"/></meta_attributes>') + clone('B'), {
        constraints: '<rsc_order id="o-AB" first="A-clone" then="B-clone" kind="Mandatory"/>',
      }),
    );
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const om = byName.get('Pseudo action: clone-one-or-more:o-AB');
    const bStart = byName.get('Pseudo action: B-clone_start_0');
    const aRunning = byName.get('Pseudo action: A-clone_running_0');
    expect(om && bStart && aRunning).toBeTruthy();
    expect(bStart?.inputs).toContain(om?.id);
    expect(bStart?.inputs).not.toContain(aRunning?.id);
    const aStarts = r.graph.actions.filter((a) => a.kind === 'resource' && a.task === 'start' && a.resource.configId === 'A');
    expect(aStarts.length).toBe(2);
    for (const s of aStarts) expect(om?.inputs).toContain(s.id);
  });

  it("a probe comes before the stop of a resource that restarts when the probed one starts", () => {
    const r = run(cib(`<group id="G">${dummy('a')}${dummy('b')}</group>`, { lrm: { n1: probedStopped('a').replace('on_node="n2"', 'on_node="n1"') + started('b') } }));
    expect(r.summary.join('\n')).toMatch(/Restart\s+b/);
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const probe = byName.get('Resource action: a monitor on n2');
    const stop = byName.get('Resource action: b stop on n1');
    expect(probe && stop).toBeTruthy();
    expect(stop?.inputs).toContain(probe?.id);
  });

  it('starts of resources that require fencing wait for every fencing', () => {
    const xml = cib(dummy('a') + dummy('c') + FENCE_DEVICE, { lrm: { n2: started('a').replace('on_node="n1"', 'on_node="n2"') } })
      .replace('<nvpair id="o1" name="stonith-enabled" value="false"/>', '<nvpair id="o1" name="stonith-enabled" value="true"/>')
      .replace('<node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">', '<node_state id="n2" uname="n2" in_ccm="false" crmd="offline" join="down" expected="member">');
    const r = run(xml);
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const fence = r.graph.actions.find((a) => a.kind === 'fence' && a.node === 'n2');
    const startC = byName.get('Resource action: c start on n1');
    const startA = byName.get('Resource action: a start on n1');
    expect(fence && startC && startA).toBeTruthy();
    expect(startC?.inputs).toContain(fence?.id);
    expect(startA?.inputs).toContain(fence?.id);
  });

  it('resources on a remote node stop before its connection does', () => {
    const conn = `<primitive id="r1" class="ocf" provider="pacemaker" type="remote"><meta_attributes id="r1-m"><nvpair id="r1-m1" name="target-role" value="Stopped"/></meta_attributes></primitive>`;
    const connHistory = started('r1').replace(/type="Dummy"/, 'type="remote"').replace('provider="heartbeat"', 'provider="pacemaker"');
    const xml = cib(conn + dummy('a'), {
      constraints: '<rsc_location id="a-r1" rsc="a" node="r1" score="INFINITY"/>',
      lrm: { n1: connHistory },
    }).replace('</status>', `<node_state id="r1" uname="r1" remote_node="true"><lrm id="r1"><lrm_resources>${started('a').replace('on_node="n1"', 'on_node="r1"')}</lrm_resources></lrm></node_state></status>`);
    const r = run(xml);
    const byName = new Map(r.graph.actions.map((a) => [name(a), a]));
    const stopA = byName.get('Resource action: a stop on r1');
    const stopConn = byName.get('Resource action: r1 stop on n1');
    expect(stopA && stopConn).toBeTruthy();
    expect(stopConn?.inputs).toContain(stopA?.id);
  });
  it('the stop that recovers a failure is created while unpacking: its synapse comes after the probe and the start', () => {
    const failedStart = `<lrm_resource id="r" class="ocf" provider="heartbeat" type="Dummy"><lrm_rsc_op id="r_last_0" operation_key="r_start_0" operation="start" call-id="2" rc-code="1" op-status="4" interval="0" op-digest="${parametersDigest(new Map())}" transition-key="1:1:0:x" transition-magic="4:1;1:1:0:x" crm-feature-set="3.16.1" on_node="n1"/></lrm_resource>`;
    const threshold = `<primitive id="r" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="r-m"><nvpair id="r-m1" name="migration-threshold" value="1"/></meta_attributes></primitive>`;
    const failCount = '<transient_attributes id="n1"><instance_attributes id="n1-a"><nvpair id="n1-f" name="fail-count-r#start_0" value="INFINITY"/></instance_attributes></transient_attributes><lrm id="n1">';
    const r = run(cib(threshold, { lrm: { n1: failedStart } }).replace('<lrm id="n1">', failCount));
    expect(names(r.graph.actions)).toEqual(['Resource action: r start on n2', 'Resource action: r monitor on n2', 'Resource action: r stop on n1']);
  });
});
