import { describe, expect, it } from 'vitest';
import { emptyCib } from '../cib/empty.js';
import { firstChild, serializeXml, type XmlElement } from '../cib/xml.js';
import { adoptNewer, applyChange, applyMembership, CibChangeError } from './cib-apply.js';
import { cibVersion } from './cib-version.js';

const nodes = [
  { name: 'a', id: 1 },
  { name: 'b', id: 2 },
  { name: 'c', id: 3 },
];

const stateOf = (cib: XmlElement, node: string): Record<string, string> =>
  firstChild(cib, 'status')?.children.find((c) => c.attrs.uname === node)?.attrs ?? {};

describe('applyMembership', () => {
  it('records members, the DC and quorum, and bumps the version', () => {
    const cib = applyMembership(emptyCib(), nodes, { members: ['a', 'b', 'c'], dc: 'a', quorate: true });
    expect(cib).not.toBeNull();
    const c = cib as XmlElement;
    expect(c.attrs['have-quorum']).toBe('1');
    expect(c.attrs['dc-uuid']).toBe('1');
    expect(stateOf(c, 'b')).toMatchObject({ in_ccm: 'true', crmd: 'online', join: 'member', expected: 'member' });
    expect(firstChild(firstChild(c, 'configuration') as XmlElement, 'nodes')?.children.map((n) => n.attrs.uname)).toEqual(['a', 'b', 'c']);
    expect(cibVersion(c).epoch).toBe(2);
  });

  it('leaves a node that vanished expected up (UNCLEAN), and one that said goodbye expected down', () => {
    const all = applyMembership(emptyCib(), nodes, { members: ['a', 'b', 'c'], dc: 'a', quorate: true }) as XmlElement;
    const leaving = applyChange(all, { op: 'node-leaving', node: 'b' }, nodes);
    const after = applyMembership(leaving, nodes, { members: ['a'], dc: 'a', quorate: false }) as XmlElement;
    expect(stateOf(after, 'b')).toMatchObject({ in_ccm: 'false', expected: 'down' });
    expect(stateOf(after, 'c')).toMatchObject({ in_ccm: 'false', crmd: 'offline', expected: 'member' });
    expect(after.attrs['have-quorum']).toBe('0');
    // Status-only changes move num_updates, not epoch.
    expect(cibVersion(after).epoch).toBe(cibVersion(all).epoch);
    expect(cibVersion(after).numUpdates).toBe(cibVersion(all).numUpdates + 2);
  });

  it('returns null when nothing changed', () => {
    const facts = { members: ['a', 'b'], dc: 'a', quorate: true };
    const once = applyMembership(emptyCib(), nodes, facts) as XmlElement;
    expect(applyMembership(once, nodes, facts)).toBeNull();
  });
});

describe('applyChange', () => {
  const base = applyMembership(emptyCib(), nodes, { members: ['a'], dc: 'a', quorate: true }) as XmlElement;

  it('replaces a section and bumps epoch, resetting num_updates', () => {
    const next = applyChange(base, { op: 'replace', scope: 'resources', xml: '<resources><primitive id="r1" class="ocf" provider="heartbeat" type="Dummy"/></resources>' }, nodes);
    expect(serializeXml(next)).toContain('id="r1"');
    expect(cibVersion(next)).toEqual({ adminEpoch: 0, epoch: cibVersion(base).epoch + 1, numUpdates: 0 });
    expect(serializeXml(base)).not.toContain('id="r1"');
  });

  it('keeps the cluster status section when the whole CIB is replaced', () => {
    const incoming = serializeXml(emptyCib()).replace('epoch="1"', 'epoch="40"');
    const next = applyChange(base, { op: 'replace', xml: incoming }, nodes);
    expect(cibVersion(next).epoch).toBe(40);
    expect(stateOf(next, 'a')).toMatchObject({ in_ccm: 'true' });
  });

  it.each([
    [{ op: 'replace', xml: '<resources' }, /not well-formed/],
    [{ op: 'replace', xml: '<resources/>', scope: 'status' }, /maintained by the cluster/],
    [{ op: 'replace', xml: '<nodes/>', scope: 'resources' }, /needs <resources>/],
    [{ op: 'replace', xml: '<x/>', scope: 'bogus' }, /unknown scope/],
    [{ op: 'replace', xml: '<config/>' }, /must have <cib> as root/],
    [{ op: 'replace', xml: serializeXml(emptyCib()).replace('admin_epoch="0"', 'admin_epoch="0"').replace('epoch="1"', 'epoch="0"') }, /older than/],
    [{ op: 'node-leaving', node: 'zed' }, /unknown node/],
  ] as const)('refuses %j and changes nothing', (change, message) => {
    const before = serializeXml(base);
    expect(() => applyChange(base, change, nodes)).toThrow(CibChangeError);
    expect(() => applyChange(base, change, nodes)).toThrow(message);
    expect(serializeXml(base)).toBe(before);
  });
});

