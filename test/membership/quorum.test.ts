import { describe, expect, it } from 'vitest';
import { evaluateQuorum, quorumThreshold, waitForAllEnabled } from '../../src/membership/index.js';
import { nextExpectedVotes } from '../../src/membership/quorum.js';

const plain = { twoNode: false, lastManStanding: false };

describe('votequorum rules', () => {
  it('needs more than half of the expected votes', () => {
    expect(quorumThreshold(3, plain)).toBe(2);
    expect(quorumThreshold(4, plain)).toBe(3);
    expect(quorumThreshold(5, plain)).toBe(3);
    expect(evaluateQuorum({ viewVotes: 2, expectedVotes: 4, allSeen: true }, plain).quorate).toBe(false);
    expect(evaluateQuorum({ viewVotes: 3, expectedVotes: 4, allSeen: true }, plain).quorate).toBe(true);
  });

  it('two_node makes one vote of two enough, and only while two are expected', () => {
    const q = { ...plain, twoNode: true };
    expect(quorumThreshold(2, q)).toBe(1);
    expect(quorumThreshold(3, q)).toBe(2);
    expect(evaluateQuorum({ viewVotes: 1, expectedVotes: 2, allSeen: true }, q)).toEqual({ quorate: true, quorumVotes: 1 });
  });

  it('two_node turns wait_for_all on unless it is explicitly off', () => {
    expect(waitForAllEnabled({ ...plain, twoNode: true })).toBe(true);
    expect(waitForAllEnabled({ ...plain, twoNode: true, waitForAll: false })).toBe(false);
    expect(waitForAllEnabled(plain)).toBe(false);
    const q = { ...plain, twoNode: true };
    expect(evaluateQuorum({ viewVotes: 1, expectedVotes: 2, allSeen: false }, q).quorate).toBe(false);
    expect(evaluateQuorum({ viewVotes: 1, expectedVotes: 2, allSeen: false }, { ...q, waitForAll: false }).quorate).toBe(true);
  });

  it('wait_for_all withholds quorum until all nodes were seen, even from a majority', () => {
    const q = { ...plain, waitForAll: true };
    expect(evaluateQuorum({ viewVotes: 2, expectedVotes: 3, allSeen: false }, q).quorate).toBe(false);
    expect(evaluateQuorum({ viewVotes: 2, expectedVotes: 3, allSeen: true }, q).quorate).toBe(true);
  });

  it('last_man_standing lowers expected votes only from a quorate partition stable for the window', () => {
    const lms = { enabled: true, quorate: true, stableForMs: 10_000, windowMs: 10_000 };
    expect(nextExpectedVotes(4, 3, lms)).toBe(3);
    expect(nextExpectedVotes(4, 3, { ...lms, stableForMs: 9_999 })).toBe(4);
    expect(nextExpectedVotes(4, 1, { ...lms, quorate: false })).toBe(4);
    expect(nextExpectedVotes(4, 3, { ...lms, enabled: false })).toBe(4);
  });

  it('raises expected votes when the partition holds more votes than expected', () => {
    expect(nextExpectedVotes(2, 3, { enabled: false, quorate: true, stableForMs: 0, windowMs: 1 })).toBe(3);
  });
});
