import { describe, expect, it } from 'vitest';
import { Membership, deriveTiming, type MembershipConfig, type MembershipEvent, type Ready } from '../../src/membership/index.js';
import { TestCluster } from './cluster.js';

const BUDGET = 600;

/**
 * Two machines wired directly. From `state.stopAt` until `state.resumeAt` b's loop is frozen (it
 * neither ticks nor reads, as under SIGSTOP), and its packets sent at the times in `state.drop` are lost;
 * `a` asks for probes of b, which `answer` decides.
 */
function pair(answer: (t: number) => boolean) {
  const timing = deriveTiming(BUDGET);
  const nodes = [
    { name: 'a', id: 1, votes: 1 },
    { name: 'b', id: 2, votes: 1 },
  ];
  const cfg = (self: string): MembershipConfig => ({ self, nodes, timing, quorum: { twoNode: false, lastManStanding: false }, incarnation: 1 });
  const a = new Membership(cfg('a'), 0);
  const b = new Membership(cfg('b'), 0);
  const events: { t: number; e: MembershipEvent }[] = [];
  const probes: number[] = [];
  const state = { stopAt: Infinity, resumeAt: Infinity, drop: new Set<number>(), lastHeard: 0 };
  const frozen = (t: number): boolean => t >= state.stopAt && t < state.resumeAt;
  const fromA = (ready: Ready, t: number): void => {
    for (const e of ready.events) events.push({ t, e });
    if (!frozen(t)) for (const s of ready.send) fromB(b.receive('a', s.msg, t), t);
    for (const peer of ready.probe ?? []) {
      expect(peer).toBe('b');
      probes.push(t);
      if (answer(t)) fromA(a.probeAnswered('b', t, t + 1), t + 1);
    }
  };
  const fromB = (ready: Ready, t: number): void => {
    if (state.drop.has(t)) return;
    for (const s of ready.send) {
      state.lastHeard = t;
      fromA(a.receive('b', s.msg, t), t);
    }
  };
  /** Runs both machines in 1 ms steps until `until`. */
  const run = (from: number, until: number): void => {
    for (let t = from; t < until; t++) {
      fromA(a.tick(t), t);
      if (!frozen(t)) fromB(b.tick(t), t);
    }
  };
  const lostAt = (): number | null => events.find((x) => x.e.type === 'node-lost')?.t ?? null;
  return { timing, a, events, probes, state, run, lostAt };
}

/**
 * Heartbeats go out on multiples of keepalive: b's at h (returned) arrives, the next is lost, and
 * b stops right after sending it, for 80 % of the budget.
 */
function stopAfterLostHeartbeat(p: ReturnType<typeof pair>): number {
  const h = 20 * p.timing.keepaliveMs;
  p.state.drop.add(h + p.timing.keepaliveMs);
  p.state.stopAt = h + p.timing.keepaliveMs + 1;
  p.state.resumeAt = p.state.stopAt + 0.8 * BUDGET;
  return h;
}

