import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ReplayGuard, REPLAY_WINDOW } from './replay.js';

describe('ReplayGuard', () => {
  it('accepts each sequence number once, in any order within the window', () => {
    const g = new ReplayGuard();
    for (const s of [5n, 3n, 4n, 10n, 6n]) expect(g.accept('a', 1n, s)).toBe('fresh');
    for (const s of [5n, 3n, 4n, 10n, 6n]) expect(g.accept('a', 1n, s)).toBe('replayed');
  });

  it('refuses what fell out of the window', () => {
    const g = new ReplayGuard();
    g.accept('a', 1n, 1n);
    g.accept('a', 1n, BigInt(REPLAY_WINDOW) + 10n);
    expect(g.accept('a', 1n, 2n)).toBe('replayed');
  });

  it('resets on a newer incarnation and refuses the older one', () => {
    const g = new ReplayGuard();
    g.accept('a', 1n, 100n);
    expect(g.accept('a', 2n, 1n)).toBe('fresh');
    expect(g.accept('a', 1n, 101n)).toBe('stale-incarnation');
    expect(g.incarnationOf('a')).toBe(2n);
  });

  it('keeps senders apart', () => {
    const g = new ReplayGuard();
    expect(g.accept('a', 1n, 1n)).toBe('fresh');
    expect(g.accept('b', 1n, 1n)).toBe('fresh');
  });

  it('never accepts a duplicate, whatever the arrival order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 300 }), (seqs) => {
        const g = new ReplayGuard();
        const accepted = new Set<number>();
        for (const s of seqs) {
          if (g.accept('a', 7n, BigInt(s)) === 'fresh') {
            expect(accepted.has(s)).toBe(false);
            accepted.add(s);
          }
        }
      }),
    );
  });

  it('accepts every packet of an in-order stream (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), (n) => {
        const g = new ReplayGuard();
        for (let i = 1; i <= n; i++) expect(g.accept('a', 1n, BigInt(i))).toBe('fresh');
      }),
      { numRuns: 50 },
    );
  });
});
