import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Membership, MembershipConfigError, deriveTiming, worstCaseDetectionMs, type MembershipConfig, type MembershipMessage, type Ready } from '../../src/membership/index.js';
import { TestCluster } from './cluster.js';

const BUDGET = 1000;

describe('forming a view', () => {
  it('agrees on one numbered view of all nodes, DC the lowest id, quorate', () => {
    const c = new TestCluster({ names: ['a', 'b', 'c'], ids: [7, 3, 5] });
    c.run(BUDGET);
    const views = ['a', 'b', 'c'].map((n) => c.view(n));
    for (const v of views) expect(v).toEqual(views[0]);
    expect(views[0]).toMatchObject({ members: ['b', 'c', 'a'], dc: 'b', quorate: true, partition: 'whole-cluster', votes: 3, quorumVotes: 2 });
    expect(views[0].id).toBeGreaterThan(0);
  });

  it('stays steady on a healthy network: no view change after forming', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const id = c.view('a').id;
    c.run(20 * BUDGET);
    expect(c.view('a').id).toBe(id);
    expect(c.eventsOf('a', 'node-lost')).toEqual([]);
  });

  it('names no DC before initdead while nodes are missing, then the lowest present node', () => {
    const c = new TestCluster({ down: ['a'] });
    c.run(c.timing.initDeadMs / 2);
    expect(c.view('b')).toMatchObject({ members: ['b', 'c'], dc: null });
    c.run(c.timing.initDeadMs);
    expect(c.view('b')).toMatchObject({ members: ['b', 'c'], dc: 'b', quorate: true, partition: 'with-quorum' });
  });

  it('a node started alone names itself DC only after initdead', () => {
    const c = new TestCluster({ down: ['b', 'c'] });
    c.run(c.timing.initDeadMs - 50);
    expect(c.view('a').dc).toBeNull();
    c.run(100);
    expect(c.view('a')).toMatchObject({ members: ['a'], dc: 'a', quorate: false, partition: 'without-quorum' });
  });
});

describe('failure detection', () => {
  it('raises a late heartbeat after warntime and loses the node after deadtime, within the budget', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const cutAt = c.sim.nowMs;
    c.cut('a', 'c');
    c.cut('b', 'c');
    c.run(2 * BUDGET);
    const late = c.eventsOf('a', 'late-heartbeat', cutAt);
    const lost = c.eventsOf('a', 'node-lost', cutAt);
    expect(late.map((e) => e.event)).toEqual([expect.objectContaining({ node: 'c' })]);
    expect(late[0].atMs - cutAt).toBeGreaterThanOrEqual(c.timing.warnMs - c.timing.keepaliveMs);
    expect(late[0].atMs - cutAt).toBeLessThan(c.timing.deadMs);
    expect(lost.map((e) => e.event)).toEqual([{ type: 'node-lost', node: 'c' }]);
    expect(lost[0].atMs - cutAt).toBeGreaterThanOrEqual(c.timing.deadMs - c.timing.keepaliveMs);
    expect(lost[0].atMs - cutAt).toBeLessThanOrEqual(worstCaseDetectionMs(c.timing) + 5);
    expect(c.view('a')).toMatchObject({ members: ['a', 'b'], dc: 'a', quorate: true });
  });

  it('moves the DC when the DC crashes, and every survivor agrees on it', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    expect(c.view('b').dc).toBe('a');
    c.sim.crash('a');
    c.run(BUDGET + 50);
    expect(c.view('b')).toEqual(c.view('c'));
    expect(c.view('b')).toMatchObject({ members: ['b', 'c'], dc: 'b', quorate: true });
  });

  it('counts a node reachable while any of its links works, and reports the dead link', () => {
    const c = new TestCluster({ links: 2 });
    c.run(BUDGET);
    const id = c.view('a').id;
    c.cut('a', 'c', [0]);
    c.cut('b', 'c', [0]);
    c.run(3 * BUDGET);
    expect(c.view('a').id).toBe(id);
    expect(c.eventsOf('a', 'link-down').map((e) => e.event)).toEqual([{ type: 'link-down', node: 'c', link: 0 }]);
    c.cut('a', 'c', [1]);
    c.cut('b', 'c', [1]);
    c.run(BUDGET + 50);
    expect(c.view('a').members).toEqual(['a', 'b']);
    c.cut('a', 'c', [0, 1], false);
    c.cut('b', 'c', [0, 1], false);
    c.run(BUDGET);
    expect(c.view('a').members).toEqual(['a', 'b', 'c']);
    expect(c.eventsOf('a', 'link-up').map((e) => (e.event as { link: number }).link).sort()).toEqual([0, 1]);
  });

  it('sees a restarted node as a new incarnation and forms a new view', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const before = c.view('a').id;
    c.sim.crash('c');
    c.sim.start('c');
    c.run(BUDGET / 2);
    expect(c.eventsOf('a', 'peer-restarted').map((e) => e.event)).toEqual([{ type: 'peer-restarted', node: 'c', incarnation: 2 }]);
    expect(c.view('c')).toEqual(c.view('a'));
    expect(c.view('a').id).toBeGreaterThan(before);
    expect(c.view('a').members).toEqual(['a', 'b', 'c']);
  });

  it('never reuses a view id after the coordinator restarts, given the persisted id', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const old = c.view('a');
    expect(old.coordinator).toBe('a');
    c.sim.crash('a');
    c.run(BUDGET + 50);
    c.sim.start('a');
    c.run(BUDGET);
    expect(c.view('a')).toEqual(c.view('b'));
    expect(c.view('a').coordinator).toBe('a');
    expect(c.view('a').id).toBeGreaterThan(old.id + 1);
    const m = new Membership({ self: 'a', nodes: [{ name: 'a', id: 1, votes: 1 }, { name: 'b', id: 2, votes: 1 }], timing: c.timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 2, lastViewId: 41 }, 0);
    expect(m.tick(0).persistViewId).toBeUndefined();
    // A ceiling ahead of the id it uses, so that the next view changes need no write.
    expect(m.tick(c.timing.initDeadMs).persistViewId).toBe(1042);
    expect(m.view().id).toBe(42);
  });
});

