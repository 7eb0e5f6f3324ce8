import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyCibPatch, bumpVersion, type CibPatch } from '../cib/index.js';
import { firstChild, parseXml, serializeXml, type XmlElement } from '../cib/xml.js';
import { storeFromCib } from '../attributes/cib.js';
import { getAttribute, type AttributeScope } from '../attributes/store.js';
import { changesBetween } from '../attributes/io/daemon-store.js';
import { ApiRequestError } from './api-protocol.js';
import { parseAttrRequest } from './attributes-protocol.js';
import { DaemonAttributes, type AttributeCib } from './attributes.js';
import { CibChangeError } from './cib-apply.js';
import { cibVersion } from './cib-version.js';

const START = `<cib admin_epoch="0" epoch="3" num_updates="0">
  <configuration><crm_config/><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes><resources/><constraints/></configuration>
  <status><node_state id="1" uname="n1" in_ccm="true"/><node_state id="2" uname="n2" in_ccm="true"/></status>
</cib>`;

/** The DC's side of the replicated CIB, in memory: patches apply only to the version they were made for. */
class FakeCib implements AttributeCib {
  cib: XmlElement = parseXml(START);
  commits = 0;
  /** Changes the CIB behind the client's back before the next patch arrives (another node's write). */
  interfere = 0;
  current(): XmlElement {
    return this.cib;
  }
  async change(change: { op: string; patch?: CibPatch }): Promise<{ adminEpoch: number; epoch: number; numUpdates: number }> {
    if (this.interfere > 0) {
      this.interfere--;
      const other = parseXml(serializeXml(this.cib));
      (firstChild(firstChild(other, 'status') as XmlElement, 'node_state') as XmlElement).attrs.seen = String(this.interfere);
      this.cib = bumpVersion(this.cib, other);
    }
    if (change.op !== 'patch' || change.patch === undefined) throw new Error('unexpected change');
    let patched: XmlElement;
    try {
      patched = applyCibPatch(this.cib, change.patch);
    } catch (err) {
      throw new CibChangeError(`the patch does not apply: ${(err as Error).message}`);
    }
    this.cib = bumpVersion(this.cib, patched);
    this.commits++;
    return cibVersion(this.cib);
  }
}

const value = (cib: AttributeCib, scope: AttributeScope, node: string, name: string): string | undefined => getAttribute(storeFromCib(cib.current()), { scope, node, name });

function service(cib: FakeCib, now: () => number = Date.now): DaemonAttributes {
  return new DaemonAttributes({ self: 'n1', nodes: [{ name: 'n1', id: 1 }, { name: 'n2', id: 2 }, { name: 'n3', id: 3 }], cib, now, log: () => undefined });
}

const update = (r: Record<string, unknown>) => {
  const req = parseAttrRequest({ op: 'attr.update', ...r });
  if (req?.op !== 'attr.update') throw new Error('not an update');
  return req.updates;
};

afterEach(() => {
  vi.useRealTimers();
});

describe('attribute requests', () => {
  it('read lifetimes, scopes, deletes and batches, and refuse what is malformed', () => {
    expect(update({ name: 'a', value: '1' })).toEqual([{ name: 'a', node: undefined, scope: 'transient', value: '1', dampenMs: 0 }]);
    expect(update({ name: 'a', value: '1', lifetime: 'forever', node: 'n2' })[0]).toMatchObject({ scope: 'permanent', node: 'n2' });
    expect(update({ name: 'a', delete: true })[0].value).toBeNull();
    expect(update({ name: 'a', value: null })[0].value).toBeNull();
    expect(update({ updates: [{ name: 'a', value: '1' }, { name: 'b', value: '2', scope: 'utilization' }] })).toHaveLength(2);
    expect(() => update({ name: 'a' })).toThrow(/needs 'value'/);
    expect(() => update({ name: 'a', value: '1', delete: true })).toThrow(/not both/);
    expect(() => update({ name: 'a', value: '1', lifetime: 'sometimes' })).toThrow(/reboot or forever/);
    expect(() => update({ name: 'a', value: '1', dampenMs: -5 })).toThrow(/dampenMs/);
    expect(() => update({ updates: [] })).toThrow(/non-empty/);
    expect(parseAttrRequest({ op: 'cib.query' })).toBeUndefined();
  });
});

