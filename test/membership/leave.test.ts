import { createSocket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Membership, deriveTiming, parseMembershipMessage, type MembershipMessage, type Ready } from '../../src/membership/index.js';
import { deriveKeys } from '../../src/transport/keys.js';
import { UdpTransport } from '../../src/transport/udp.js';
import { encodeDatagram } from '../../src/transport/wire.js';
import { TestCluster } from './cluster.js';

const BUDGET = 1000;

/** Has `name` announce its leave; `keep` filters which copies reach the network (all by default). */
function leave(c: TestCluster, name: string, keep: (to: string) => boolean = () => true): Ready['send'] {
  const sent: Ready['send'] = [];
  c.sim.inject(name, (actor, nowMs) => {
    const ready = actor.machine.leave(nowMs);
    sent.push(...ready.send);
    return ready.send.flatMap(({ to, msg }) =>
      to === 'all' ? [...c.sim.nodes.keys()].filter((n) => n !== name && keep(n)).map((n) => ({ to: n, msg })) : keep(to) ? [{ to, msg }] : [],
    );
  });
  return sent;
}

function machine(c: TestCluster, name: string): Membership {
  const actor = c.sim.nodes.get(name)?.actor;
  if (!actor) throw new Error(`${name} is not running`);
  return actor.machine;
}

/** The time at which `name` first holds a view without `gone`, stepping `stepMs` at a time. */
function timeUntilDropped(c: TestCluster, name: string, gone: string, limitMs: number, stepMs = 1): number {
  const start = c.sim.nowMs;
  while (c.view(name).members.includes(gone)) {
    if (c.sim.nowMs - start > limitMs) throw new Error(`${name} still has ${gone} in its view after ${limitMs} ms`);
    c.run(stepMs);
  }
  return c.sim.nowMs - start;
}

describe('a clean leave', () => {
  it('drops the node from every survivor view at once, reported as left, not lost', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const before = c.view('a');
    expect(before.members).toEqual(['a', 'b', 'c']);
    const t0 = c.sim.nowMs;
    const sent = leave(c, 'b');
    expect(sent.filter((s) => s.to === 'all' && s.msg.t === 'leave')).toHaveLength(3);
    const tookMs = Math.max(timeUntilDropped(c, 'a', 'b', c.timing.deadMs), timeUntilDropped(c, 'c', 'b', c.timing.deadMs));
    // A round trip or two of simulated LAN delay, not deadtime.
    expect(tookMs).toBeLessThan(c.timing.keepaliveMs);
    c.run(c.timing.keepaliveMs + 5);
    for (const n of ['a', 'c']) {
      expect(c.view(n)).toMatchObject({ members: ['a', 'c'], dc: 'a', quorate: true });
      expect(c.eventsOf(n, 'node-left', t0).map((e) => e.event)).toEqual([{ type: 'node-left', node: 'b' }]);
      expect(machine(c, n).nodes().find((p) => p.name === 'b')?.state).toBe('left');
    }
    expect(machine(c, 'b').hasLeft()).toBe(true);
    c.sim.crash('b');
    c.run(3 * c.timing.deadMs);
    for (const n of ['a', 'c']) {
      expect(c.eventsOf(n, 'node-lost', t0)).toEqual([]);
      expect(c.view(n).members).toEqual(['a', 'c']);
    }
  });

  it('works when the leaving node is the coordinator and DC', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    expect(c.view('b').dc).toBe('a');
    leave(c, 'a');
    const tookMs = Math.max(timeUntilDropped(c, 'b', 'a', c.timing.deadMs), timeUntilDropped(c, 'c', 'a', c.timing.deadMs));
    expect(tookMs).toBeLessThan(c.timing.keepaliveMs);
    c.run(c.timing.keepaliveMs + 5);
    expect(c.view('b')).toEqual(c.view('c'));
    expect(c.view('b')).toMatchObject({ members: ['b', 'c'], coordinator: 'b', dc: 'b' });
    expect(machine(c, 'a').hasLeft()).toBe(true);
  });

  it('a leaving node takes no part in views any more and sends no heartbeats', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    leave(c, 'c');
    c.run(10);
    const out = machine(c, 'c').tick(c.sim.nowMs + c.timing.keepaliveMs * 3);
    expect(out.send).toEqual([]);
    const propose: MembershipMessage = { t: 'propose', inc: 99, vid: 10_000, members: [1, 3] };
    const answer = machine(c, 'c').receive('a', propose, c.sim.nowMs + c.timing.keepaliveMs * 4);
    // It answers a proposal that counts on it with its leave again, never with an ack.
    expect(answer.send.map((s) => s.msg.t)).toEqual(['leave']);
  });

  it('when every copy to one peer is lost, that peer is told again on its next heartbeat, well before deadtime', () => {
    const c = new TestCluster({ names: ['a', 'b'], quorum: { twoNode: true } });
    c.run(BUDGET);
    expect(c.view('a').members).toEqual(['a', 'b']);
    const t0 = c.sim.nowMs;
    leave(c, 'b', () => false);
    const tookMs = timeUntilDropped(c, 'a', 'b', c.timing.deadMs);
    // Answered at the first heartbeat of a at least a keepalive after the leave.
    expect(tookMs).toBeLessThanOrEqual(2 * c.timing.keepaliveMs + 10);
    expect(c.eventsOf('a', 'node-left', t0)).toHaveLength(1);
    expect(c.eventsOf('a', 'node-lost', t0)).toEqual([]);
  });

  it('a member whose copies were all lost learns from the commit of the coordinator that the node left', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const t0 = c.sim.nowMs;
    leave(c, 'b', (to) => to === 'a');
    timeUntilDropped(c, 'c', 'b', c.timing.deadMs);
    expect(c.sim.nowMs - t0).toBeLessThan(c.timing.keepaliveMs);
    expect(c.eventsOf('c', 'node-left', t0).map((e) => e.event)).toEqual([{ type: 'node-left', node: 'b' }]);
    expect(c.eventsOf('c', 'node-lost', t0)).toEqual([]);
  });

  it('a late packet or a replayed leave of an ended life changes nothing; the next life rejoins', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const a = machine(c, 'a');
    const oldInc = c.sim.nodes.get('b')?.incarnation as number;
    const lateHeartbeat: MembershipMessage = { t: 'hb', inc: oldInc, vid: c.view('b').id, vco: 1, vm: [1, 2, 3], heard: [1, 3], st: true };
    const sent = leave(c, 'b');
    const oldLeave = sent[0].msg;
    c.run(c.timing.keepaliveMs + 5);
    c.sim.crash('b');
    const viewId = c.view('a').id;
    const stale = a.stats().staleIncarnation;
    const r = a.receive('b', lateHeartbeat, c.sim.nowMs);
    expect(r.send).toEqual([]);
    expect(a.stats().staleIncarnation).toBe(stale + 1);
    expect(a.nodes().find((p) => p.name === 'b')?.state).toBe('left');
    c.run(c.timing.deadMs);
    expect(c.view('a').id).toBe(viewId);

    c.sim.start('b');
    c.run(BUDGET);
    expect(c.view('a').members).toEqual(['a', 'b', 'c']);
    expect(a.nodes().find((p) => p.name === 'b')?.state).toBe('alive');
    // A leave from b's previous life, replayed now: refused as from an old incarnation.
    a.receive('b', oldLeave, c.sim.nowMs);
    expect(a.stats().staleIncarnation).toBe(stale + 2);
    c.run(c.timing.deadMs);
    expect(c.view('a').members).toEqual(['a', 'b', 'c']);
  });

  it('parses a leave and refuses a malformed one', () => {
    expect(parseMembershipMessage({ t: 'leave', inc: 5, vid: 2 })).toEqual({ t: 'leave', inc: 5, vid: 2 });
    expect(parseMembershipMessage({ t: 'leave', inc: -1, vid: 2 })).toBeNull();
    expect(parseMembershipMessage({ t: 'leave', inc: 5 })).toBeNull();
    const commit = { t: 'commit', inc: 1, vid: 3, members: [1, 3], allSeen: true, settled: true, expected: 3 };
    expect(parseMembershipMessage({ ...commit, left: [2] })).toEqual({ ...commit, left: [2] });
    expect(parseMembershipMessage(commit)).toEqual(commit);
    expect(parseMembershipMessage({ ...commit, left: 'b' })).toBeNull();
  });

  it('leave() twice sends the copies only once; hasLeft() is false before leave()', () => {
    const timing = deriveTiming(BUDGET);
    const m = new Membership({ self: 'a', nodes: [{ name: 'a', id: 1, votes: 1 }, { name: 'b', id: 2, votes: 1 }], timing, quorum: { twoNode: true, lastManStanding: false }, incarnation: 1 }, 0);
    expect(m.hasLeft()).toBe(false);
    expect(m.leave(10).send).toHaveLength(3);
    expect(m.leave(20).send).toEqual([]);
    expect(m.hasLeft()).toBe(true);
  });
});

