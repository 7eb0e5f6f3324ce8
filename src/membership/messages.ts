import type { MembershipMessage } from './types.js';

/** Bounds what one datagram may claim, so a forged list cannot make us allocate or loop without limit. */
const MAX_IDS = 1024;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isBool = (v: unknown): v is boolean => typeof v === 'boolean';
const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.length <= MAX_IDS && v.every(isCount);

/**
 * Checks that an authenticated but otherwise untrusted value is a well-formed membership message.
 * The transport has verified who sent it; this verifies what it says. Extra fields are tolerated so
 * that newer peers may add some.
 */
export function parseMembershipMessage(value: unknown): MembershipMessage | null {
  if (typeof value !== 'object' || value === null) return null;
  const m = value as Record<string, unknown>;
  if (!isCount(m.inc) || !isCount(m.vid)) return null;
  switch (m.t) {
    case 'hb':
      if (!isCount(m.vco) || !isIds(m.vm) || !isIds(m.heard) || !isBool(m.st)) return null;
      return { t: 'hb', inc: m.inc, vid: m.vid, vco: m.vco, vm: m.vm, heard: m.heard, st: m.st };
    case 'propose':
      if (!isIds(m.members)) return null;
      return { t: 'propose', inc: m.inc, vid: m.vid, members: m.members };
    case 'ack':
      if (!isBool(m.allSeen) || !isBool(m.settled) || !isCount(m.expected)) return null;
      return { t: 'ack', inc: m.inc, vid: m.vid, allSeen: m.allSeen, settled: m.settled, expected: m.expected };
    case 'nack':
      if (!isCount(m.have)) return null;
      return { t: 'nack', inc: m.inc, vid: m.vid, have: m.have };
    case 'commit':
      if (!isIds(m.members) || !isBool(m.allSeen) || !isBool(m.settled) || !isCount(m.expected)) return null;
      if (m.left !== undefined && !isIds(m.left)) return null;
      return {
        t: 'commit',
        inc: m.inc,
        vid: m.vid,
        members: m.members,
        allSeen: m.allSeen,
        settled: m.settled,
        expected: m.expected,
        ...(m.left !== undefined ? { left: m.left } : {}),
      };
    case 'leave':
      return { t: 'leave', inc: m.inc, vid: m.vid };
    default:
      return null;
  }
}
