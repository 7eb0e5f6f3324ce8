import { describe, expect, it } from 'vitest';
import { Membership, deriveTiming, type MembershipConfig, type MembershipEvent, type Ready } from '../../src/membership/index.js';

const BUDGET = 600;

describe('a DC that acks a newer view under another coordinator', () => {
  it('names no DC in its current view until that view is committed to it, then follows the new DC', () => {
    const timing = deriveTiming(BUDGET);
    const nodes = [
      { name: 'a', id: 1, votes: 1 },
      { name: 'b', id: 2, votes: 1 },
    ];
    const cfg = (self: string): MembershipConfig => ({ self, nodes, timing, quorum: { twoNode: true, lastManStanding: false, waitForAll: false }, incarnation: 1 });
    // b boots alone and, once initdead is over, is the DC of its own view.
    const b = new Membership(cfg('b'), 0);
    let t = 0;
    for (; t <= timing.initDeadMs + 2 * timing.keepaliveMs; t += 10) b.tick(t);
    expect(b.view()).toMatchObject({ members: ['b'], dc: 'b' });

    // a (the lower id) comes up and proposes [a, b]; every commit it sends to b is lost.
    const a = new Membership(cfg('a'), t);
    const bEvents: MembershipEvent[] = [];
    let dropCommits = true;
    const toB = (ready: Ready, now: number): void => {
      for (const s of ready.send) if (!(dropCommits && s.msg.t === 'commit')) fromB(b.receive('a', s.msg, now), now);
    };
    const fromB = (ready: Ready, now: number): void => {
      bEvents.push(...ready.events);
      for (const s of ready.send) toB(a.receive('b', s.msg, now), now);
    };
    const end = t + 10 * timing.keepaliveMs;
    let bothDc = false;
    for (; t < end; t += 10) {
      toB(a.tick(t), t);
      fromB(b.tick(t), t);
      if (a.view().dc === 'a' && b.view().dc === 'b') bothDc = true;
    }
    expect(a.view()).toMatchObject({ members: ['a', 'b'], dc: 'a' });
    expect(b.view().members).toEqual(['b']);
    expect(b.view().dc).toBeNull();
    expect(bothDc).toBe(false);
    expect(bEvents).toContainEqual({ type: 'dc-changed', dc: null, previous: 'b' });

    // The commit gets through at last: b installs a's view, with a as DC.
    dropCommits = false;
    for (const stop = t + 10 * timing.keepaliveMs; t < stop; t += 10) {
      toB(a.tick(t), t);
      fromB(b.tick(t), t);
    }
    expect(b.view()).toEqual(a.view());
    expect(b.view().dc).toBe('a');
  });
});
