import { describe, expect, it } from 'vitest';
import { parseXml } from '../../src/cib/xml.js';
import { md5Hex } from '../../src/scheduler/md5.js';
import { primitivesOf } from '../../src/scheduler/model.js';
import { buildContext } from '../../src/scheduler/unpack/context.js';
import { readNvSets } from '../../src/scheduler/unpack/config.js';
import { historiesByNode } from '../../src/scheduler/unpack/histories-by-node.js';
import { failCountAt } from '../../src/scheduler/features/failure-expiry.js';
import { schedule } from '../../src/scheduler/index.js';
import { edgeFlags } from '../../src/scheduler/actions/action.js';
import { cibXml, member } from './fixtures.js';

describe('md5Hex', () => {
  it('gives RFC 1321 digests, across the padding and block boundaries', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Hex('a'.repeat(55))).toBe('ef1772b6dff9a122358552954ad0df65');
    expect(md5Hex('a'.repeat(56))).toBe('3b0c8ac703f828b04c6c197006d17218');
    expect(md5Hex('a'.repeat(64))).toBe('014842d480b571495a4a0363793f7367');
    expect(md5Hex('a'.repeat(119))).toBe('8a7bd0732ed6a28ce75f6dabc90e1613');
  });

  it('hashes the UTF-8 bytes, surrogate pairs as one code point', () => {
    expect(md5Hex('é€😀 x')).toBe('7796c3ec9aeb6924f065d7d98b17df6f');
  });
});

describe('readNvSets', () => {
  const el = (xml: string) => parseXml(xml);
  it('returns what it was given when there is no such block', () => {
    const into = new Map([['a', '1']]);
    expect(readNvSets(el('<op id="o"/>'), 'meta_attributes', { now: 0 }, into)).toBe(into);
  });

  it('takes blocks by descending score, the first value of a name winning', () => {
    const xml = `<p id="p"><meta_attributes id="low" score="1"><nvpair id="l1" name="x" value="low"/><nvpair id="l2" name="y" value="low"/></meta_attributes>
      <meta_attributes id="high" score="5"><nvpair id="h1" name="x" value="high"/></meta_attributes></p>`;
    expect([...readNvSets(el(xml), 'meta_attributes', { now: 0 })]).toEqual([
      ['x', 'high'],
      ['y', 'low'],
    ]);
  });
});

const op = (rsc: string, call: number) =>
  `<lrm_rsc_op id="${rsc}_last_0" operation="start" interval="0" call-id="${call}" rc-code="0" op-status="0" transition-key="${call}:1:0:x" transition-magic="0:0;${call}:1:0:x"/>`;
const lrm = (rsc: string, call: number) => `<lrm_resource id="${rsc}" class="ocf" provider="pacemaker" type="Dummy">${op(rsc, call)}</lrm_resource>`;
const dummy = (id: string) => `<primitive id="${id}" class="ocf" provider="pacemaker" type="Dummy"/>`;

describe('historiesByNode', () => {
  it('groups histories by node, each list in the order of the primitives given', () => {
    const ctx = buildContext(
      parseXml(cibXml({ resources: dummy('a') + dummy('b') + dummy('c'), status: member('n1', lrm('c', 3) + lrm('a', 1)) + member('n2', lrm('b', 2) + lrm('a', 4)) })),
      0,
    );
    const prims = ctx.resources.flatMap(primitivesOf);
    const byNode = historiesByNode(prims);
    expect(byNode.get('n1')?.map(([p]) => p.id)).toEqual(['a', 'c']);
    expect(byNode.get('n2')?.map(([p]) => p.id)).toEqual(['a', 'b']);
    expect(historiesByNode([...prims].reverse()).get('n1')?.map(([p, h]) => `${p.id}@${h.node.uname}`)).toEqual(['c@n1', 'a@n1']);
  });
});

describe('fail counts of an anonymous clone', () => {
  const status = (attrs: string) =>
    `<node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="n1"><instance_attributes id="t1">${attrs}</instance_attributes></transient_attributes></node_state>` +
    member('n2');
  const nv = (name: string, value: string) => `<nvpair id="${name}" name="${name}" value="${value}"/>`;

  it('counts every instance number (and none) as each instance own, and nothing of another resource', () => {
    const attrs = nv('fail-count-d:0#monitor_10000', '1') + nv('fail-count-d:1#start_0', '2') + nv('fail-count-d#stop_0', '4') + nv('fail-count-dx:0#monitor_10000', '8') + nv('fail-count-u:1#start_0', '16');
    const resources = `<clone id="dc">${dummy('d')}</clone><clone id="uc"><meta_attributes id="um"><nvpair id="gu" name="globally-unique" value="true"/></meta_attributes>${dummy('u')}</clone>`;
    const ctx = buildContext(parseXml(cibXml({ resources, status: status(attrs) })), 0);
    const n1 = ctx.nodes.find((n) => n.uname === 'n1');
    if (!n1) throw new Error('no n1');
    const prims = ctx.resources.flatMap(primitivesOf);
    const count = (id: string) => {
      const p = prims.find((q) => q.id === id);
      if (!p) throw new Error(`no ${id}`);
      return failCountAt(0, p, n1);
    };
    expect(count('d:0')).toBe(7);
    expect(count('d:1')).toBe(7);
    // Globally unique: an instance owns its own number only.
    expect(count('u:0')).toBe(0);
    expect(count('u:1')).toBe(16);
  });
});

describe('migration-threshold over fail counts found node by node', () => {
  it('keeps every anonymous instance off a node where another instance number reached it, and only there', () => {
    const resources = `<clone id="dc"><meta_attributes id="dm"><nvpair id="mt" name="migration-threshold" value="2"/></meta_attributes>${dummy('d')}</clone>`;
    const fails = (node: string, value: string) =>
      `<node_state id="${node}" uname="${node}" in_ccm="true" crmd="online" join="member" expected="member"><transient_attributes id="${node}"><instance_attributes id="t-${node}"><nvpair id="fc-${node}" name="fail-count-d:1#monitor_10000" value="${value}"/></instance_attributes></transient_attributes></node_state>`;
    const placed = (status: string) => {
      const r = schedule(parseXml(cibXml({ resources, status, nodes: ['n1', 'n2', 'n3'], stonith: false })), { now: 0 });
      return Object.values(r.placements).map((p) => p.node).sort();
    };
    expect(placed(fails('n1', '2') + fails('n2', '1') + member('n3'))).toEqual(['n2', 'n3', null]);
    expect(placed(fails('n1', '1') + fails('n2', '1') + member('n3'))).toEqual(['n1', 'n2', 'n3']);
  });
});

describe('edgeFlags', () => {
  it('gives edges with the same flags, in any order, one shared set, and other flags another', () => {
    const a = edgeFlags(['runnable', 'order']);
    expect(edgeFlags(new Set(['order', 'runnable'] as const))).toBe(a);
    expect([...a].sort()).toEqual(['order', 'runnable']);
    const b = edgeFlags(['order']);
    expect(b).not.toBe(a);
    expect(b.has('runnable')).toBe(false);
  });
});