describe('partitions', () => {
  it('splits symmetrically into two views with one DC each; only the majority is quorate', () => {
    const c = new TestCluster({ names: ['a', 'b', 'c', 'd', 'e'] });
    c.run(BUDGET);
    for (const x of ['a', 'b']) for (const y of ['c', 'd', 'e']) c.cut(x, y);
    c.run(2 * BUDGET);
    expect([...c.partitions().values()].sort()).toEqual([['a', 'b'], ['c', 'd', 'e']]);
    expect(c.view('a')).toMatchObject({ dc: 'a', quorate: false, partition: 'without-quorum' });
    expect(c.view('d')).toMatchObject({ dc: 'c', quorate: true, partition: 'with-quorum' });
    for (const x of ['a', 'b']) for (const y of ['c', 'd', 'e']) c.cut(x, y, [0], false);
    c.run(BUDGET);
    expect([...c.partitions().values()]).toEqual([['a', 'b', 'c', 'd', 'e']]);
  });

  it('resolves one-way loss (a hears c, c does not hear a) into consistent, steady views', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    c.sim.setCut('a', 'c', 0, true);
    c.run(3 * BUDGET);
    const settled = new Map([...c.partitions()].map(([k, v]) => [k, v.join()]));
    // Every holder of a view is in it and every member holds it: the views partition the nodes.
    for (const [key, holders] of c.partitions()) {
      const v = c.view(holders[0]);
      expect(`${v.id}@${v.coordinator}`).toBe(key);
      expect(v.members).toEqual(holders);
      expect(v.dc).toBe(holders[0]);
    }
    expect(c.view('a').members).not.toContain('c');
    c.run(10 * BUDGET);
    expect(new Map([...c.partitions()].map(([k, v]) => [k, v.join()]))).toEqual(settled);
  });

  it('resolves a non-transitive triangle (a–b, b–c work, a–c cut) without flapping', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    c.cut('a', 'c');
    c.run(3 * BUDGET);
    const groups = [...c.partitions().values()].sort();
    expect(groups).toEqual([['a', 'b'], ['c']]);
    const ids = ['a', 'b', 'c'].map((n) => c.view(n).id);
    c.run(10 * BUDGET);
    expect(['a', 'b', 'c'].map((n) => c.view(n).id)).toEqual(ids);
  });
});

