import { describe, expect, it } from 'vitest';
import { verifyCib, type VerifyResult } from '../../src/cib/verify.js';
import { parseXml } from '../../src/cib/xml.js';

interface Parts {
  props?: string;
  nodes?: string;
  resources?: string;
  constraints?: string;
  extra?: string;
}

const FENCE = '<primitive id="fence" class="stonith" type="fence_ipmilan"/>';
const DUMMY = (id: string, inner = '') => `<primitive id="${id}" class="ocf" provider="heartbeat" type="Dummy">${inner}</primitive>`;

function cib(p: Parts): string {
  return `<cib admin_epoch="0" epoch="1" num_updates="0">
  <configuration>
    <crm_config><cluster_property_set id="opts">${p.props ?? ''}</cluster_property_set></crm_config>
    <nodes>${p.nodes ?? '<node id="1" uname="n1"/><node id="2" uname="n2"/>'}</nodes>
    <resources>${p.resources ?? FENCE + DUMMY('a') + DUMMY('b')}</resources>
    <constraints>${p.constraints ?? ''}</constraints>
    ${p.extra ?? ''}
  </configuration>
  <status/>
</cib>`;
}

function verify(p: Parts): VerifyResult {
  return verifyCib(parseXml(cib(p)));
}

const errors = (p: Parts): string[] => verify(p).errors.map((f) => f.message);
const warnings = (p: Parts): string[] => verify(p).warnings.map((f) => f.message);

