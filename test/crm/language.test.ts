import { describe, expect, it } from 'vitest';
import { emptyCib } from '../../src/cib/empty.js';
import { parseXml, serializeXml, type XmlElement } from '../../src/cib/xml.js';
import { checkParameters, parseAgentMetadata } from '../../src/crm/agents.js';
import { loadCrm, type LoadOptions } from '../../src/crm/commit.js';
import { CrmCommitError, CrmSyntaxError } from '../../src/crm/errors.js';
import { lexStatements } from '../../src/crm/lexer.js';
import { configurationOf } from '../../src/crm/load.js';
import { parseCrm } from '../../src/crm/parser.js';
import { isDuration } from '../../src/crm/values.js';

const options = (over: Partial<LoadOptions> = {}): LoadOptions => ({
  method: 'update',
  force: false,
  lookupAgent: () => ({ parameters: [{ name: 'fake', required: false }] }),
  pickProvider: () => 'heartbeat',
  source: 'in.crm',
  ...over,
});

function load(text: string, cib: XmlElement = emptyCib(), over: Partial<LoadOptions> = {}): XmlElement {
  return loadCrm(cib, text, options(over)).cib;
}

function section(cib: XmlElement, name: string): XmlElement {
  return configurationOf(cib).children.find((c) => c.name === name) as XmlElement;
}

function syntaxError(text: string): string {
  try {
    parseCrm(text, 'in.crm');
  } catch (e) {
    if (e instanceof CrmSyntaxError) return e.message;
    throw e;
  }
  throw new Error('parsed without error');
}

describe('lexer', () => {
  it('joins backslash continuations, unquotes, and keeps comments with the next statement', () => {
    const [s] = lexStatements('# the web server\nprimitive web apache \\\n    params options="-D FOREGROUND" \\\n    op monitor interval=10s\n', 'in.crm');
    expect(s.comments).toEqual(['# the web server']);
    expect(s.tokens.map((t) => t.text)).toEqual(['primitive', 'web', 'apache', 'params', 'options=-D FOREGROUND', 'op', 'monitor', 'interval=10s']);
    expect(s.tokens[4]).toMatchObject({ line: 3, column: 12 });
    expect(s.tokens[7]).toMatchObject({ line: 4, column: 16 });
  });

  it('reports an unclosed quote where it opens', () => {
    expect(syntaxError('property stonith-enabled=false\nprimitive d1 Dummy params fake="abc\n')).toBe('in.crm:2:32: found "abc, expected a closing "');
  });
});

