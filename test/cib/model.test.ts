import { describe, expect, it } from 'vitest';
import { CibError } from '../../src/cib/model/errors.js';
import { readCib } from '../../src/cib/model/read.js';
import { writeCib } from '../../src/cib/model/write.js';
import { allResources, findResource, isPromotable, nvValue } from '../../src/cib/model/query.js';
import type { Clone, Group, Location, Primitive, RuleDefinition } from '../../src/cib/model/types.js';
import { parseXml, serializeXml } from '../../src/cib/xml.js';

const FULL = `<cib admin_epoch="1" epoch="42" num_updates="7" validate-with="pacemaker-3.9" crm_feature_set="3.16.1" have-quorum="1" x-vendor="acme">
  <configuration>
    <crm_config>
      <cluster_property_set id="opts">
        <nvpair id="opts-se" name="stonith-enabled" value="true"/>
      </cluster_property_set>
    </crm_config>
    <nodes>
      <node id="1" uname="n1">
        <utilization id="n1-u"><nvpair id="n1-u-cpu" name="cpu" value="4"/></utilization>
        <instance_attributes id="n1-ia"><nvpair id="n1-ia-rack" name="rack" value="r1"/></instance_attributes>
      </node>
      <node id="2" uname="n2"/>
    </nodes>
    <resources>
      <primitive id="fence" class="stonith" type="fence_ipmilan"/>
      <template id="tmpl" class="ocf" provider="heartbeat" type="Dummy"/>
      <primitive id="web" template="tmpl" x-note="kept">
        <meta_attributes id="web-meta"><nvpair id="web-meta-tr" name="target-role" value="Started"/></meta_attributes>
        <operations>
          <op id="web-mon" name="monitor" interval="10s" timeout="20s" on-fail="restart" x-op="1"/>
        </operations>
        <instance_attributes id="web-ia"><nvpair id="web-ia-ip" name="ip" value="10.0.0.1"/></instance_attributes>
        <x-unknown-child id="u1"/>
      </primitive>
      <group id="g">
        <primitive id="g1" class="ocf" provider="heartbeat" type="Dummy"/>
        <primitive id="g2" class="ocf" provider="heartbeat" type="Dummy"/>
      </group>
      <clone id="db-clone">
        <meta_attributes id="db-clone-meta"><nvpair id="db-clone-meta-p" name="promotable" value="true"/></meta_attributes>
        <primitive id="db" class="ocf" provider="pacemaker" type="Stateful"/>
      </clone>
      <master id="old-ms"><primitive id="old" class="ocf" provider="pacemaker" type="Stateful"/></master>
      <bundle id="b"><docker image="x"/><primitive id="b-rsc" class="ocf" provider="heartbeat" type="Dummy"/></bundle>
    </resources>
    <constraints>
      <rsc_location id="loc" rsc="web" resource-discovery="never">
        <rule id="loc-r" score="-INFINITY" boolean-op="or">
          <expression id="loc-r-e" attribute="#uname" operation="eq" value="n2"/>
          <date_expression id="loc-r-d" operation="date_spec"><date_spec id="loc-r-d-s" hours="9-17" weekdays="1-5"/></date_expression>
          <date_expression id="loc-r-d2" operation="in_range" start="2024-01-01"><duration id="loc-r-d2-du" months="1"/></date_expression>
        </rule>
      </rsc_location>
      <rsc_colocation id="col" score="INFINITY">
        <resource_set id="col-s1" sequential="false"><resource_ref id="g"/><resource_ref id="web"/></resource_set>
      </rsc_colocation>
      <rsc_order id="ord" first="g" then="web" kind="Mandatory"/>
      <rsc_ticket id="tk" ticket="T" rsc="web" loss-policy="stop"/>
      <x-future-constraint id="f1"/>
    </constraints>
    <rsc_defaults><meta_attributes id="rd"><nvpair id="rd-st" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>
    <op_defaults><meta_attributes id="od"><nvpair id="od-t" name="timeout" value="30s"/></meta_attributes></op_defaults>
    <alerts>
      <alert id="a1" path="/usr/bin/alert.sh"><recipient id="a1-r" value="/tmp/log"/></alert>
    </alerts>
    <fencing-topology><fencing-level id="fl1" index="1" target="n1" devices="fence"/></fencing-topology>
    <tags><tag id="t1"><obj_ref id="web"/></tag></tags>
    <acls>
      <acl_role id="ro"><acl_permission id="ro-p" kind="read" xpath="/cib"/></acl_role>
      <acl_target id="alice"><role id="ro"/></acl_target>
    </acls>
  </configuration>
  <status>
    <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
      <transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="status-1-fc" name="fail-count-web#monitor_10000" value="1"/></instance_attributes></transient_attributes>
      <lrm id="1">
        <lrm_resources>
          <lrm_resource id="web" class="ocf" provider="heartbeat" type="Dummy">
            <lrm_rsc_op id="web_last_0" operation_key="web_start_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0" x-extra="e"/>
          </lrm_resource>
        </lrm_resources>
      </lrm>
    </node_state>
  </status>
</cib>
`;