/** Two machines wired directly, every message delivered at once; `b` can be left untouched to model its stall. */
function duo() {
  const timing = deriveTiming(BUDGET);
  const nodes = [
    { name: 'a', id: 1, votes: 1 },
    { name: 'b', id: 2, votes: 1 },
  ];
  const cfg = (self: string): MembershipConfig => ({ self, nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 });
  const m = { a: new Membership(cfg('a'), 0), b: new Membership(cfg('b'), 0) };
  const events: { node: 'a' | 'b'; type: string }[] = [];
  /** Delivers `ready`'s messages and every answer they cause; with `cut`, b's packets are lost. */
  const route = (from: 'a' | 'b', ready: Ready, t: number, cut = false): void => {
    const queue: { from: 'a' | 'b'; ready: Ready }[] = [{ from, ready }];
    for (let item = queue.shift(); item; item = queue.shift()) {
      for (const e of item.ready.events) events.push({ node: item.from, type: e.type });
      const to = item.from === 'a' ? 'b' : 'a';
      if (cut) continue;
      for (const s of item.ready.send) queue.push({ from: to, ready: m[to].receive(item.from, s.msg, t) });
    }
  };
  return { timing, m, events, route };
}

describe('after a loss', () => {
  it('agrees on the new view as soon as the last member gives up on the lost node, not a back-off later', () => {
    const timing = deriveTiming(BUDGET);
    const nodes = ['a', 'b', 'c'].map((name, i) => ({ name, id: i + 1, votes: 1 }));
    const m = new Map(nodes.map((n) => [n.name, new Membership({ self: n.name, nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 }, 0)]));
    const inFlight: { at: number; from: string; to: string; msg: MembershipMessage }[] = [];
    const cutAt = 1001;
    const diesAt = 1180;
    // From cutAt, b hears nothing from a, and a's packets reach c 40 ms late: b gives up on a
    // first and proposes [b, c], which c refuses while it still hears a (the lower id).
    const post = (from: string, ready: Ready, t: number): void => {
      for (const { to, msg } of ready.send) {
        for (const dest of to === 'all' ? nodes.map((n) => n.name).filter((n) => n !== from) : [to]) {
          if (from === 'a' && t >= cutAt && dest === 'b') continue;
          inFlight.push({ at: t + (from === 'a' && t >= cutAt ? 40 : 1), from, to: dest, msg });
        }
      }
    };
    let cLost = Infinity;
    for (let t = 0; t < 2400; t++) {
      for (const p of inFlight.filter((x) => x.at === t && (x.to !== 'a' || t < diesAt))) post(p.to, (m.get(p.to) as Membership).receive(p.from, p.msg, t), t);
      for (const [name, node] of m) if (name !== 'a' || t < diesAt) post(name, node.tick(t), t);
      const cNode = m.get('c') as Membership;
      if (cLost === Infinity && cNode.nodes().find((n) => n.name === 'a')?.state === 'lost') cLost = t;
      const views = ['b', 'c'].map((n) => (m.get(n) as Membership).view());
      if (t > diesAt && views.every((v) => v.members.join() === 'b,c' && v.id === views[0].id)) {
        // c said it no longer hears a in its next packet; b proposed again on reading it.
        expect(t - cLost).toBeLessThanOrEqual(5);
        return;
      }
    }
    throw new Error(`b and c never agreed on a view without a: ${JSON.stringify(['a', 'b', 'c'].map((n) => (m.get(n) as Membership).view()))} c lost a at ${cLost}`);
  });
});

describe('view id persistence', () => {
  it('asks for a write once per thousand view ids, not at every view change', () => {
    const { m } = duo();
    const persisted = { a: [] as number[], b: [] as number[] };
    let cut = false;
    const route = (from: 'a' | 'b', ready: Ready, t: number): void => {
      const queue: { from: 'a' | 'b'; ready: Ready }[] = [{ from, ready }];
      for (let item = queue.shift(); item; item = queue.shift()) {
        if (item.ready.persistViewId !== undefined) persisted[item.from].push(item.ready.persistViewId);
        const to = item.from === 'a' ? 'b' : 'a';
        if (cut) continue;
        for (const s of item.ready.send) queue.push({ from: to, ready: m[to].receive(item.from, s.msg, t) });
      }
    };
    const views: number[] = [];
    for (let t = 0; t < 20 * BUDGET; t += 10) {
      // b is cut off for two budgets out of every five: a view without it, then with it again.
      cut = t % (5 * BUDGET) >= 3 * BUDGET;
      route('a', m.a.tick(t), t);
      route('b', m.b.tick(t), t);
      if (views.at(-1) !== m.a.view().id) views.push(m.a.view().id);
    }
    expect(views.length).toBeGreaterThan(6);
    expect(persisted.a).toEqual([1001]);
    expect(Math.max(...views)).toBeLessThan(1001);
  });
});

