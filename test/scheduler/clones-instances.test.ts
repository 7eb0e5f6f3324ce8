import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, cls: string): string {
  const agent = cls === 'lsb' ? 'class="lsb" type="LSBDummy"' : 'class="ocf" provider="pacemaker" type="Dummy"';
  return `<lrm_resource id="${id}" ${agent}>
    <lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
  </lrm_resource>`;
}

function probed(id: string): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="Dummy">
    <lrm_rsc_op id="${id}_last_0" operation="monitor" interval="0" call-id="1" rc-code="7" op-status="0" op-digest="${DIGEST}" transition-key="1:1:7:x" transition-magic="0:7;1:1:7:x"/>
  </lrm_resource>`;
}

function uniqueClone(cls: string, max: number, nodeMax: number): string {
  const agent = cls === 'lsb' ? 'class="lsb" type="LSBDummy"' : 'class="ocf" provider="pacemaker" type="Dummy"';
  return `<clone id="c"><meta_attributes id="c-meta">
      <nvpair id="c-u" name="globally-unique" value="true"/><nvpair id="c-max" name="clone-max" value="${max}"/><nvpair id="c-nmax" name="clone-node-max" value="${nodeMax}"/>
    </meta_attributes><primitive id="d" ${agent}/></clone>`;
}

const run = (xml: string): ReturnType<typeof schedule> => schedule(parseXml(xml), { now: NOW });
const probes = (r: ReturnType<typeof run>): string[] =>
  r.graph.actions.flatMap((a) => (a.kind === 'resource' && a.task === 'monitor' && a.intervalMs === 0 ? [`${a.key.replace(/_monitor_0$/, '')} ${a.node}`] : [])).sort();
const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));

describe('instances of a globally unique clone', () => {
  it('each instance is known only where its own history is: a sibling running on a node does not spare its probe there', () => {
    const xml = cibXml({ stonith: false, resources: uniqueClone('ocf', 2, 2), status: member('n1', started('d:0', 'ocf')) + member('n2') });
    const r = run(xml);
    expect(probes(r)).toEqual(['d:0 n2', 'd:1 n1', 'd:1 n2']);
    expect(squash(r.summary)).toEqual(['* Start d:1 ( n2 )']);
  });
});

describe('a unique clone of an agent standard that knows no instances', () => {
  it('runs anonymous: one probe per node (by the instance placed there), at most one instance per node, no more instances than nodes', () => {
    const xml = cibXml({ stonith: false, resources: uniqueClone('lsb', 5, 3), status: member('n1') + member('n2') });
    const r = run(xml);
    expect(probes(r)).toEqual(['d:0 n1', 'd:1 n2']);
    expect(squash(r.summary)).toEqual(['* Start d:0 ( n1 )', '* Start d:1 ( n2 )']);
  });

  it('maps its history like an anonymous clone: the same entry on two nodes is two instances', () => {
    const xml = cibXml({ stonith: false, resources: uniqueClone('lsb', 2, 1), status: member('n1', started('d:0', 'lsb')) + member('n2', started('d:0', 'lsb')) });
    const r = run(xml);
    expect(probes(r)).toEqual([]);
    expect(r.summary).toEqual([]);
  });
});

describe('which anonymous instance a probe belongs to', () => {
  it('the instance the node\'s history already knows, by any member of a cloned group, even one not running there', () => {
    const resources = `<clone id="c"><meta_attributes id="c-meta"><nvpair id="c-max" name="clone-max" value="2"/></meta_attributes>
      <group id="g"><primitive id="a" class="ocf" provider="pacemaker" type="Dummy"/><primitive id="b" class="ocf" provider="pacemaker" type="Dummy"/></group></clone>`;
    // n2's history is read first: its probe of a takes instance 0, which then runs on n1 too.
    const xml = cibXml({ stonith: false, resources, status: member('n2', probed('a')) + member('n1', started('a', 'ocf') + started('b', 'ocf')) });
    const r = run(xml);
    expect(squash(r.summary)).toEqual(['* Start a:1 ( n2 )', '* Start b:1 ( n2 )']);
    expect(probes(r)).toEqual(['b:0 n2']);
  });

  it('else the instance placed there, else the lowest-numbered one', () => {
    const xml = cibXml({
      stonith: false,
      nodes: ['n1', 'n2', 'n3'],
      resources: `<clone id="c"><meta_attributes id="c-meta"><nvpair id="c-max" name="clone-max" value="2"/></meta_attributes><primitive id="d" class="ocf" provider="pacemaker" type="Dummy"/></clone>`,
      constraints: '<rsc_location id="l2" rsc="c" node="n2" score="50"/>',
      status: member('n1', started('d:0', 'ocf')) + member('n2', started('d:1', 'ocf')) + member('n3'),
    });
    const r = run(xml);
    expect(r.summary).toEqual([]);
    expect(probes(r)).toEqual(['d:0 n3']);
  });
});
