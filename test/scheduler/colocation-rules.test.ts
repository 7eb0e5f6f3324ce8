import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function prim(id: string, inner = ''): string {
  return `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy">${inner}</primitive>`;
}

function meta(id: string, pairs: Record<string, string>): string {
  return `<meta_attributes id="${id}-m">${Object.entries(pairs)
    .map(([k, v]) => `<nvpair id="${id}-m-${k}" name="${k}" value="${v}"/>`)
    .join('')}</meta_attributes>`;
}

function running(id: string, call = 5): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy"><lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="${call}" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/></lrm_resource>`;
}

/** Two or three online nodes, probes off; `status` maps a node to the resources running there. */
function cib(resources: string, constraints: string, status: Record<string, string[]> = {}, opts: { nodes?: string; props?: string } = {}): string {
  const names = ['n1', 'n2', 'n3'];
  const nodes = opts.nodes ?? names.map((n) => `<node id="${n}" uname="${n}"/>`).join('');
  const states = names
    .map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${(status[n] ?? []).map((r, i) => running(r, i + 2)).join('')}</lrm_resources></lrm></node_state>`)
    .join('');
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="n1">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/><nvpair id="o2" name="enable-startup-probes" value="false"/>${opts.props ?? ''}</cluster_property_set></crm_config>
    <nodes>${nodes}</nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status>${states}</status>
</cib>`;
}

function summary(xml: string): string[] {
  return schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.replace(/\s+/g, ' ').trim());
}

function placements(xml: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [id, p] of Object.entries(schedule(parseXml(xml), { now: NOW }).placements)) out[id] = p.node;
  return out;
}

describe('colocation blocking', () => {
  it('stops a dependent whose mandatory primary can no longer start, naming the colocation', () => {
    // b cannot start (its mandatory first is disabled), so a, tied to b, cannot stay either.
    const xml = cib(
      prim('first', meta('first', { 'target-role': 'Stopped' })) + prim('a') + prim('b'),
      '<rsc_order id="o" first="first" then="b"/><rsc_colocation id="c" rsc="a" with-rsc="b" score="INFINITY"/>',
      { n1: ['first', 'a', 'b'] },
    );
    const lines = summary(xml);
    expect(lines).toContain('* Stop a ( n1 ) due to colocation with b');
    expect(lines).toContain('* Stop b ( n1 ) due to required first start');
  });

  it('leaves a dependent of an optional colocation running', () => {
    const xml = cib(prim('first', meta('first', { 'target-role': 'Stopped' })) + prim('a') + prim('b'), '<rsc_order id="o" first="first" then="b"/><rsc_colocation id="c" rsc="a" with-rsc="b" score="500"/>', { n1: ['first', 'a', 'b'] });
    expect(summary(xml).some((l) => l.includes(' a '))).toBe(false);
  });
});

describe('colocation order', () => {
  it('places the higher-priority primary first when two compete for one node’s room', () => {
    // n1 has room for one of p-low/p-high; d follows both, the group-level one with the higher priority.
    const nodes = ['n1', 'n2']
      .map((n) => `<node id="${n}" uname="${n}"><utilization id="${n}-u"><nvpair id="${n}-u-cpu" name="cpu" value="${n === 'n1' ? 2 : 1}"/></utilization></node>`)
      .join('');
    const util = (id: string): string => `<utilization id="${id}-u"><nvpair id="${id}-u-cpu" name="cpu" value="2"/></utilization>`;
    const xml = cib(
      `<group id="g">${meta('g', { priority: '3000' })}${prim('d')}</group>` + prim('p-low', meta('p-low', { priority: '1000' }) + util('p-low')) + prim('p-high', meta('p-high', { priority: '2000' }) + util('p-high')),
      '<rsc_colocation id="c1" rsc="d" with-rsc="p-low" score="4000"/><rsc_colocation id="c2" rsc="g" with-rsc="p-high" score="4000"/>',
      {},
      { nodes, props: '<nvpair id="o3" name="placement-strategy" value="utilization"/>' },
    );
    const pl = placements(xml);
    expect(pl['p-high']).toBe('n1');
    expect(pl['p-low']).toBeNull();
  });
});

describe('colocation sets', () => {
  it('keeps every member of a sequential anti-colocated set apart from every earlier one', () => {
    const set = '<rsc_colocation id="apart" score="-INFINITY"><resource_set id="s"><resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/></resource_set></rsc_colocation>';
    const pl = placements(cib(prim('a') + prim('b') + prim('c'), set, { n1: ['a'], n2: ['b'] }).replace(/<node id="n3" uname="n3"\/>/, ''));
    // Two nodes for three resources kept apart: the third has nowhere to go.
    expect(new Set([pl.a, pl.b]).size).toBe(2);
    expect(pl.c).toBeNull();
  });

  it('reads a colocation with a template as a set: the dependent follows the last user, each user the one before', () => {
    const xml = cib(
      '<template id="t" class="ocf" provider="pacemaker" type="Dummy"/>' + prim('dep') + '<primitive id="u1" template="t"/><primitive id="u2" template="t"/>',
      '<rsc_colocation id="c" rsc="dep" with-rsc="t" score="INFINITY"/><rsc_location id="l" rsc="u1" node="n2" score="100"/>',
    );
    const pl = placements(xml);
    expect(pl).toMatchObject({ u1: 'n2', u2: 'n2', dep: 'n2' });
  });
});