describe('a stalled node (Lifeguard local health)', () => {
  it('is not declared dead by its peers when it stalls for 80 % of the budget', () => {
    const c = new TestCluster();
    c.run(BUDGET);
    const id = c.view('a').id;
    c.sim.stall('c', c.sim.nowMs + 0.8 * BUDGET);
    c.run(3 * BUDGET);
    expect(['a', 'b', 'c'].map((n) => c.view(n).id)).toEqual([id, id, id]);
    expect(c.eventsOf('a', 'node-lost')).toEqual([]);
  });

  it.each([250, 600, 1000])('keeps the view through 60 s of 5 %% loss, then through a stall of 80 %% of a %i ms budget every 5 s', (budgetMs) => {
    const c = new TestCluster({ budgetMs });
    c.run(budgetMs);
    const id = c.view('a').id;
    c.sim.conditions.lossRate = 0.05;
    c.run(60_000);
    c.sim.conditions.lossRate = 0;
    // A budget apart, so that no heartbeat lost just before the first stall adds to it.
    c.run(budgetMs);
    for (let i = 0; i < 12; i++) {
      c.sim.stall(['a', 'b', 'c'][i % 3], c.sim.nowMs + 0.8 * budgetMs);
      c.run(5000);
    }
    expect(['a', 'b', 'c'].map((n) => c.view(n).id)).toEqual([id, id, id]);
    for (const n of ['a', 'b', 'c']) expect(c.eventsOf(n, 'node-lost')).toEqual([]);
  });

  // A stall whose last heartbeat before it is also lost is silence of 0.8 × budget + 2 keepalives,
  // past deadtime: the stalled node's host answering the probes is what keeps it in.
  it('keeps the view through 5 % loss and 80 % stalls at once', () => {
    const budgetMs = 1000;
    const c = new TestCluster({ budgetMs });
    c.run(budgetMs);
    const id = c.view('a').id;
    c.sim.conditions.lossRate = 0.05;
    for (let i = 0; i < 12; i++) {
      c.sim.stall(['a', 'b', 'c'][i % 3], c.sim.nowMs + 0.8 * budgetMs);
      c.run(5000);
    }
    expect(['a', 'b', 'c'].map((n) => c.view(n).id)).toEqual([id, id, id]);
    for (const n of ['a', 'b', 'c']) expect(c.eventsOf(n, 'node-lost')).toEqual([]);
  });

  it('does not accuse healthy peers after its own loop stalled past deadtime', () => {
    const { timing, m, route } = duo();
    let t = 0;
    for (; t < BUDGET; t += 31) {
      route('a', m.a.tick(t), t);
      route('b', m.b.tick(t), t);
    }
    expect(m.b.view().members).toEqual(['a', 'b']);
    // b's loop freezes for twice the deadtime: its first tick after resuming comes before the
    // packets a sent meanwhile, which wait in b's socket buffer.
    t += 2 * timing.deadMs;
    const resumed = m.b.tick(t);
    expect(resumed.events.map((e) => e.type)).toContain('local-stall');
    expect(resumed.events.map((e) => e.type)).not.toContain('node-lost');
    expect(m.b.nodes().find((n) => n.name === 'a')?.state).toBe('alive');
    expect(m.b.healthScore()).toBe(1);
    expect(m.b.view().members).toEqual(['a', 'b']);
  });

  it('a node whose loop ran on time does accuse a silent peer (the control case)', () => {
    const { timing, m, route, events } = duo();
    let t = 0;
    for (; t < BUDGET; t += 31) {
      route('a', m.a.tick(t), t);
      route('b', m.b.tick(t), t);
    }
    const silentFrom = t;
    for (; t < silentFrom + 2 * timing.deadMs; t += 31) route('b', m.b.tick(t), t, true);
    expect(events.filter((e) => e.node === 'b' && e.type === 'node-lost')).toHaveLength(1);
    expect(m.b.view().members).toEqual(['b']);
  });

  it('stretches its failure timeout after a reported local delay', () => {
    const { timing, m, route, events } = duo();
    let t = 0;
    for (; t < BUDGET; t += 31) {
      route('a', m.a.tick(t), t);
      route('b', m.b.tick(t), t);
    }
    expect(m.b.reportLocalDelay(200).events).toEqual([{ type: 'local-stall', gapMs: 200, healthScore: 1 }]);
    const silentFrom = t;
    let lostAfter = -1;
    for (; t < silentFrom + 4 * timing.deadMs && lostAfter < 0; t += 31) {
      route('b', m.b.tick(t), t, true);
      if (events.some((e) => e.node === 'b' && e.type === 'node-lost')) lostAfter = t - silentFrom;
    }
    // Healthy, it would have taken one deadtime; with score 1 the timeout is twice that.
    expect(lostAfter).toBeGreaterThan(1.5 * timing.deadMs);
    expect(lostAfter).toBeLessThan(2.5 * timing.deadMs);
  });
});