function read(text: string) {
  return readCib(parseXml(text));
}

describe('readCib', () => {
  const cib = read(FULL);
  const c = cib.configuration;

  it('reads versions and properties', () => {
    expect(cib.version).toEqual({ adminEpoch: 1, epoch: 42, numUpdates: 7 });
    expect(cib.validateWith).toBe('pacemaker-3.9');
    expect(c.crmConfig[0]).toMatchObject({ element: 'cluster_property_set', id: 'opts', pairs: [{ name: 'stonith-enabled', value: 'true' }] });
  });

  it('reads nodes with attributes and utilization', () => {
    expect(c.nodes.map((n) => n.uname)).toEqual(['n1', 'n2']);
    expect(c.nodes[0].utilization[0]).toMatchObject({ pairs: [{ name: 'cpu', value: '4' }] });
    expect(c.nodes[0].instanceAttributes[0]).toMatchObject({ pairs: [{ name: 'rack', value: 'r1' }] });
  });

  it('reads every kind of resource', () => {
    expect(c.resources.map((r) => r.kind)).toEqual(['primitive', 'template', 'primitive', 'group', 'clone', 'clone', 'bundle']);
    const web = c.resources[2] as Primitive;
    expect(web.template).toBe('tmpl');
    expect(web.operations?.ops[0]).toMatchObject({ id: 'web-mon', name: 'monitor', interval: '10s', timeout: '20s', onFail: 'restart' });
    expect(web.metaAttributes[0]).toMatchObject({ pairs: [{ name: 'target-role', value: 'Started' }] });
    expect((c.resources[3] as Group).members.map((m) => m.id)).toEqual(['g1', 'g2']);
    const [clone, master] = [c.resources[4] as Clone, c.resources[5] as Clone];
    expect([clone.element, clone.child.id, master.element, master.child.id]).toEqual(['clone', 'db', 'master', 'old']);
  });

  it('reads constraints with rules and resource sets', () => {
    const loc = c.constraints[0] as Location;
    expect(loc).toMatchObject({ kind: 'rsc_location', rsc: 'web', resourceDiscovery: 'never' });
    const rule = loc.rules[0] as RuleDefinition;
    expect([rule.score, rule.booleanOp]).toEqual(['-INFINITY', 'or']);
    expect(rule.expressions.map((e) => e.kind)).toEqual(['expression', 'date_expression', 'date_expression']);
    expect(rule.expressions[1]).toMatchObject({ dateSpec: { id: 'loc-r-d-s', fields: { hours: '9-17', weekdays: '1-5' } } });
    expect(rule.expressions[2]).toMatchObject({ start: '2024-01-01', duration: { fields: { months: '1' } } });
    expect(c.constraints[1]).toMatchObject({ kind: 'rsc_colocation', sets: [{ sequential: 'false', resources: [{ id: 'g' }, { id: 'web' }] }] });
    expect(c.constraints[2]).toMatchObject({ kind: 'rsc_order', first: 'g', then: 'web', orderKind: 'Mandatory' });
    expect(c.constraints[3]).toMatchObject({ kind: 'rsc_ticket', ticket: 'T', lossPolicy: 'stop' });
    expect(c.constraints[4]).toMatchObject({ kind: 'xml', xml: { name: 'x-future-constraint' } });
  });

  it('reads defaults, alerts, fencing topology, tags and ACLs', () => {
    expect(c.rscDefaults[0]).toMatchObject({ pairs: [{ name: 'resource-stickiness', value: '100' }] });
    expect(c.opDefaults[0]).toMatchObject({ pairs: [{ name: 'timeout', value: '30s' }] });
    expect(c.alerts[0]).toMatchObject({ id: 'a1', path: '/usr/bin/alert.sh', recipients: [{ value: '/tmp/log' }] });
    expect(c.fencingTopology[0]).toMatchObject({ index: '1', target: 'n1', devices: 'fence' });
    expect(c.tags[0]).toMatchObject({ id: 't1', refs: [{ id: 'web' }] });
    expect(c.acls[0]).toMatchObject({ kind: 'acl_role', permissions: [{ access: 'read', xpath: '/cib' }] });
    expect(c.acls[1]).toMatchObject({ kind: 'acl_target', id: 'alice', roles: [{ id: 'ro' }] });
  });

  it('reads the status: node state, history, transient attributes', () => {
    const state = cib.status?.nodes[0];
    expect(state).toMatchObject({ uname: 'n1', crmd: 'online', join: 'member' });
    expect(state?.lrm?.resources[0].ops[0]).toMatchObject({ operation: 'start', callId: '3', rcCode: '0', operationKey: 'web_start_0' });
    expect(state?.transientAttributes?.sets[0]).toMatchObject({ pairs: [{ name: 'fail-count-web#monitor_10000', value: '1' }] });
  });

  it('keeps what it does not understand', () => {
    const web = c.resources[2] as Primitive;
    expect(web.extra?.attrs).toEqual({ 'x-note': 'kept' });
    expect(web.extra?.children.map((x) => x.name)).toEqual(['x-unknown-child']);
    expect(web.operations?.ops[0].extra?.attrs).toEqual({ 'x-op': '1' });
    expect(cib.extra?.attrs).toEqual({ 'x-vendor': 'acme' });
  });
});