describe('parser errors', () => {
  it.each([
    ['primitve d1 Dummy', /^in\.crm:1:1: found "primitve", expected a command \(property, rsc_defaults/],
    ['primitive d1', /^in\.crm:1:13: found end of line, expected a resource id and an agent/],
    ['primitive d1 Dummy op interval=10s', /^in\.crm:1:23: found "interval=10s", expected an operation name/],
    ['location l1 d1 node1', /^in\.crm:1:16: found "node1", expected SCORE: NODE or rule/],
    ['order o1 Sometimes: a b', /^in\.crm:1:10: found "Sometimes:", expected an order kind \(Optional, Mandatory, Serialize\)/],
    ['location l1 a rule 100: #uname eqq node1', /^in\.crm:1:32: found "eqq", expected an operator/],
    ['primitive 1abc Dummy', /^in\.crm:1:11: found "1abc", expected a resource id: a letter or _/],
    ['primitive d1 Dummy op monitor interval=10s OCF_CHECK_LEVEL=10 enabled=true', /found "enabled=true", expected 'enabled' before the operation's parameters/],
    ['colocation c inf: ( a [ b ] )', /found "\[", expected a resource or '\)' \(sets cannot nest\)/],
    ['xml <nonsense id="x"/>', /found "<nonsense", expected an element that is a configuration object/],
  ])('%s', (text, message) => {
    expect(syntaxError(text)).toMatch(message);
  });
});

describe('load', () => {
  const base = 'property stonith-enabled=false\nprimitive d Dummy params fake=1 op monitor interval=10s\n';

  it('bumps the epoch when the configuration changes, and only then', () => {
    const once = load(base);
    expect(once.attrs.epoch).toBe('2');
    const again = loadCrm(once, base, options());
    expect(again.changed).toBe(false);
    expect(again.cib.attrs.epoch).toBe('2');
  });

  it('update merges property sets and replaces same-id objects in place with the same ids', () => {
    const first = load(base + 'primitive e Dummy\n');
    const second = load('property no-quorum-policy=ignore\nprimitive d Dummy params fake=2 op monitor interval=10s\n', first);
    const props = section(second, 'crm_config').children[0];
    expect(props.children.map((n) => `${n.attrs.id}=${n.attrs.value}`)).toEqual(['cib-bootstrap-options-stonith-enabled=false', 'cib-bootstrap-options-no-quorum-policy=ignore']);
    const resources = section(second, 'resources').children;
    expect(resources.map((r) => r.attrs.id)).toEqual(['d', 'e']);
    expect(serializeXml(resources[0])).toBe(serializeXml(section(load(base.replace('fake=1', 'fake=2')), 'resources').children[0]));
  });

  it('a replaced object keeps the ids of the parts that match the old ones, and avoids the others (crmsh)', () => {
    const first = load(base + 'location l1 d rule inf: kernel version:gt 5.10\n');
    const same = load('location l1 d rule inf: kernel version:gt 5.10 rule 5: #uname eq n1\n', first);
    const changed = load('location l1 d rule pingd: defined pingd\n', first);
    const ruleIds = (cib: XmlElement) => section(cib, 'constraints').children[0].children.map((r) => `${r.attrs.id}/${r.children[0].attrs.id}`);
    expect(ruleIds(same)).toEqual(['l1-rule/l1-rule-expression', 'l1-rule-0/l1-rule-0-expression']);
    expect(ruleIds(changed)).toEqual(['l1-rule-0/l1-rule-0-expression']);
  });

  it('replace starts over but for the nodes, as crmsh does', () => {
    const before = load(base + 'node n1 attributes a=1\nprimitive e Dummy\nrsc_defaults resource-stickiness=1\ntag t d e\n');
    const replaced = load('property stonith-enabled=false\nprimitive x Dummy\n', before, { method: 'replace' });
    expect(section(replaced, 'resources').children.map((r) => r.attrs.id)).toEqual(['x']);
    expect(section(replaced, 'nodes').children.map((r) => r.attrs.id)).toEqual(['n1']);
    expect(configurationOf(replaced).children.filter((c) => c.children.length > 0).map((c) => c.name)).toEqual(['crm_config', 'nodes', 'resources']);
  });

  it('update replaces a node that exists (its attributes are not merged)', () => {
    const updated = load('node n1 attributes b=3\n', load(base + 'node n1 attributes a=1 b=2\n'));
    expect(serializeXml(section(updated, 'nodes'))).toBe(serializeXml(parseXml('<nodes><node uname="n1" id="n1"><instance_attributes id="n1-instance_attributes"><nvpair name="b" value="3" id="n1-instance_attributes-b"/></instance_attributes></node></nodes>')));
  });

  it('a group redefined without a member puts the member back at the top level', () => {
    const grouped = load(base + 'primitive e Dummy\ngroup g d e\n');
    const regrouped = load('group g e\n', grouped);
    expect(section(regrouped, 'resources').children.map((r) => `${r.name}:${r.attrs.id}`)).toEqual(['group:g', 'primitive:d']);
  });

  it('moves constraints onto a new group that takes their resources in, as crmsh does', () => {
    const before = load('property stonith-enabled=false\nprimitive a Dummy\nprimitive b Dummy\nprimitive x Dummy\ncolocation c1 inf: a b\norder o1 Mandatory: a b\ncolocation c2 inf: x a b\norder o2 Mandatory: x a b\nrsc_ticket t1 tk: a b\nlocation l1 a 10: n1\n');
    const out = loadCrm(before, 'group g a b\n', options());
    // What crmsh 4.4 leaves: self-referencing constraints dropped, two-resource sets made simple.
    expect(serializeXml(section(out.cib, 'constraints'))).toBe(
      serializeXml(parseXml(`<constraints><rsc_colocation id="c2" score="INFINITY" rsc="g" with-rsc="x"/><rsc_order id="o2" kind="Mandatory" first="x" then="g"/>
        <rsc_location id="l1" rsc="g" score="10" node="n1"/><rsc_ticket id="t1" ticket="tk"><resource_set id="t1-0"><resource_ref id="g"/></resource_set></rsc_ticket></constraints>`)),
    );
    expect(out.warnings.map((w) => w.message)).toContain('constraint c1 removed: it now ties group g to itself');
  });

  it('refuses a resource in two groups, and writes nothing', () => {
    const before = load(base + 'primitive e Dummy\ngroup g1 d e\n');
    expect(() => loadCrm(before, 'group g2 d\n', options())).toThrow(/cannot create group g2: d is already in group g1/);
  });

  it('refuses dangling references and duplicate ids', () => {
    expect(() => load(base + 'order o Mandatory: ghost d\n')).toThrow(/rsc_order o first: resource 'ghost' does not exist/);
    expect(() => load(base + 'primitive d Dummy\n')).toThrow(/3: d is defined twice \(first at line 2\)/);
  });

  it('refuses resources without fencing while stonith-enabled is not false', () => {
    expect(() => load('primitive d Dummy\n')).toThrow(/no STONITH resources have been defined/);
  });

  it('refuses bad scores and values crmsh lets through', () => {
    expect(() => load(base + 'primitive b Dummy\ncolocation c foo: d b\n')).toThrow(/colocation c: 'foo' is not a score/);
    expect(() => load(base + 'primitive b Dummy op start timeout=soon\n')).toThrow(/timeout 'soon' is not a duration/);
    expect(() => load(base + 'location l d rule 10: date spec hours=9-late\n')).toThrow(/date spec hours=9-late: expected a number or a range N-M/);
    expect(() => load(base + 'location l d rule 10: date gt soon\n')).toThrow(/'soon' is not an ISO 8601 date/);
  });

  it('checks parameters against the agent meta-data unless forced', () => {
    const lookupAgent = () => ({ parameters: [{ name: 'ip', required: true }] });
    const text = 'property stonith-enabled=false\nprimitive v IPaddr2 params colour=blue\n';
    let error: unknown;
    try {
      load(text, emptyCib(), { lookupAgent });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CrmCommitError);
    expect((error as CrmCommitError).forcible).toBe(true);
    expect((error as CrmCommitError).errors.map((e) => e.message)).toEqual([
      'v: required parameter "ip" not defined (ocf:heartbeat:IPaddr2)',
      'v: parameter "colour" is not known to ocf:heartbeat:IPaddr2',
    ]);
    expect(section(load(text, emptyCib(), { lookupAgent, force: true }), 'resources').children[0].attrs.id).toBe('v');
  });
});

describe('agent meta-data', () => {
  const meta = parseAgentMetadata(`<?xml version="1.0"?><resource-agent name="fence_x"><parameters>
    <parameter name="action" required="1"/><parameter name="ip" required="1" obsoletes="ipaddr"/>
    <parameter name="ipaddr" required="1" deprecated="1"/><parameter name="plug" required="1"/></parameters></resource-agent>`);

  it('treats aliases as optional and knows what the fencer supplies', () => {
    expect(meta.parameters.filter((p) => p.required).map((p) => p.name)).toEqual(['action', 'plug']);
    expect(checkParameters('f', { class: 'stonith', type: 'fence_x' }, meta, ['ipaddr', 'pcmk_host_list'], true)).toEqual(['f: required parameter "plug" not defined (stonith:fence_x)']);
    expect(checkParameters('f', { class: 'stonith', type: 'fence_x' }, meta, ['plug', 'colour'], true)).toEqual(['f: parameter "colour" is not known to stonith:fence_x']);
  });
});

describe('operation timeouts', () => {
  it('warns, as crmsh does, when a timeout is below what the agent advises', () => {
    const lookupAgent = () => parseAgentMetadata('<resource-agent><parameters/><actions><action name="start" timeout="20s"/><action name="monitor" timeout="30s" role="Promoted"/><action name="monitor" timeout="10s"/></actions></resource-agent>');
    const out = loadCrm(emptyCib(), 'property stonith-enabled=false\nprimitive p Stateful op start timeout=5s op monitor interval=9s role=Master timeout=20s op monitor interval=11s timeout=10s op stop timeout=1s\n', options({ lookupAgent }));
    expect(out.warnings.map((w) => w.message)).toEqual(['p: timeout 5s for start is smaller than the advised 20s', 'p: timeout 20s for monitor is smaller than the advised 30s']);
  });
});

describe('values', () => {
  it('knows Pacemaker durations', () => {
    expect(['0', '10s', '1min', '2m', '90', '500ms', 'PT10S', 'P1DT2H'].every(isDuration)).toBe(true);
    expect(['abc', '10 seconds', 'P', '-5s'].some(isDuration)).toBe(false);
  });
});

describe('xml statements', () => {
  it('load raw XML objects as given, filling in missing sub-ids', () => {
    const cib = load('property stonith-enabled=false\nprimitive a Dummy\nxml <rsc_colocation id="c1" score="INFINITY"> <resource_set> <resource_ref id="a"/> </resource_set> </rsc_colocation>\n');
    expect(serializeXml(section(cib, 'constraints'))).toBe(serializeXml(parseXml('<constraints><rsc_colocation id="c1" score="INFINITY"><resource_set id="c1-0"><resource_ref id="a"/></resource_set></rsc_colocation></constraints>')));
  });
});