describe('quorum in the cluster', () => {
  it('two_node: the survivor keeps quorum once both were seen; a lone booted node never gains it', () => {
    const c = new TestCluster({ names: ['a', 'b'], quorum: { twoNode: true } });
    c.run(BUDGET);
    expect(c.view('a')).toMatchObject({ quorate: true, quorumVotes: 1 });
    c.sim.crash('a');
    c.run(BUDGET + 50);
    expect(c.view('b')).toMatchObject({ members: ['b'], dc: 'b', quorate: true });
    const lone = new TestCluster({ names: ['a', 'b'], quorum: { twoNode: true }, down: ['b'] });
    lone.run(2 * lone.timing.initDeadMs);
    expect(lone.view('a')).toMatchObject({ members: ['a'], dc: 'a', quorate: false });
  });

  it('two_node with wait_for_all explicitly off: a lone node is quorate', () => {
    const lone = new TestCluster({ names: ['a', 'b'], quorum: { twoNode: true, waitForAll: false }, down: ['b'] });
    lone.run(2 * lone.timing.initDeadMs);
    expect(lone.view('a')).toMatchObject({ quorate: true });
  });

  it('wait_for_all: two of three are not quorate until the third has been seen once', () => {
    const c = new TestCluster({ quorum: { waitForAll: true }, down: ['c'] });
    c.run(2 * c.timing.initDeadMs);
    expect(c.view('a')).toMatchObject({ members: ['a', 'b'], quorate: false });
    c.sim.start('c');
    c.run(BUDGET);
    expect(c.view('a')).toMatchObject({ members: ['a', 'b', 'c'], quorate: true });
    c.sim.crash('c');
    c.run(BUDGET + 50);
    expect(c.view('a')).toMatchObject({ members: ['a', 'b'], quorate: true });
  });

  it('expected_votes overrides the node count', () => {
    const c = new TestCluster({ quorum: { expectedVotes: 5 } });
    c.run(BUDGET);
    expect(c.view('a')).toMatchObject({ quorate: true, expectedVotes: 5, quorumVotes: 3 });
    c.sim.crash('c');
    c.run(BUDGET + 50);
    expect(c.view('a')).toMatchObject({ members: ['a', 'b'], quorate: false });
  });

  it('last_man_standing: after the window, a shrunken partition keeps quorum as more nodes leave', () => {
    const run = (lastManStanding: boolean): boolean => {
      const c = new TestCluster({ names: ['a', 'b', 'c', 'd'], quorum: { lastManStanding, lastManStandingWindowMs: 2000 } });
      c.run(BUDGET);
      c.sim.crash('d');
      c.run(BUDGET + 2500);
      expect(c.view('a')).toMatchObject({ members: ['a', 'b', 'c'], quorate: true, expectedVotes: lastManStanding ? 3 : 4 });
      c.sim.crash('c');
      c.run(BUDGET + 50);
      expect(c.view('a').members).toEqual(['a', 'b']);
      return c.view('a').quorate;
    };
    expect(run(true)).toBe(true);
    expect(run(false)).toBe(false);
  });
});