describe('writeCib', () => {
  it('writes back the same document, including unknown parts and order', () => {
    expect(serializeXml(writeCib(read(FULL)))).toBe(serializeXml(parseXml(FULL)));
  });

  it('keeps odd combinations of id and id-ref', () => {
    const odd = FULL.replace('<meta_attributes id="web-meta">', '<meta_attributes id="web-meta" id-ref="rd">')
      .replace('<instance_attributes id="web-ia">', '<instance_attributes id-ref="n1-ia" score="5"><nvpair id="x1" name="a" value="b"/></instance_attributes><instance_attributes id="web-ia">')
      .replace('<nvpair id="web-ia-ip"', '<nvpair id="web-ia-ip" id-ref="opts-se"');
    expect(serializeXml(writeCib(read(odd)))).toBe(serializeXml(parseXml(odd)));
  });

  it('writes edits: new resources in list order, changed and removed fields', () => {
    const cib = read(FULL);
    const added: Primitive = {
      kind: 'primitive', id: 'new', class: 'ocf', provider: 'heartbeat', type: 'IPaddr2',
      instanceAttributes: [], metaAttributes: [], utilization: [],
    };
    cib.configuration.resources.splice(1, 0, added);
    const web = cib.configuration.resources[3] as Primitive;
    web.operations!.ops[0].interval = '30s';
    delete web.operations!.ops[0].timeout;
    cib.version.epoch = 43;
    const out = writeCib(cib);
    const resources = out.children[0].children.find((s) => s.name === 'resources')!;
    expect(resources.children.map((r) => r.attrs.id)).toEqual(['fence', 'new', 'tmpl', 'web', 'g', 'db-clone', 'old-ms', 'b']);
    expect(resources.children[1].attrs).toEqual({ id: 'new', class: 'ocf', provider: 'heartbeat', type: 'IPaddr2' });
    const op = resources.children[3].children.find((x) => x.name === 'operations')!.children[0];
    expect(op.attrs).toEqual({ id: 'web-mon', name: 'monitor', interval: '30s', 'on-fail': 'restart', 'x-op': '1' });
    expect(out.attrs.epoch).toBe('43');
    // Read back, the edited document is a fixed point (the model now has layouts for the new parts).
    expect(serializeXml(writeCib(readCib(out)))).toBe(serializeXml(out));
  });
});