describe('colocation set ordering', () => {
  it('chains an ordering=listed set the other way: each member with the next one', () => {
    const set = (listed: boolean): string => `<rsc_colocation id="c" score="INFINITY"><resource_set id="s"${listed ? ' ordering="listed"' : ''}><resource_ref id="a"/><resource_ref id="b"/><resource_ref id="c"/></resource_set></rsc_colocation>`;
    const rscs = prim('a') + prim('b', meta('b', { 'target-role': 'Stopped' })) + prim('c');
    // b stays stopped: what is colocated with it cannot run.
    expect(placements(cib(rscs, set(false)))).toMatchObject({ a: expect.any(String), c: null });
    expect(placements(cib(rscs, set(true)))).toMatchObject({ a: null, c: expect.any(String) });
  });
});

describe('colocation influence', () => {
  it('lets a dependent steer a primary that is not running yet, even with influence=false', () => {
    const xml = cib(prim('dep') + prim('prim'), '<rsc_colocation id="c" rsc="dep" with-rsc="prim" score="INFINITY" influence="false"/><rsc_location id="l" rsc="dep" node="n3" score="500"/>');
    expect(placements(xml)).toMatchObject({ prim: 'n3', dep: 'n3' });
  });

  it('keeps a running primary where it is under influence=false', () => {
    const xml = cib(prim('dep') + prim('prim'), '<rsc_colocation id="c" rsc="dep" with-rsc="prim" score="INFINITY" influence="false"/><rsc_location id="l" rsc="dep" node="n3" score="500"/>', { n1: ['prim'] });
    expect(placements(xml)).toMatchObject({ prim: 'n1', dep: 'n1' });
  });
});

describe('groups', () => {
  it('counts a group as running only when every member can run', () => {
    const xml = cib(`<group id="g1">${prim('a')}${prim('b', meta('b', { 'target-role': 'Stopped' }))}</group>` + `<group id="g2">${prim('c')}</group>`, '<rsc_order id="o" first="g1" then="g2"/>', { n1: ['a'] });
    const lines = summary(xml);
    expect(lines.some((l) => l.startsWith('* Start c (') && l.endsWith('due to unrunnable g1 running (blocked)'))).toBe(true);
    expect(lines.some((l) => l.includes(' a '))).toBe(false);
  });

  it('leaves a stopped unmanaged member stopped, and the members after it with it', () => {
    const xml = cib(`<group id="g">${prim('a')}${prim('b', meta('b', { 'is-managed': 'false' }))}${prim('c')}</group>`, '', { n1: ['a', 'c'] });
    expect(summary(xml)).toEqual(['* Stop c ( n1 ) due to node availability']);
  });
});

describe('interleaved clones', () => {
  it('stops, without a reason of its own, an instance whose node has no instance of its mandatory first', () => {
    const clone = (id: string, extra = ''): string => `<clone id="${id}-clone">${meta(`${id}-clone`, { interleave: 'true', ...(extra ? { 'target-role': extra } : {}) })}${prim(id)}</clone>`;
    const xml = cib(clone('a', 'Stopped') + clone('b'), '<rsc_order id="o" first="a-clone" then="b-clone"/>', { n1: ['a', 'b'] });
    const lines = summary(xml);
    expect(lines).toContain('* Stop b:0 ( n1 )');
  });
});

describe('location rules', () => {
  it('compares with the resource’s own parameter as it resolves on each node (value-source=param)', () => {
    const params = '<instance_attributes id="r-p"><nvpair id="r-p-want" name="want" value="2"/></instance_attributes><instance_attributes id="r-p3" score="10"><rule id="r-p3-r" score="INFINITY"><expression id="r-p3-e" attribute="#uname" operation="eq" value="n3"/></rule><nvpair id="r-p3-want" name="want" value="3"/></instance_attributes>';
    const nodes = ['n1', 'n2', 'n3'].map((n, i) => `<node id="${n}" uname="${n}"><instance_attributes id="${n}-a"><nvpair id="${n}-a-l" name="level" value="${i + 1}"/></instance_attributes></node>`).join('');
    const rule = '<rsc_location id="l" rsc="r"><rule id="l-r" score="INFINITY"><expression id="l-e" attribute="level" operation="eq" value="want" value-source="param"/></rule></rsc_location>';
    // On n2 'want' is 2 and matches; on n3 it resolves to 3 and matches too; n3 sorts after n2 on a tie.
    const scores = schedule(parseXml(cib(prim('r', params), rule, {}, { nodes })), { now: NOW, detail: true }).scores.r;
    expect(scores).toMatchObject({ n1: 0, n2: 1_000_000, n3: 1_000_000 });
  });

  it('selects the resources a pattern does not match with a leading "!"', () => {
    const xml = cib(prim('web') + prim('db'), '<rsc_location id="l" rsc-pattern="!^web" node="n3" score="INFINITY"/>');
    expect(placements(xml)).toMatchObject({ db: 'n3' });
  });
});