describe('untrusted input', () => {
  const timing = deriveTiming(BUDGET);
  const nodes = [
    { name: 'a', id: 1, votes: 1 },
    { name: 'b', id: 2, votes: 1 },
  ];
  const make = (): Membership => new Membership({ self: 'a', nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 }, 0);

  it('drops and counts malformed messages, unknown senders and stale incarnations without changing state', () => {
    const m = make();
    const before = JSON.stringify(m.view());
    const junk: unknown[] = [null, 42, 'hb', {}, { t: 'hb', inc: -1, vid: 0 }, { t: 'bogus', inc: 1, vid: 1 }, { t: 'hb', inc: 1, vid: 0, vco: 1, vm: 'x', heard: [], st: true }, { t: 'propose', inc: 1, vid: 1, members: new Array(5000).fill(1) }];
    for (const j of junk) expect(m.receive('b', j as MembershipMessage, 10)).toEqual({ send: [], events: [] });
    m.receive('mallory', { t: 'hb', inc: 1, vid: 0, vco: 2, vm: [2], heard: [], st: false }, 10);
    m.receive('b', { t: 'hb', inc: 5, vid: 0, vco: 2, vm: [2], heard: [], st: false }, 10);
    m.receive('b', { t: 'hb', inc: 4, vid: 0, vco: 2, vm: [2], heard: [], st: false }, 11);
    expect(m.stats()).toEqual({ malformed: junk.length, unknownSender: 1, staleIncarnation: 1 });
    expect(JSON.stringify(m.view())).toBe(before);
  });

  it('refuses a configuration that cannot work, saying why', () => {
    const base: MembershipConfig = { self: 'a', nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 };
    expect(() => new Membership({ ...base, self: 'z' }, 0)).toThrow(/this node \(z\) is not in the node list/);
    expect(() => new Membership({ ...base, nodes: [...nodes, { name: 'c', id: 2, votes: 1 }] }, 0)).toThrow(MembershipConfigError);
    expect(() => new Membership({ ...base, timing: { ...timing, keepaliveMs: timing.deadMs } }, 0)).toThrow(/keepalive/);
  });
});

