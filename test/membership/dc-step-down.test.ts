import { describe, expect, it } from 'vitest';
import { Membership, deriveTiming, type MembershipConfig, type MembershipEvent, type Ready } from '../../src/membership/index.js';

const BUDGET = 600;

const timing = deriveTiming(BUDGET);
const nodes = [
  { name: 'a', id: 1, votes: 1 },
  { name: 'b', id: 2, votes: 1 },
];
const cfg = (self: string): MembershipConfig => ({ self, nodes, timing, quorum: { twoNode: true, lastManStanding: false, waitForAll: false }, incarnation: 1 });

/**
 * b boots alone and becomes the DC of its own view; then a (the lower id) comes up and proposes
 * [a, b]. Messages from a to b pass unless `link.dropCommits` (commits lost) or `link.aDead`.
 */
function merge() {
  const b = new Membership(cfg('b'), 0);
  let t = 0;
  for (; t <= timing.initDeadMs + 2 * timing.keepaliveMs; t += 10) b.tick(t);
  expect(b.view()).toMatchObject({ members: ['b'], dc: 'b' });
  const a = new Membership(cfg('a'), t);
  const bEvents: MembershipEvent[] = [];
  const link = { dropCommits: true, aDead: false };
  const toB = (ready: Ready, now: number): void => {
    if (link.aDead) return;
    for (const s of ready.send) if (!(link.dropCommits && s.msg.t === 'commit')) fromB(b.receive('a', s.msg, now), now);
  };
  const fromB = (ready: Ready, now: number): void => {
    bEvents.push(...ready.events);
    if (!link.aDead) for (const s of ready.send) toB(a.receive('b', s.msg, now), now);
  };
  let bothDc = false;
  const run = (forMs: number): void => {
    for (const stop = t + forMs; t < stop; t += 10) {
      if (!link.aDead) toB(a.tick(t), t);
      fromB(b.tick(t), t);
      if (!link.aDead && a.view().dc === 'a' && b.view().dc === 'b') bothDc = true;
    }
  };
  return { a, b, bEvents, link, run, bothDc: () => bothDc };
}

describe('a DC that acks a newer view under another coordinator', () => {
  it('names no DC in its current view until that view is committed to it, then follows the new DC', () => {
    const { a, b, bEvents, link, run, bothDc } = merge();
    run(10 * timing.keepaliveMs);
    expect(a.view()).toMatchObject({ members: ['a', 'b'], dc: 'a' });
    expect(b.view().members).toEqual(['b']);
    expect(b.view().dc).toBeNull();
    expect(bothDc()).toBe(false);
    expect(bEvents).toContainEqual({ type: 'dc-changed', dc: null, previous: 'b' });

    // The commit gets through at last: b installs a's view, with a as DC.
    link.dropCommits = false;
    run(10 * timing.keepaliveMs);
    expect(b.view()).toEqual(a.view());
    expect(b.view().dc).toBe('a');
  });

  it('names itself DC again in a new view when the proposer dies before its commit arrives', () => {
    const { b, link, run } = merge();
    run(10 * timing.keepaliveMs);
    expect(b.view().dc).toBeNull();
    link.aDead = true;
    const stepDownView = b.view().id;
    run(timing.deadMs + 4 * timing.keepaliveMs);
    expect(b.view()).toMatchObject({ members: ['b'], dc: 'b' });
    expect(b.view().id).toBeGreaterThan(stepDownView);
  });
});
