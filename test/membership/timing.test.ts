import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BUDGET_MS,
  MIN_BUDGET_MS,
  TIGHTEST_RECOMMENDED_BUDGET_MS,
  TimingError,
  deriveTiming,
  tickIntervalMs,
  validateTiming,
  worstCaseDetectionMs,
} from '../../src/membership/index.js';

describe('deriveTiming', () => {
  it('derives the default budget, 0.6 s, into heartbeat-style timers', () => {
    expect(DEFAULT_BUDGET_MS).toBe(600);
    expect(deriveTiming()).toEqual({ keepaliveMs: 50, warnMs: 294, deadMs: 588, initDeadMs: 1764 });
    expect(worstCaseDetectionMs(deriveTiming(DEFAULT_BUDGET_MS))).toBe(600);
  });

  it('derives the tightest recommended budget, 250 ms, with room for a peer stalled for 80 % of it', () => {
    const t = deriveTiming(TIGHTEST_RECOMMENDED_BUDGET_MS);
    expect(t).toEqual({ keepaliveMs: 20, warnMs: 122, deadMs: 245, initDeadMs: 735 });
    expect(t.deadMs - t.keepaliveMs).toBeGreaterThan(0.8 * TIGHTEST_RECOMMENDED_BUDGET_MS);
  });

  it('keeps the worst-case detection within the budget, for every budget it accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_BUDGET_MS, max: 120_000 }), (budget) => {
        expect(worstCaseDetectionMs(deriveTiming(budget))).toBeLessThanOrEqual(budget);
      }),
    );
  });

  it('tolerates a peer stalled for 80 % of the budget plus one heartbeat interval without declaring it dead', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_BUDGET_MS, max: 120_000 }), (budget) => {
        const t = deriveTiming(budget);
        expect(0.8 * budget + t.keepaliveMs).toBeLessThan(t.deadMs);
      }),
    );
  });

  it('orders the timers keepalive < warntime < deadtime ≤ initdead, with several heartbeats per deadtime', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_BUDGET_MS, max: 120_000 }), (budget) => {
        const t = deriveTiming(budget);
        expect(t.keepaliveMs).toBeLessThan(t.warnMs);
        expect(t.warnMs).toBeLessThan(t.deadMs);
        expect(t.deadMs).toBeLessThanOrEqual(t.initDeadMs);
        expect(t.deadMs / t.keepaliveMs).toBeGreaterThanOrEqual(4);
      }),
    );
  });

  it('refuses a budget below what the timer granularity allows, saying the minimum', () => {
    expect(() => deriveTiming(100)).toThrow(TimingError);
    expect(() => deriveTiming(100)).toThrow(/at least 180 ms/);
    expect(() => deriveTiming(Number.NaN)).toThrow(TimingError);
  });

  it('ticks at a quarter keepalive', () => {
    expect(tickIntervalMs(deriveTiming(1000))).toBe(20);
  });
});

describe('validateTiming', () => {
  const ok = { keepaliveMs: 100, warnMs: 500, deadMs: 1000, initDeadMs: 3000 };

  it('accepts sound timers', () => {
    expect(() => validateTiming(ok)).not.toThrow();
  });

  it('refuses keepalive at or above deadtime', () => {
    expect(() => validateTiming({ ...ok, keepaliveMs: 1000, warnMs: 1000 })).toThrow(/keepalive 1000 ms must be shorter than deadtime/);
  });

  it('refuses a deadtime that fewer than four heartbeats fit in', () => {
    expect(() => validateTiming({ ...ok, keepaliveMs: 300, warnMs: 600 })).toThrow(/fewer than 4 heartbeats/);
  });

  it('refuses a warntime outside keepalive..deadtime', () => {
    expect(() => validateTiming({ ...ok, warnMs: 1000 })).toThrow(/warntime 1000 ms must lie between/);
    expect(() => validateTiming({ ...ok, warnMs: 50 })).toThrow(/warntime/);
  });

  it('refuses initdead shorter than deadtime', () => {
    expect(() => validateTiming({ ...ok, initDeadMs: 999 })).toThrow(/initdead 999 ms must be at least deadtime/);
  });

  it('refuses keepalive below the timer granularity and non-integers', () => {
    expect(() => validateTiming({ keepaliveMs: 5, warnMs: 50, deadMs: 100, initDeadMs: 300 })).toThrow(/below 15 ms/);
    expect(() => validateTiming({ ...ok, deadMs: 1000.5 })).toThrow(/positive whole number/);
  });
});