describe("probing a silent peer's host", () => {
  it('sends no probe while the peer talks', () => {
    const p = pair(() => true);
    p.run(0, 10 * BUDGET);
    expect(p.a.view().members).toEqual(['a', 'b']);
    expect(p.probes).toEqual([]);
  });

  it('without an answer, declares the peer lost at deadtime; the probes went out from warntime, one per keepalive', () => {
    const p = pair(() => false);
    p.run(0, 2 * BUDGET);
    p.state.stopAt = 2 * BUDGET;
    p.run(2 * BUDGET, 5 * BUDGET);
    const last = p.state.lastHeard;
    const lost = p.lostAt();
    expect(lost).not.toBeNull();
    expect((lost as number) - last).toBeGreaterThan(p.timing.deadMs);
    expect((lost as number) - last).toBeLessThanOrEqual(p.timing.deadMs + 1);
    expect(p.probes.length).toBeGreaterThanOrEqual(2);
    expect(p.probes[0] - last).toBeGreaterThan(p.timing.warnMs);
    expect(p.probes[1] - p.probes[0]).toBe(p.timing.keepaliveMs);
    expect(p.probes.every((t) => t <= (lost as number))).toBe(true);
    expect(p.events.some((x) => x.e.type === 'peer-stalled')).toBe(false);
  });

  it('holds a stalled peer whose host answers: an 80 % stop after a heartbeat is no death, even with the next heartbeat lost', () => {
    const p = pair(() => true);
    const h = stopAfterLostHeartbeat(p);
    p.run(0, p.state.resumeAt);
    expect(p.state.lastHeard).toBe(h);
    p.run(p.state.resumeAt, 6 * BUDGET);
    expect(p.state.lastHeard - h).toBeGreaterThan(p.timing.deadMs);
    expect(p.lostAt()).toBeNull();
    expect(p.a.view().members).toEqual(['a', 'b']);
    expect(p.a.nodes().find((n) => n.name === 'b')?.state).toBe('alive');
    expect(p.events.filter((x) => x.e.type === 'peer-stalled').map((x) => x.e)).toEqual([
      { type: 'peer-stalled', node: 'b', silentMs: p.timing.deadMs + 1, holdMs: 2 * p.timing.deadMs },
    ]);
  });

  it('without the answers, the same stop is taken for a death (the control case)', () => {
    const p = pair(() => false);
    stopAfterLostHeartbeat(p);
    p.run(0, 6 * BUDGET);
    expect(p.lostAt()).not.toBeNull();
  });

  it('gives up on a peer stopped for good after twice the deadtime, though its host answers', () => {
    const p = pair(() => true);
    p.run(0, 2 * BUDGET);
    p.state.stopAt = 2 * BUDGET;
    p.run(2 * BUDGET, p.state.lastHeard + p.timing.deadMs + 2);
    expect(p.a.nodes().find((n) => n.name === 'b')?.state).toBe('stalled');
    p.run(p.state.lastHeard + p.timing.deadMs + 2, 6 * BUDGET);
    const silent = (p.lostAt() as number) - p.state.lastHeard;
    expect(silent).toBeGreaterThan(2 * p.timing.deadMs);
    expect(silent).toBeLessThanOrEqual(2 * p.timing.deadMs + 1);
    expect(p.a.view().members).toEqual(['a']);
  });

  it('declares a held peer lost soon after its host stops answering (its daemon was killed)', () => {
    const killedAt = 2 * BUDGET + 700;
    const p = pair((t) => t < killedAt);
    p.run(0, 2 * BUDGET);
    p.state.stopAt = 2 * BUDGET;
    p.run(2 * BUDGET, 6 * BUDGET);
    const lost = p.lostAt() as number;
    const lastAnswered = Math.max(...p.probes.filter((t) => t < killedAt));
    expect(lost).toBeGreaterThan(killedAt);
    expect(lost - lastAnswered).toBeLessThanOrEqual(3 * p.timing.keepaliveMs + 1);
    expect(lost - p.state.lastHeard).toBeLessThan(2 * p.timing.deadMs);
  });

  it('takes no answer to a probe sent before the peer was last heard, nor revives a lost peer', () => {
    const p = pair(() => false);
    p.run(0, 2 * BUDGET);
    p.state.stopAt = 2 * BUDGET;
    p.a.probeAnswered('b', 2 * BUDGET - 300, 2 * BUDGET);
    p.run(2 * BUDGET, 4 * BUDGET);
    const lost = p.lostAt() as number;
    expect(lost - p.state.lastHeard).toBeLessThanOrEqual(p.timing.deadMs + 1);
    p.a.probeAnswered('b', 4 * BUDGET, 4 * BUDGET);
    p.run(4 * BUDGET, 5 * BUDGET);
    expect(p.a.nodes().find((n) => n.name === 'b')?.state).toBe('lost');
    expect(p.a.view().members).toEqual(['a']);
  });
});

describe('in the simulated cluster (probes answered by the kernels of running daemons)', () => {
  it('a crashed daemon is lost at deadtime: its host refuses the probes', () => {
    const c = new TestCluster({ budgetMs: BUDGET });
    c.run(BUDGET);
    const t0 = c.sim.nowMs;
    c.sim.crash('c');
    c.run(3 * BUDGET);
    const lost = c.eventsOf('a', 'node-lost', t0);
    expect(lost).toHaveLength(1);
    expect(lost[0].atMs - t0).toBeLessThanOrEqual(BUDGET);
    expect(c.eventsOf('a', 'peer-stalled', t0)).toEqual([]);
  });

  it('a node cut off is lost at deadtime: the probes find no path', () => {
    const c = new TestCluster({ budgetMs: BUDGET });
    c.run(BUDGET);
    const t0 = c.sim.nowMs;
    c.cut('a', 'c');
    c.cut('b', 'c');
    c.run(3 * BUDGET);
    for (const n of ['a', 'b']) {
      const lost = c.eventsOf(n, 'node-lost', t0);
      expect(lost).toHaveLength(1);
      expect(lost[0].atMs - t0).toBeLessThanOrEqual(BUDGET);
    }
  });

  it('a daemon stopped for 1.5 budgets stays in the view, reported stalled', () => {
    const c = new TestCluster({ budgetMs: BUDGET });
    c.run(BUDGET);
    const id = c.view('a').id;
    const t0 = c.sim.nowMs;
    c.sim.stall('c', t0 + 1.5 * BUDGET);
    c.run(4 * BUDGET);
    expect(['a', 'b', 'c'].map((n) => c.view(n).id)).toEqual([id, id, id]);
    expect(c.eventsOf('a', 'node-lost', t0)).toEqual([]);
    expect(c.eventsOf('a', 'peer-stalled', t0)).toHaveLength(1);
  });
});