describe('readCib refuses what the model cannot hold', () => {
  const wrap = (resources: string) =>
    `<cib admin_epoch="0" epoch="1" num_updates="0"><configuration><crm_config/><nodes/><resources>${resources}</resources><constraints/></configuration></cib>`;

  it('a document that is not a CIB', () => {
    expect(() => read('<foo/>')).toThrow(CibError);
    expect(() => read('<foo/>')).toThrow("the document's root element is <foo>, not <cib>");
  });

  it('a primitive without an id, naming element and attribute', () => {
    const err = (() => {
      try {
        read(wrap('<group id="g"><primitive class="ocf" type="Dummy"/></group>'));
      } catch (e) {
        return e;
      }
    })() as CibError;
    expect(err).toBeInstanceOf(CibError);
    expect(err.message).toBe(`<primitive> (in <group id="g">) has no 'id' attribute`);
    expect([err.element, err.attribute]).toEqual(['primitive', 'id']);
  });

  it('a clone with two children', () => {
    expect(() => read(wrap('<clone id="c"><primitive id="a" class="ocf" type="D"/><primitive id="b" class="ocf" type="D"/></clone>'))).toThrow(
      'must contain exactly one <primitive> or <group>, not 2',
    );
  });

  it('a version that is not a number', () => {
    expect(() => read(wrap('').replace('epoch="1"', 'epoch="one"'))).toThrow(`<cib> epoch="one" is not a non-negative integer`);
  });

  it('two configuration sections', () => {
    expect(() => read('<cib admin_epoch="0" epoch="1" num_updates="0"><configuration/><configuration/></cib>')).toThrow('<cib> has more than one <configuration>');
  });
});

describe('model queries', () => {
  const c = read(FULL).configuration;

  it('lists every resource, containers first, templates and bundles aside', () => {
    expect([...allResources(c)].map((r) => r.id)).toEqual(['fence', 'web', 'g', 'g1', 'g2', 'db-clone', 'db', 'old-ms', 'old']);
  });

  it('finds resources inside groups and clones', () => {
    expect(findResource(c, 'g2')?.kind).toBe('primitive');
    expect(findResource(c, 'nope')).toBeUndefined();
  });

  it('tells promotable clones: promotable=true or the old <master>', () => {
    expect([findResource(c, 'db-clone'), findResource(c, 'old-ms')].map((r) => r?.kind === 'clone' && isPromotable(r))).toEqual([true, true]);
  });

  it('reads unconditional attribute values, skipping sets with rules', () => {
    const web = findResource(c, 'web') as Primitive;
    expect(nvValue(web.metaAttributes, 'target-role')).toBe('Started');
    expect(nvValue(web.metaAttributes, 'is-managed')).toBeUndefined();
    const ruled = read(FULL.replace('<meta_attributes id="web-meta">', '<meta_attributes id="web-meta"><rule id="web-meta-r" score="0"><expression id="web-meta-r-e" attribute="#uname" operation="eq" value="n1"/></rule>'));
    expect(nvValue((findResource(ruled.configuration, 'web') as Primitive).metaAttributes, 'target-role')).toBeUndefined();
  });
});