describe('the daemon attribute service', () => {
  it('writes transient attributes to the node_state and permanent ones to <nodes>, as patches', async () => {
    const cib = new FakeCib();
    const attrs = service(cib);
    await attrs.update(update({ name: 'master-db', value: '10', node: 'n2' }));
    await attrs.update(update({ name: 'site', value: 'east', lifetime: 'forever' }));
    expect(value(cib, 'transient', 'n2', 'master-db')).toBe('10');
    expect(value(cib, 'permanent', 'n1', 'site')).toBe('east');
    expect(serializeXml(cib.cib)).toContain('<transient_attributes id="2">');
    expect(cib.commits).toBe(2);
  });

  it('makes a patch again when another change reached the DC first', async () => {
    const cib = new FakeCib();
    cib.interfere = 2;
    await service(cib).update(update({ name: 'x', value: '1' }));
    expect(value(cib, 'transient', 'n1', 'x')).toBe('1');
    expect(serializeXml(cib.cib)).toContain('seen="0"');
  });

  it('refuses a bad name or an unknown node without committing anything, and lists a configured node that <nodes> lacks yet', async () => {
    const cib = new FakeCib();
    const attrs = service(cib);
    await expect(attrs.handle({ op: 'attr.update', updates: update({ name: 'bad name', value: '1' }) })).rejects.toBeInstanceOf(ApiRequestError);
    await expect(attrs.handle({ op: 'attr.update', updates: update({ updates: [{ name: 'ok', value: '1' }, { name: 'y', value: '1', node: 'nx' }] }) })).rejects.toThrow(/node 'nx'/);
    expect(cib.commits).toBe(0);
    await attrs.update(update({ name: 'early', value: '1', node: 'n3' }));
    expect(value(cib, 'transient', 'n3', 'early')).toBe('1');
  });

  it('holds dampened writes until the delay since the first change ends, and commits the last value once', async () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const cib = new FakeCib();
    const attrs = service(cib, () => now);
    await attrs.update(update({ name: 'pingd', value: '100', dampenMs: 5000 }));
    now += 3000;
    const res = await attrs.update(update({ name: 'pingd', value: '200', dampenMs: 5000 }));
    expect(res).toMatchObject({ committed: false, pending: [{ node: 'n1', name: 'pingd', dueMs: 1_005_000 }] });
    expect(value(cib, 'transient', 'n1', 'pingd')).toBeUndefined();
    expect(attrs.list('n1').pending).toMatchObject([{ name: 'pingd', value: '200' }]);
    now += 2000;
    await vi.advanceTimersByTimeAsync(2000);
    expect(value(cib, 'transient', 'n1', 'pingd')).toBe('200');
    expect(cib.commits).toBe(1);
  });

  it('clears the transient attributes of a node that left (on the DC only), keeping its permanent ones', async () => {
    const cib = new FakeCib();
    const attrs = service(cib);
    await attrs.update(update({ updates: [{ name: 't', value: '1', node: 'n2' }, { name: 'p', value: '1', node: 'n2', lifetime: 'forever' }, { name: 't', value: '1' }] }));
    attrs.nodeLeft('n2', false);
    await new Promise((r) => setTimeout(r, 10));
    expect(value(cib, 'transient', 'n2', 't')).toBe('1');
    attrs.nodeLeft('n2', true);
    await vi.waitFor(() => expect(value(cib, 'transient', 'n2', 't')).toBeUndefined());
    expect(value(cib, 'permanent', 'n2', 'p')).toBe('1');
    expect(value(cib, 'transient', 'n1', 't')).toBe('1');
  });

  it('answers queries from the CIB', async () => {
    const cib = new FakeCib();
    const attrs = service(cib);
    await attrs.update(update({ updates: [{ name: 'm', value: '5', node: 'n1' }, { name: 'm', value: '7', node: 'n2' }] }));
    expect(attrs.query('m', 'transient')).toEqual({ name: 'm', scope: 'transient', values: [{ node: 'n1', value: '5' }, { node: 'n2', value: '7' }] });
    expect(attrs.query('m', 'permanent', 'n1').values).toEqual([]);
  });
});

describe("a helper's changes as attr.update", () => {
  it('sends changed values, deletes, and new dampened writes, and nothing for what stayed', () => {
    const before = storeFromCib(parseXml(START));
    const withA = { ...before, values: { ...before.values, transient: { n1: { a: '1', b: '2' } } } };
    const after = {
      values: { ...before.values, transient: { n1: { a: '1' } }, permanent: { n2: { p: 'x' } } },
      pending: [{ node: 'n1', name: 'd', value: '9', dueMs: 5000 }],
    };
    expect(changesBetween(withA, after, 1000)).toEqual([
      { name: 'b', scope: 'transient', node: 'n1', value: null },
      { name: 'p', scope: 'permanent', node: 'n2', value: 'x' },
      { name: 'd', node: 'n1', scope: 'transient', value: '9', dampenMs: 4000 },
    ]);
    expect(changesBetween(after, after, 1000)).toEqual([]);
  });
});