describe('fuzzed input', () => {
  const timing = deriveTiming(BUDGET);
  const nodes = [
    { name: 'a', id: 1, votes: 1 },
    { name: 'b', id: 2, votes: 1 },
    { name: 'c', id: 3, votes: 1 },
  ];
  const id = fc.integer({ min: 0, max: 5 });
  const ids = fc.array(id, { maxLength: 5 });
  const message = fc.oneof(
    fc.record({ t: fc.constant('hb'), inc: fc.nat(3), vid: fc.nat(9), vco: id, vm: ids, heard: ids, st: fc.boolean() }),
    fc.record({ t: fc.constant('propose'), inc: fc.nat(3), vid: fc.nat(9), members: ids }),
    fc.record({ t: fc.constant('ack'), inc: fc.nat(3), vid: fc.nat(9), allSeen: fc.boolean(), settled: fc.boolean(), expected: fc.nat(5) }),
    fc.record({ t: fc.constant('nack'), inc: fc.nat(3), vid: fc.nat(9), have: fc.nat(9) }),
    fc.record({ t: fc.constant('commit'), inc: fc.nat(3), vid: fc.nat(9), members: ids, allSeen: fc.boolean(), settled: fc.boolean(), expected: fc.nat(5) }),
    fc.record({ t: fc.constant('commit'), inc: fc.nat(3), vid: fc.nat(9), members: ids, allSeen: fc.boolean(), settled: fc.boolean(), expected: fc.nat(5), left: ids }),
    fc.record({ t: fc.constant('leave'), inc: fc.nat(3), vid: fc.nat(9) }),
    fc.anything(),
  );

  it('never throws, and keeps a view that contains itself, whatever authenticated peers send', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'zed'), message, fc.nat(40), fc.integer({ min: -1, max: 9 })), { maxLength: 60 }), (inputs) => {
        const m = new Membership({ self: 'c', nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 }, 0);
        let t = 0;
        for (const [from, msg, dt, link] of inputs) {
          t += dt;
          m.receive(from, msg as MembershipMessage, t, link);
          m.tick(t);
          const v = m.view();
          expect(v.members).toContain('c');
          if (v.dc !== null) expect(v.dc).toBe(v.members[0]);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('once leaving itself, never throws, sends nothing but leaves, and sleeps between deadlines', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b'), message, fc.nat(40)), { maxLength: 40 }), fc.nat(40), (inputs, leaveAt) => {
        const m = new Membership({ self: 'c', nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 }, 0);
        let t = 0;
        inputs.forEach(([from, msg, dt], i) => {
          t += dt;
          if (i === leaveAt) m.leave(t);
          const out = [...m.receive(from, msg as MembershipMessage, t).send, ...m.tick(t).send];
          if (i >= leaveAt) expect(out.every((s) => s.msg.t === 'leave')).toBe(true);
        });
        m.leave(t);
        // Sleeping until each deadline it names: a few wakes per keepalive at most, not a busy loop.
        let wakes = 0;
        for (let w = m.nextDeadlineMs(); w < t + 2 * timing.deadMs; w = m.nextDeadlineMs()) {
          expect(m.tick(w).send).toEqual([]);
          wakes += 1;
        }
        expect(wakes).toBeLessThanOrEqual((2 * timing.deadMs) / timing.keepaliveMs + 6);
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextDeadlineMs', () => {
  it('is a time before which ticking does nothing, and ticking there detects loss in deadtime', async () => {
    const { Membership, deriveTiming, tickIntervalMs } = await import('../../src/membership/index.js');
    const timing = deriveTiming(1000);
    const nodes = [
      { name: 'a', id: 1, votes: 1 },
      { name: 'b', id: 2, votes: 1 },
    ];
    const quorum = { twoNode: true, lastManStanding: false };
    const a = new Membership({ self: 'a', nodes, timing, quorum, incarnation: 1 }, 0);
    const b = new Membership({ self: 'b', nodes, timing, quorum, incarnation: 1 }, 0);
    // b heartbeats every keepalive until it dies at 2000 ms; a ticks only at its deadlines.
    let now = 0;
    let bNext = 0;
    let lostAt: number | null = null;
    let wakeUps = 0;
    const deliver = (msgs: { to: string; msg: unknown }[], to: typeof a, at: number): void => {
      for (const m of msgs) to.receive('b', m.msg as never, at);
    };
    while (now < 4000 && lostAt === null) {
      const aDue = a.nextDeadlineMs();
      expect(aDue).toBeGreaterThan(now);
      if (bNext < 2000 && bNext < aDue) {
        now = bNext;
        deliver(b.tick(now).send, a, now);
        bNext = b.nextDeadlineMs();
        continue;
      }
      // Ticking just before the deadline finds nothing to do.
      if (aDue - 1 > now) expect(a.tick(aDue - 1)).toEqual({ send: [], events: [] });
      now = aDue;
      wakeUps++;
      const r = a.tick(now);
      for (const m of r.send) if (m.to === 'all' || m.to === 'b') b.receive('a', m.msg, now);
      // Sleeping as long as asked is no stall of our own loop.
      expect(r.events.filter((e) => e.type === 'local-stall')).toEqual([]);
      if (r.events.some((e) => e.type === 'node-lost' || (e.type === 'view-changed' && !e.view.members.includes('b')))) lostAt = now;
    }
    expect(lostAt).not.toBeNull();
    // b's last heartbeat went out within a keepalive before 2000 ms.
    expect(lostAt as number).toBeLessThanOrEqual(2000 + timing.deadMs + 1);
    expect(lostAt as number).toBeGreaterThan(2000 - timing.keepaliveMs + timing.deadMs);
    // Clearly fewer wake-ups than polling every tick interval (half a keepalive) would take.
    expect(wakeUps).toBeLessThan((0.8 * (lostAt as number)) / tickIntervalMs(timing));
  });
});

describe('stalls of the local loop', () => {
  it('are measured from the deadline the daemon was given, so one slept through in full is noticed', async () => {
    const { Membership, deriveTiming } = await import('../../src/membership/index.js');
    const timing = deriveTiming(1000);
    const nodes = [
      { name: 'a', id: 1, votes: 1 },
      { name: 'b', id: 2, votes: 1 },
    ];
    const m = new Membership({ self: 'a', nodes, timing, quorum: { twoNode: true, lastManStanding: false }, incarnation: 1 }, 0);
    m.tick(0);
    const due = m.nextDeadlineMs();
    // Within one and a half keepalives of the deadline: ordinary timer lateness.
    expect(m.tick(due + timing.keepaliveMs).events.filter((e) => e.type === 'local-stall')).toEqual([]);
    const next = m.nextDeadlineMs();
    const stalls = m.tick(next + 800).events.filter((e) => e.type === 'local-stall');
    expect(stalls).toEqual([{ type: 'local-stall', gapMs: 800, healthScore: 1 }]);
  });
});
