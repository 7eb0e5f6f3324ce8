import { describe, expect, it } from 'vitest';
import { emptyCib } from '../empty.js';
import { element, firstChild, parseXml, serializeXml, type XmlElement } from '../xml.js';
import { ReplicationCore, type ReplicationEffect, type ReplicationRules } from './core.js';
import type { ReplicaView, ReplicationMessage } from './messages.js';
import { cibVersion, setVersion } from './version.js';

/** A toy change: add a resource id (refused if it is there already); membership as have-quorum. */
type Add = { add: string };
const rules: ReplicationRules<Add> = {
  apply(cib, change) {
    const next = parseXml(serializeXml(cib));
    const resources = firstChild(firstChild(next, 'configuration') as XmlElement, 'resources') as XmlElement;
    if (resources.children.some((c) => c.attrs.id === change.add)) throw new Error(`${change.add} exists already`);
    resources.children.push(element('primitive', { id: change.add }));
    const v = cibVersion(cib);
    setVersion(next, { ...v, epoch: v.epoch + 1, numUpdates: 0 });
    return next;
  },
  membership(cib, view) {
    const q = view.quorate ? '1' : '0';
    if (cib.attrs['have-quorum'] === q) return null;
    const next = parseXml(serializeXml(cib));
    next.attrs['have-quorum'] = q;
    const v = cibVersion(cib);
    setVersion(next, { ...v, numUpdates: v.numUpdates + 1 });
    return next;
  },
};

type Msg = { from: string; to: string; msg: ReplicationMessage<Add> };

/**
 * Cores wired by hand: messages queue until `deliver`, disk writes until `flush`, so a test can
 * hold any of them back and see what the machine does meanwhile.
 */
function cluster(names: string[], initial: Record<string, XmlElement> = {}, withRules: ReplicationRules<Add> = rules) {
  const cores = Object.fromEntries(names.map((n) => [n, new ReplicationCore<Add>({ self: n, rules: withRules, initial: initial[n] ?? emptyCib(), timeoutMs: 100 })]));
  const wire: Msg[] = [];
  const writes: { node: string; seq: number }[] = [];
  const results: Record<string, ReplicationEffect<Add>> = {};
  const disk: Record<string, string> = {};
  let nowMs = 0;
  const take = (node: string, effects: ReplicationEffect<Add>[]): void => {
    for (const e of effects) {
      if (e.type === 'send') wire.push({ from: node, to: e.to, msg: JSON.parse(JSON.stringify(e.msg)) as ReplicationMessage<Add> });
      else if (e.type === 'persist') {
        writes.push({ node, seq: e.seq });
        disk[`${node}#${e.seq}`] = serializeXml(e.cib);
      } else if (e.type === 'committed' || e.type === 'rejected') results[e.request] = e;
    }
  };
  const h = {
    cores,
    wire,
    results,
    disk: (node: string) => Object.entries(disk).filter(([k]) => k.startsWith(`${node}#`)).at(-1)?.[1],
    view(v: ReplicaView, members = v.members) {
      for (const m of members) take(m, cores[m].onView(v, nowMs));
    },
    submit(node: string, request: string, add: string) {
      take(node, cores[node].submit(request, { add }, nowMs));
    },
    /** Delivers queued messages (not those `hold` keeps) and writes, until nothing moves. */
    run(hold: (m: Msg) => boolean = () => false, holdDisk: (node: string) => boolean = () => false) {
      for (let moved = true; moved; ) {
        moved = false;
        const w = writes.findIndex((x) => !holdDisk(x.node));
        if (w >= 0) {
          const [{ node, seq }] = writes.splice(w, 1);
          take(node, cores[node].persisted(seq, nowMs));
          moved = true;
        }
        const i = wire.findIndex((m) => !hold(m));
        if (i >= 0) {
          const [m] = wire.splice(i, 1);
          take(m.to, cores[m.to].receive(m.from, m.msg, nowMs));
          moved = true;
        }
      }
    },
    tick(toMs: number) {
      nowMs = toMs;
      for (const n of names) take(n, cores[n].tick(nowMs));
    },
    xml: (n: string) => serializeXml(cores[n].current()),
  };
  return h;
}

const abc = { id: 1, members: ['a', 'b', 'c'], dc: 'a', quorate: true };

