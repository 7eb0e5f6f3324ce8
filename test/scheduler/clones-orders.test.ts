import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, digest = DIGEST): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">
    <lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" op-digest="${digest}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
  </lrm_resource>`;
}

const dummy = (id: string): string => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`;
const clone = (id: string, child: string): string => `<clone id="${id}">${dummy(child)}</clone>`;
const ban = (rsc: string, node: string): string => `<rsc_location id="ban-${rsc}-${node}" rsc="${rsc}" node="${node}" score="-INFINITY"/>`;

function cib(nodes: string[], resources: string, constraints: string, lrm: Record<string, string[]> = {}): string {
  return `<cib epoch="1" num_updates="0" admin_epoch="0" have-quorum="1" dc-uuid="${nodes[0]}">
  <configuration>
    <crm_config><cluster_property_set id="opts"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
    <nodes>${nodes.map((n) => `<node id="${n}" uname="${n}"/>`).join('')}</nodes>
    <resources>${resources}</resources>
    <constraints>${constraints}</constraints>
  </configuration>
  <status>${nodes
    .map((n) => `<node_state id="${n}" uname="${n}" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="${n}"><lrm_resources>${(lrm[n] ?? []).join('')}</lrm_resources></lrm></node_state>`)
    .join('')}</status>
</cib>`;
}

const summary = (xml: string): string[] => schedule(parseXml(xml), { now: NOW }).summary.map((l) => l.trim().replace(/\s+/g, ' '));

describe('require-all=false on an order from a clone', () => {
  // B may only run where A may not: with every instance of A needed, no B could start.
  const xml = (requireAll: string): string =>
    cib(['n1', 'n2', 'n3', 'n4'], clone('A-clone', 'A') + clone('B-clone', 'B'), [ban('A-clone', 'n3'), ban('A-clone', 'n4'), ban('B-clone', 'n1'), ban('B-clone', 'n2'), `<rsc_order id="o" first="A-clone" then="B-clone" ${requireAll}/>`].join(''), {
      n1: [started('A')],
      n2: [started('A')],
    });

  it('lets the then clone start beside one running instance of the first, on other nodes', () => {
    const lines = summary(xml('require-all="false"'));
    expect(lines).toContain('* Start B:0 ( n3 )');
    expect(lines).toContain('* Start B:1 ( n4 )');
    expect(lines.some((l) => l.includes('blocked'))).toBe(false);
  });

  it('no longer reports require-all as unsupported', () => {
    expect(schedule(parseXml(xml('require-all="false"')), { now: NOW }).unsupported).toEqual([]);
  });
});

describe('resource sets with require-all=false', () => {
  const order = (setB: string): string =>
    `<rsc_order id="order-1">
      <resource_set id="set-a"><resource_ref id="A"/></resource_set>
      <resource_set id="set-bc" sequential="false" require-all="false"><resource_ref id="B"/><resource_ref id="C"/></resource_set>
      <resource_set id="set-d"><resource_ref id="D"/></resource_set>
    </rsc_order>${setB}`;
  const resources = ['A', 'B', 'C', 'D'].map(dummy).join('');

  it('the next set waits for any one member: D starts although C cannot', () => {
    const lines = summary(cib(['n1'], resources, order(ban('C', 'n1'))));
    expect(lines).toEqual(['* Start A ( n1 )', '* Start B ( n1 )', '* Start D ( n1 )']);
  });

  it('blocks the next set, naming the set, when no member can start', () => {
    const lines = summary(cib(['n1'], resources, order(ban('A', 'n1'))));
    expect(lines).toContain('* Start D ( n1 ) due to unrunnable one-or-more:set-bc (blocked)');
  });

  it('puts the set pseudo action in the graph between the members and what follows', () => {
    const result = schedule(parseXml(cib(['n1'], resources, order(ban('C', 'n1')))), { now: NOW });
    const actions = result.graph.actions;
    const pseudo = actions.find((a) => a.kind === 'pseudo' && a.key === 'one-or-more:set-bc');
    const startOf = (id: string) => actions.find((a) => a.kind === 'resource' && a.key === `${id}_start_0`);
    expect(pseudo).toBeDefined();
    expect(pseudo?.inputs).toContain(startOf('B')?.id);
    expect(startOf('D')?.inputs).toContain(pseudo?.id);
  });
});

describe('orders across a clone judged on the other side’s node', () => {
  const resources = clone('C-clone', 'C') + dummy('P');
  const constraints = `<rsc_order id="o" first="C-clone" then="P"/><rsc_location id="l" rsc="P" node="n1" score="100"/>`;

  it('a new instance elsewhere does not restart what follows the clone', () => {
    expect(summary(cib(['n1', 'n2'], resources, constraints, { n1: [started('C'), started('P')] }))).toEqual(['* Start C:1 ( n2 )']);
  });

  it('an instance restarting elsewhere does not restart it either', () => {
    expect(summary(cib(['n1', 'n2'], resources, constraints, { n1: [started('C'), started('P')], n2: [started('C', 'changed')] }))).toEqual(['* Restart C:1 ( n2 ) due to resource definition change']);
  });

  it('an instance restarting on its node restarts it', () => {
    const lines = summary(cib(['n1', 'n2'], resources, constraints, { n1: [started('C', 'changed'), started('P')], n2: [started('C')] }));
    expect(lines).toContain('* Restart P ( n1 ) due to required C-clone running');
  });
});

describe('orders across a clone, to a group', () => {
  it('a new instance elsewhere does not restart a group ordered after the clone', () => {
    const resources = clone('C-clone', 'C') + `<group id="G">${dummy('G1')}${dummy('G2')}</group>`;
    const constraints = `<rsc_order id="o" first="C-clone" then="G"/><rsc_colocation id="c" rsc="G" with-rsc="C-clone" score="INFINITY"/><rsc_location id="l" rsc="G" node="n1" score="100"/>`;
    expect(summary(cib(['n1', 'n2'], resources, constraints, { n1: [started('C'), started('G1'), started('G2')] }))).toEqual(['* Start C:1 ( n2 )']);
  });
});

describe('interleaved orders between clones', () => {
  const interleaved = (id: string, child: string): string => `<clone id="${id}"><meta_attributes id="${id}-m"><nvpair id="${id}-i" name="interleave" value="true"/></meta_attributes>${dummy(child)}</clone>`;
  const resources = interleaved('A-clone', 'A') + interleaved('B-clone', 'B') + dummy('P');
  const constraints = `<rsc_order id="o1" first="A-clone" then="B-clone"/><rsc_order id="o2" first="B-clone" then="P"/>${ban('A-clone', 'n1')}<rsc_location id="l" rsc="P" node="n1" score="100"/>`;
  const lrm = { n1: [started('A'), started('B'), started('P')], n2: [started('A'), started('B')] };

  it('an instance with no instance of the first clone beside it stops, for no named reason', () => {
    const lines = summary(cib(['n1', 'n2'], resources, constraints, lrm));
    expect(lines).toContain('* Stop B:0 ( n1 )');
    expect(lines).toContain('* Stop A:0 ( n1 ) due to node availability');
  });

  it('what follows the clone on that node restarts', () => {
    expect(summary(cib(['n1', 'n2'], resources, constraints, lrm))).toContain('* Restart P ( n1 ) due to required B-clone running');
  });
});