describe('a leave on the wire', () => {
  const keys = deriveKeys(Buffer.from('leave-test-key-0123456789abcdef'));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const open: UdpTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  async function until(cond: () => boolean, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  it('a replayed leave is dropped and counted by the transport, inside the replay window and beyond it', async () => {
    const got: MembershipMessage[] = [];
    const b = new UdpTransport({
      self: 'b',
      incarnation: 7n,
      keys,
      encrypt: false,
      knownNodes: new Set(['a', 'b']),
      links: [{ mode: 'unicast', bindAddress: '127.0.0.2', port, peers: [{ node: 'a', address: '127.0.0.1' }] }],
      log: () => undefined,
      now: Date.now,
      onMessage: (_from, _link, payload) => got.push(JSON.parse(payload.toString()) as MembershipMessage),
    });
    open.push(b);
    await b.start();
    const datagram = (seq: bigint, payload: object, incarnation = 1000n): Buffer =>
      encodeDatagram(keys, { sender: 'a', incarnation, seq, payload: Buffer.from(JSON.stringify(payload)) }, false);
    const leaveMsg = { t: 'leave', inc: 1000, vid: 4 };
    const captured = datagram(10n, leaveMsg);
    const s = createSocket('udp4');
    const send = (p: Buffer): Promise<void> => new Promise<void>((resolve) => s.send(p, port, '127.0.0.2', () => resolve()));
    try {
      await send(captured);
      await until(() => got.length === 1);
      // Replayed at once (inside the window), then after 100 newer packets (beyond it).
      await send(captured);
      await until(() => b.counters.droppedReplay === 1);
      for (let seq = 11n; seq <= 110n; seq++) await send(datagram(seq, { t: 'hb', inc: 1000, vid: 4, vco: 1, vm: [1, 2], heard: [2], st: true }));
      await until(() => got.length === 101);
      await send(captured);
      await until(() => b.counters.droppedReplay === 2);
      // A leave of a's earlier life is refused as well.
      await send(datagram(1n, { ...leaveMsg, inc: 999 }, 999n));
      await until(() => b.counters.droppedReplay === 3);
    } finally {
      s.close();
    }
    expect(got.filter((m) => m.t === 'leave')).toEqual([leaveMsg]);
    expect(b.counters.delivered).toBe(101);
  });
});