describe('verifyCib', () => {
  it('finds nothing wrong in a sound configuration', () => {
    const ok = verify({
      resources: FENCE + DUMMY('a', '<operations><op id="a-mon" name="monitor" interval="10s" timeout="20s"/></operations>') + '<group id="g">' + DUMMY('b') + '</group>',
      constraints: '<rsc_location id="l" rsc="a" node="n1" score="+INFINITY"/><rsc_order id="o" first="a" then="g" kind="Mandatory"/><rsc_colocation id="c" rsc="g" with-rsc="a" score="-100"/>',
    });
    expect(ok).toEqual({ errors: [], warnings: [] });
  });

  it('dangling references in constraints, sets, tags and templates', () => {
    expect(errors({ constraints: '<rsc_order id="o" first="a" then="nope"/>' })).toEqual(["rsc_order o then: resource 'nope' does not exist"]);
    expect(errors({ constraints: '<rsc_colocation id="c" score="10"><resource_set id="s"><resource_ref id="ghost"/></resource_set></rsc_colocation>' })).toEqual([
      "rsc_colocation c set s: resource 'ghost' does not exist",
    ]);
    expect(errors({ extra: '<tags><tag id="t"><obj_ref id="ghost"/></tag></tags>' })).toEqual(["tag t: refers to 'ghost', which does not exist"]);
    expect(errors({ resources: FENCE + '<primitive id="p" template="nope"/>' })).toEqual(["primitive p uses template 'nope', which does not exist"]);
  });

  it('duplicate ids, but not a node id equal to a resource id', () => {
    expect(errors({ resources: FENCE + DUMMY('a') + DUMMY('a') })).toEqual(["duplicate id 'a': used by <primitive> and <primitive>"]);
    expect(errors({ nodes: '<node id="a" uname="n1"/>' })).toEqual([]);
  });

  it('bad scores', () => {
    expect(errors({ constraints: '<rsc_location id="l" rsc="a" node="n1" score="lots"/>' })).toEqual([
      "rsc_location l: 'lots' is not a score (an integer, INFINITY, +INFINITY or -INFINITY)",
    ]);
    expect(errors({ constraints: '<rsc_location id="l" rsc="a"><rule id="r" score="1.5"><expression id="e" attribute="x" operation="defined"/></rule></rsc_location>' })).toEqual([
      "rule r: '1.5' is not a score (an integer, INFINITY, +INFINITY or -INFINITY)",
    ]);
  });

  it('bad durations, roles, operation names and boolean meta values', () => {
    const op = (attrs: string) => errors({ resources: FENCE + DUMMY('a', `<operations><op id="o" ${attrs}/></operations>`) });
    expect(op('name="monitor" interval="abc"')).toEqual(["resource a op o: interval 'abc' is not a duration"]);
    expect(op('name="monitor" interval="10s" timeout="soon"')).toEqual(["resource a op o: timeout 'soon' is not a duration"]);
    expect(op('name="moniter" interval="10s"')).toEqual(["resource a op o: 'moniter' is not an operation name (did you mean 'monitor'?)"]);
    expect(op('name="monitor" interval="10s" role="Boss"')).toEqual(["resource a op o: role 'Boss' is not a role"]);
    expect(op('name="monitor" interval="PT10S"')).toEqual([]);
    expect(errors({ resources: FENCE + DUMMY('a', '<meta_attributes id="m"><nvpair id="m1" name="is-managed" value="maybe"/></meta_attributes>') })).toEqual([
      "resource a: meta attribute is-managed='maybe' is not a boolean",
    ]);
    const targetRole = (id: string, v: string) => `<meta_attributes id="${id}"><nvpair id="${id}-tr" name="target-role" value="${v}"/></meta_attributes>`;
    expect(errors({ resources: FENCE + DUMMY('a', targetRole('ma', 'stopped')) + DUMMY('b', targetRole('mb', '#default')) })).toEqual([]);
    expect(errors({ resources: FENCE + DUMMY('a', targetRole('ma', 'Promoted')) })).toEqual(["resource a: target-role 'Promoted' only makes sense for promotable clones"]);
    expect(errors({ constraints: '<rsc_location id="l" rsc="a" node="n1" score="1" role="Leader"/>' })).toEqual(["rsc_location l role: 'Leader' is not a role"]);
  });

  it('bad values in resource and operation defaults', () => {
    const defaults = (section: string, name: string, value: string) => `<${section}><meta_attributes id="${section}-m"><nvpair id="${section}-m-1" name="${name}" value="${value}"/></meta_attributes></${section}>`;
    expect(errors({ extra: defaults('rsc_defaults', 'is-managed', 'perhaps') })).toEqual(["rsc_defaults is-managed: 'perhaps' is not a boolean"]);
    expect(errors({ extra: defaults('op_defaults', 'timeout', '20 sec ago') })).toEqual(["op_defaults timeout: '20 sec ago' is not a duration"]);
    expect(errors({ extra: defaults('op_defaults', 'timeout', '20s') + defaults('rsc_defaults', 'resource-stickiness', 'INFINITY') })).toEqual([]);
  });

  it('two recurring operations with the same name and interval', () => {
    const ops = '<operations><op id="m1" name="monitor" interval="10s" role="Promoted"/><op id="m2" name="monitor" interval="10000ms" role="Unpromoted"/></operations>';
    expect(errors({ resources: FENCE + DUMMY('a', ops) })).toEqual([
      'resource a op m2: duplicates operation m1 (the same name and interval may be used only once per resource)',
    ]);
  });

  it('empty groups', () => {
    expect(errors({ resources: FENCE + '<group id="g"/>' })).toEqual(['group g is empty']);
  });

  it('resources without a fencing device while stonith-enabled is not false', () => {
    const msg = 'resource start-up disabled since no STONITH resources have been defined: configure a fencing device or set stonith-enabled=false';
    expect(errors({ resources: DUMMY('a') })).toEqual([msg]);
    expect(errors({ resources: DUMMY('a'), props: '<nvpair id="se" name="stonith-enabled" value="false"/>' })).toEqual([]);
    expect(errors({ resources: '' })).toEqual([]);
  });

  it('loss-policy=fence without fencing', () => {
    expect(errors({ resources: DUMMY('a'), props: '<nvpair id="se" name="stonith-enabled" value="false"/>', constraints: '<rsc_ticket id="t" ticket="T" rsc="a" loss-policy="fence"/>' })).toEqual([
      "rsc_ticket t: loss-policy 'fence' needs fencing, but stonith-enabled is false",
    ]);
  });

  it('bad dates in rules', () => {
    const rule = '<rule id="r" score="-INFINITY"><date_expression id="d" operation="lt" end="2024-13-45"/></rule>';
    expect(errors({ constraints: `<rsc_location id="l" rsc="a">${rule}</rsc_location>` })).toEqual(["date_expression d: end '2024-13-45' does not exist: 13 is not a month"]);
  });

  it('warns about unknown properties and locations on unknown nodes, without failing', () => {
    const p = { props: '<nvpair id="x" name="stonith-enabeld" value="false"/>', constraints: '<rsc_location id="l" rsc="a" node="n9" score="5"/>' };
    expect(errors(p)).toEqual([]);
    expect(warnings(p)).toEqual(["unknown cluster property 'stonith-enabeld'", "rsc_location l: node 'n9' is not in the nodes section"]);
  });

  it('knows remote and guest nodes by their resources', () => {
    const guest = DUMMY('vm', '<meta_attributes id="vm-m"><nvpair id="vm-m-rn" name="remote-node" value="guest1"/></meta_attributes>');
    const remote = '<primitive id="remote1" class="ocf" provider="pacemaker" type="remote"/>';
    const constraints = '<rsc_location id="l1" rsc="a" node="guest1" score="5"/><rsc_location id="l2" rsc="a" node="remote1" score="5"/>';
    expect(verify({ resources: FENCE + DUMMY('a') + guest + remote, constraints })).toEqual({ errors: [], warnings: [] });
  });

  it('accepts a <cib> without version attributes, as assembled around a configuration', () => {
    const bare = cib({}).replace('<cib admin_epoch="0" epoch="1" num_updates="0">', '<cib>');
    expect(verifyCib(parseXml(bare))).toEqual({ errors: [], warnings: [] });
  });

  it('reports a document the model cannot hold as an error, not a crash', () => {
    expect(errors({ resources: FENCE + '<clone id="c"/>' })).toEqual(['clone c must contain exactly one primitive or group, has 0']);
    expect(errors({ resources: FENCE + '<primitive class="ocf" type="Dummy"/>' })).toEqual(['<primitive> has no id']);
    expect(errors({ nodes: '<node id="1" uname="n1"><utilization><nvpair id="u" name="cpu" value="1"/></utilization></node>' })).toEqual([
      "<utilization> (in <node id=\"1\">) has no 'id' attribute",
    ]);
    expect(verifyCib(parseXml('<foo/>')).errors.map((f) => f.message)).toEqual(["the document's root element is <foo>, not <cib>"]);
  });
});