describe('replication core', () => {
  it('a join round brings every member to the DC copy, with membership recorded, and on disk', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    expect(h.xml('a')).toContain('have-quorum="1"');
    for (const n of ['b', 'c']) {
      expect(h.xml(n)).toBe(h.xml('a'));
      expect(h.disk(n)).toBe(h.xml('a'));
    }
    expect(['a', 'b', 'c'].every((n) => h.cores[n].idle())).toBe(true);
  });

  it('reports a change committed only once every member has persisted it', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('b', 'r1', 'web');
    h.run(undefined, (node) => node === 'c');
    expect(h.results.r1).toBeUndefined();
    expect(h.xml('c')).toContain('id="web"');
    h.run();
    expect(h.results.r1).toMatchObject({ type: 'committed', version: cibVersion(h.cores.a.current()) });
    expect(h.disk('c')).toContain('id="web"');
  });

  it('ships a patch to members known to hold the base version', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('a', 'r1', 'web');
    expect(h.wire.map((m) => m.msg.t)).toEqual(['cib-patch', 'cib-patch']);
  });

  it('refuses a wrong change with the reason, changing nothing', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('c', 'r1', 'web');
    h.run();
    const before = h.xml('a');
    h.submit('c', 'r2', 'web');
    h.run();
    expect(h.results.r2).toEqual({ type: 'rejected', request: 'r2', refused: true, message: 'web exists already' });
    expect(h.xml('a')).toBe(before);
  });

  it('without a DC a change is not made', () => {
    const h = cluster(['a']);
    h.view({ id: 1, members: ['a'], dc: null, quorate: false });
    h.submit('a', 'r1', 'web');
    expect(h.results.r1).toMatchObject({ type: 'rejected', refused: false, message: expect.stringMatching(/no DC/) });
  });

  it('a member that stays silent through three timeouts fails the commit, and a join round retries it', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('a', 'r1', 'web');
    h.run((m) => m.to === 'c');
    expect(h.cores.a.nextDeadlineMs()).toBe(100);
    h.tick(100);
    h.tick(200);
    expect(h.results.r1).toBeUndefined();
    h.tick(300);
    expect(h.results.r1).toMatchObject({ type: 'rejected', refused: false, message: expect.stringMatching(/c \(no acknowledgement within 300 ms/) });
    h.wire.length = 0;
    h.tick(400);
    h.run();
    expect(h.xml('c')).toBe(h.xml('a'));
    expect(h.xml('c')).toContain('id="web"');
  });

  it('a member that acknowledges after the timeout, still in the view, lets the change commit; the push goes to it again', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('a', 'r1', 'web');
    h.run((m) => m.to === 'c');
    const late = h.wire.splice(0);
    h.tick(100);
    expect(h.results.r1).toBeUndefined();
    expect(h.wire.map((m) => `${m.msg.t}>${m.to}`)).toEqual(['cib-full>c']);
    h.wire.length = 0;
    h.wire.push(...late);
    h.run();
    expect(h.results.r1).toMatchObject({ type: 'committed', version: cibVersion(h.cores.a.current()) });
    expect(h.disk('c')).toContain('id="web"');
  });

  it("the DC's own disk slower than the timeout does not fail a change every member persisted", () => {
    const h = cluster(['a', 'b']);
    h.view({ id: 1, members: ['a', 'b'], dc: 'a', quorate: true });
    h.run();
    h.submit('b', 'r1', 'web');
    h.run(undefined, (node) => node === 'a');
    h.tick(100);
    h.tick(200);
    h.run();
    expect(h.results.r1).toMatchObject({ type: 'committed', version: cibVersion(h.cores.a.current()) });
  });

  it('a member that leaves the view releases the commit at once', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.submit('a', 'r1', 'web');
    h.run((m) => m.to === 'c');
    h.view({ id: 2, members: ['a', 'b'], dc: 'a', quorate: true }, ['a', 'b']);
    expect(h.results.r1).toMatchObject({ type: 'committed' });
  });

  it('after a heal the newest configuration wins, wherever it is', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    h.run();
    h.view({ id: 2, members: ['a', 'b'], dc: 'a', quorate: true }, ['a', 'b']);
    h.view({ id: 2, members: ['c'], dc: 'c', quorate: false }, ['c']);
    h.run();
    h.submit('c', 'r1', 'from-c');
    h.submit('c', 'r2', 'more-from-c');
    h.run();
    expect(h.results.r2).toMatchObject({ type: 'committed' });
    h.view({ id: 3, members: ['a', 'b', 'c'], dc: 'a', quorate: true });
    h.run();
    for (const n of ['a', 'b', 'c']) expect(h.xml(n)).toContain('id="more-from-c"');
    expect(h.xml('b')).toBe(h.xml('a'));
  });

  it("after a heal the DC keeps what its adopt rule keeps of its own copy when a member's copy wins", () => {
    const own = emptyCib();
    (firstChild(own, 'status') as XmlElement).children.push(element('node_state', { id: '1', uname: 'a' }));
    const keepStatus: ReplicationRules<Add> = {
      ...rules,
      adopt: (mine, theirs) => ({ ...theirs, children: [...theirs.children.filter((c) => c.name !== 'status'), firstChild(mine, 'status') as XmlElement] }),
    };
    const h = cluster(['a', 'b'], { a: own }, keepStatus);
    h.view({ id: 1, members: ['a'], dc: 'a', quorate: false }, ['a']);
    h.view({ id: 1, members: ['b'], dc: 'b', quorate: false }, ['b']);
    h.run();
    h.submit('b', 'r1', 'from-b');
    h.run();
    h.view({ id: 2, members: ['a', 'b'], dc: 'a', quorate: true });
    h.run();
    expect(h.xml('a')).toContain('id="from-b"');
    expect(h.xml('a')).toContain('uname="a"');
    expect(h.xml('b')).toBe(h.xml('a'));
  });

  it('a DC restarted with a copy from an earlier life adopts the newer copy whole, and is live only once every member persisted it', () => {
    const newer = emptyCib();
    setVersion(newer, { adminEpoch: 0, epoch: 9, numUpdates: 0 });
    const stale = emptyCib();
    (firstChild(stale, 'status') as XmlElement).children.push(element('node_state', { id: '1', uname: 'a', in_ccm: 'true' }));
    let adoptCalls = 0;
    const keepStatus: ReplicationRules<Add> = {
      ...rules,
      adopt: (mine, theirs) => {
        adoptCalls += 1;
        return { ...theirs, children: [...theirs.children.filter((c) => c.name !== 'status'), firstChild(mine, 'status') as XmlElement] };
      },
    };
    const h = cluster(['a', 'b'], { a: stale, b: newer }, keepStatus);
    expect(h.cores.a.isLive()).toBe(false);
    h.view({ id: 1, members: ['a', 'b'], dc: 'a', quorate: true });
    // b's acknowledgement of the join round's push is held: the copy is adopted but not yet b's too.
    h.run((m) => m.msg.t === 'cib-ack');
    expect(cibVersion(h.cores.a.current()).epoch).toBe(9);
    expect(h.xml('a')).not.toContain('uname="a"');
    expect(adoptCalls).toBe(0);
    expect(h.cores.a.isLive()).toBe(false);
    expect(h.cores.b.isLive()).toBe(true);
    h.run();
    expect(h.cores.a.isLive()).toBe(true);
    expect(h.xml('b')).toBe(h.xml('a'));
  });

  it('a member holding a newer copy refuses an older push, and the DC adopts the newer copy', () => {
    const newer = emptyCib();
    setVersion(newer, { adminEpoch: 0, epoch: 40, numUpdates: 0 });
    const h = cluster(['a', 'b', 'c']);
    h.view(abc);
    // c's offer is lost: the DC does not know c holds a newer copy.
    h.run((m) => m.msg.t === 'cib-offer' && m.from === 'c');
    h.wire.length = 0;
    h.tick(100);
    (h.cores.c as unknown as { cib: XmlElement; ver: unknown }).cib = newer;
    (h.cores.c as unknown as { cib: XmlElement; ver: unknown }).ver = cibVersion(newer);
    h.run();
    h.tick(101);
    h.run();
    for (const n of ['a', 'b', 'c']) expect(cibVersion(h.cores[n].current()).epoch).toBe(40);
    expect(h.xml('b')).toBe(h.xml('a'));
  });

  it('a push from an older view, or from another DC of the same view, is refused', () => {
    const h = cluster(['a', 'b', 'c']);
    h.view({ id: 5, members: ['a', 'b', 'c'], dc: 'a', quorate: true });
    h.run();
    const before = h.xml('b');
    h.wire.push({ from: 'c', to: 'b', msg: { t: 'cib-full', view: 4, commit: 1, xml: serializeXml(emptyCib()) } });
    h.wire.push({ from: 'c', to: 'b', msg: { t: 'cib-full', view: 5, commit: 1, xml: serializeXml(emptyCib()) } });
    h.run((m) => m.to === 'c');
    expect(h.xml('b')).toBe(before);
    expect(h.wire.filter((m) => m.msg.t === 'cib-ack' && !m.msg.ok)).toHaveLength(2);
  });

  it("a DC that took a newer view's push before installing that view sends changes to that view's DC", () => {
    const h = cluster(['a', 'b', 'c']);
    h.view({ id: 1, members: ['a', 'b'], dc: 'a', quorate: true }, ['a', 'b']);
    h.view({ id: 1, members: ['c'], dc: 'c', quorate: false }, ['c']);
    h.run();
    // c's view 2 takes in a, whose copy of the view's commit is still on its way: a holds view 1.
    h.view({ id: 2, members: ['c', 'a', 'b'], dc: 'c', quorate: true }, ['c', 'b']);
    h.run();
    expect(h.xml('a')).toBe(h.xml('c'));
    h.submit('a', 'r1', 'web');
    h.run();
    expect(h.results.r1).toMatchObject({ type: 'committed', version: cibVersion(h.cores.c.current()) });
    h.view({ id: 2, members: ['c', 'a', 'b'], dc: 'c', quorate: true }, ['a']);
    h.run();
    for (const n of ['a', 'b']) expect(h.xml(n)).toBe(h.xml('c'));
    expect(h.xml('c')).toContain('id="web"');
  });

  it('a forwarded change whose answer never comes is reported as uncertain', () => {
    const h = cluster(['a', 'b']);
    h.view({ id: 1, members: ['a', 'b'], dc: 'a', quorate: true });
    h.run();
    h.submit('b', 'r1', 'web');
    h.wire.length = 0;
    h.tick(399);
    expect(h.results.r1).toBeUndefined();
    h.tick(400);
    expect(h.results.r1).toMatchObject({ type: 'rejected', refused: false, message: expect.stringMatching(/may or may not/) });
  });
});
