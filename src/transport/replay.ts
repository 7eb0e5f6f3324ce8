/**
 * Replay protection per sender: a packet is fresh when its (incarnation, sequence) has not been
 * seen. A sender's incarnation grows at every restart; within an incarnation a 64-packet sliding
 * window accepts the reordering UDP does while refusing any sequence number seen before or
 * older than the window.
 */
export const REPLAY_WINDOW = 64;

export type ReplayVerdict = 'fresh' | 'replayed' | 'stale-incarnation';

interface SenderWindow {
  incarnation: bigint;
  highest: bigint;
  /** bit i set = sequence (highest - i) was seen */
  seen: bigint;
}

const WINDOW_MASK = (1n << BigInt(REPLAY_WINDOW)) - 1n;

export class ReplayGuard {
  private readonly senders = new Map<string, SenderWindow>();

  /** Checks and, when fresh, records. Only call after the packet's MAC has been verified. */
  accept(sender: string, incarnation: bigint, seq: bigint): ReplayVerdict {
    const w = this.senders.get(sender);
    if (w === undefined || incarnation > w.incarnation) {
      this.senders.set(sender, { incarnation, highest: seq, seen: 1n });
      return 'fresh';
    }
    if (incarnation < w.incarnation) return 'stale-incarnation';
    if (seq > w.highest) {
      const shift = seq - w.highest;
      w.seen = shift >= BigInt(REPLAY_WINDOW) ? 1n : ((w.seen << shift) | 1n) & WINDOW_MASK;
      w.highest = seq;
      return 'fresh';
    }
    const age = w.highest - seq;
    if (age >= BigInt(REPLAY_WINDOW)) return 'replayed';
    const bit = 1n << age;
    if ((w.seen & bit) !== 0n) return 'replayed';
    w.seen |= bit;
    return 'fresh';
  }

  incarnationOf(sender: string): bigint | undefined {
    return this.senders.get(sender)?.incarnation;
  }
}
