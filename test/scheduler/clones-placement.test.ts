import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { schedule } from '../../src/scheduler/index.js';
import { parametersDigest } from '../../src/scheduler/md5.js';
import { cibXml, member } from './fixtures.js';

const DIGEST = parametersDigest(new Map());
const NOW = 1_700_000_000;

function started(id: string, type = 'Dummy'): string {
  return `<lrm_resource id="${id}" class="ocf" provider="pacemaker" type="${type}">
    <lrm_rsc_op id="${id}_last_0" operation="start" interval="0" call-id="2" rc-code="0" op-status="0" op-digest="${DIGEST}" transition-key="1:1:0:x" transition-magic="0:0;1:1:0:x"/>
  </lrm_resource>`;
}

function clone(meta: Record<string, string>, childMeta: Record<string, string> = {}): string {
  const nv = (prefix: string, m: Record<string, string>): string => Object.entries(m).map(([k, v]) => `<nvpair id="${prefix}-${k}" name="${k}" value="${v}"/>`).join('');
  return `<clone id="c"><meta_attributes id="c-meta">${nv('c', meta)}</meta_attributes>
    <primitive id="d" class="ocf" provider="pacemaker" type="Dummy"><meta_attributes id="d-meta">${nv('d', childMeta)}</meta_attributes></primitive>
  </clone>`;
}

const squash = (lines: string[]): string[] => lines.map((l) => l.trim().replace(/\s+/g, ' '));
const plan = (xml: string): string[] => squash(schedule(parseXml(xml), { now: NOW }).summary);

describe('running clone instances and better nodes', () => {
  const threeNodes = (stickiness?: string): string =>
    cibXml({
      stonith: false,
      nodes: ['n1', 'n2', 'n3'],
      resources: clone({ 'clone-max': '2' }, stickiness === undefined ? {} : { 'resource-stickiness': stickiness }),
      constraints: '<rsc_location id="l3" rsc="c" node="n3" score="100"/>',
      status: member('n1', started('d')) + member('n2', started('d')) + member('n3'),
    });

  it('an instance moves to a node scoring higher than its own (default instance stickiness 1)', () => {
    expect(plan(threeNodes())).toEqual(['* Move d:0 ( n1 -> n3 )']);
  });

  it('an instance whose stickiness makes its node as good as the best one stays', () => {
    expect(plan(threeNodes('100'))).toEqual([]);
    expect(plan(threeNodes('99'))).toEqual(['* Move d:0 ( n1 -> n3 )']);
  });
});

describe("what a clone's instances inherit from the clone's colocations", () => {
  // g must run with the clone and prefers n1; the clone's one running instance is on n2.
  const withDependent = (cloneMax: string | undefined): string =>
    cibXml({
      stonith: false,
      nodes: ['n1', 'n2'],
      resources: clone(cloneMax === undefined ? {} : { 'clone-max': cloneMax }, { 'resource-stickiness': '1000' }) + '<primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/>',
      constraints: '<rsc_location id="lp" rsc="p" node="n1" score="INFINITY"/><rsc_colocation id="pc" rsc="p" with-rsc="c" score="INFINITY"/>',
      status: member('n1') + member('n2', started('d') + started('p')),
    });

  it('with an instance for every node, a dependent\'s positive preference does not move a running instance', () => {
    expect(plan(withDependent(undefined))).toEqual(['* Start d:1 ( n1 )', '* Move p ( n2 -> n1 )']);
  });

  it('with fewer instances than nodes, it does', () => {
    expect(plan(withDependent('1'))).toEqual(['* Move d:0 ( n2 -> n1 )', '* Move p ( n2 -> n1 )']);
  });
});