describe('replace with ifEpoch', () => {
  it('applies while the configuration is at the epoch read, and refuses once it moved on', () => {
    const base = applyMembership(emptyCib(), nodes, { members: ['a', 'b', 'c'], dc: 'a', quorate: true }) as XmlElement;
    const { adminEpoch, epoch } = cibVersion(base);
    const xml = '<resources><primitive id="d" class="ocf" provider="heartbeat" type="Dummy"/></resources>';
    const next = applyChange(base, { op: 'replace', scope: 'resources', xml, ifEpoch: { adminEpoch, epoch } }, nodes);
    expect(serializeXml(next)).toContain('id="d"');
    expect(() => applyChange(next, { op: 'replace', scope: 'resources', xml: '<resources/>', ifEpoch: { adminEpoch, epoch } }, nodes)).toThrow(
      new CibChangeError(
        `the configuration changed underneath: it was read at admin_epoch ${adminEpoch}, epoch ${epoch}, and the cluster is now at admin_epoch ${adminEpoch}, epoch ${epoch + 1}; nothing committed (read it again and redo the change)`,
      ),
    );
    // A status-only update (num_updates) is not a configuration change: the epoch check passes.
    const left = applyChange(next, { op: 'node-leaving', node: 'b' }, nodes);
    const v = cibVersion(next);
    expect(serializeXml(applyChange(left, { op: 'replace', scope: 'resources', xml: '<resources/>', ifEpoch: { adminEpoch: v.adminEpoch, epoch: v.epoch } }, nodes))).not.toContain('id="d"');
  });
});

describe('status changes', () => {
  const base = (): XmlElement => applyMembership(emptyCib(), nodes, { members: ['a', 'b', 'c'], dc: 'a', quorate: true }) as XmlElement;
  const failCount = (cib: XmlElement, node: string): string | undefined =>
    firstChild(cib, 'status')
      ?.children.find((c) => c.attrs.uname === node)
      ?.children.find((c) => c.name === 'transient_attributes')
      ?.children[0]?.children.find((p) => p.attrs.name === 'fail-count-r1#monitor_1000')?.attrs.value;

  it('records fail counts and bumps num_updates, not epoch', () => {
    const before = base();
    const after = applyChange(before, { op: 'status', updates: [{ kind: 'fail-count', node: 'b', resource: 'r1', task: 'monitor', intervalMs: 1000, add: 1, lastFailure: 5 }] }, nodes);
    expect(failCount(after, 'b')).toBe('1');
    expect(cibVersion(after)).toEqual({ ...cibVersion(before), numUpdates: cibVersion(before).numUpdates + 1 });
    expect(failCount(before, 'b')).toBeUndefined();
  });

  it('is refused in a whole replacement of the status section', () => {
    expect(() => applyChange(base(), { op: 'replace', scope: 'status', xml: '<status/>' }, nodes)).toThrow(CibChangeError);
  });
});

describe('adoptNewer', () => {
  const failCountOf = (cib: XmlElement, node: string): string | undefined =>
    firstChild(cib, 'status')
      ?.children.find((c) => c.attrs.uname === node)
      ?.children.find((c) => c.name === 'transient_attributes')
      ?.children[0]?.children.find((p) => p.attrs.name === 'fail-count-r1#start_0')?.attrs.value;
  const fail = (cib: XmlElement, node: string, add: number): XmlElement =>
    applyChange(cib, { op: 'status', updates: [{ kind: 'fail-count', node, resource: 'r1', task: 'start', intervalMs: 0, add, lastFailure: 1 }] }, nodes);
  const together = applyMembership(emptyCib(), nodes, { members: ['a', 'b', 'c'], dc: 'a', quorate: true }) as XmlElement;

  it("takes each node's state from the side of the partition it was on, and the newer configuration", () => {
    // a and b keep running together; c is cut off, is its own DC, and changes more.
    const majority = fail(applyMembership(together, nodes, { members: ['a', 'b'], dc: 'a', quorate: true }) as XmlElement, 'b', 1);
    let minority = applyMembership(together, nodes, { members: ['c'], dc: 'c', quorate: true }) as XmlElement;
    minority = fail(fail(fail(minority, 'c', 1), 'c', 1), 'b', 5);
    minority = applyChange(minority, { op: 'replace', scope: 'rsc_defaults', xml: '<rsc_defaults/>' }, nodes);
    const adopted = adoptNewer(majority, minority);
    expect(cibVersion(adopted)).toEqual(cibVersion(minority));
    expect(serializeXml(firstChild(adopted, 'configuration') as XmlElement)).toBe(serializeXml(firstChild(minority, 'configuration') as XmlElement));
    expect(failCountOf(adopted, 'b')).toBe('1');
    expect(failCountOf(adopted, 'c')).toBe('2');
    expect(stateOf(adopted, 'a').in_ccm).toBe('true');
  });

  it("takes the newer copy where both saw a node as member: a DC back from the dead knows only its own node", () => {
    const stale = fail(together, 'b', 3);
    const newer = fail(applyMembership(together, nodes, { members: ['b', 'c'], dc: 'b', quorate: true }) as XmlElement, 'b', 1);
    const adopted = adoptNewer(stale, newer);
    expect(failCountOf(adopted, 'b')).toBe('1');
    expect(stateOf(adopted, 'c')).toEqual(stateOf(newer, 'c'));
    expect(stateOf(adopted, 'a')).toEqual(stateOf(stale, 'a'));
    expect(adoptNewer(newer, newer)).toBe(newer);
  });
});
