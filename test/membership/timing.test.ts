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
    expect(deriveTiming()).toEqual({ keepaliveMs: 120, warnMs: 285, deadMs: 570, initDeadMs: 1710 });
    expect(worstCaseDetectionMs(deriveTiming(DEFAULT_BUDGET_MS))).toBe(600);
  });

  it('derives the tightest recommended budget, 250 ms', () => {
    expect(deriveTiming(TIGHTEST_RECOMMENDED_BUDGET_MS)).toEqual({ keepaliveMs: 50, warnMs: 119, deadMs: 238, initDeadMs: 714 });
  });

  it('keeps the worst-case detection within the budget, for every budget it accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_BUDGET_MS, max: 120_000 }), (budget) => {
        expect(worstCaseDetectionMs(deriveTiming(budget))).toBeLessThanOrEqual(budget);
      }),
    );
  });

  it("leaves a probe of a late peer's host several keepalives to be answered before deadtime", () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_BUDGET_MS, max: 120_000 }), (budget) => {
        const t = deriveTiming(budget);
        expect(t.deadMs - t.warnMs).toBeGreaterThanOrEqual(2 * t.keepaliveMs);
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
    expect(() => deriveTiming(60)).toThrow(TimingError);
    expect(() => deriveTiming(60)).toThrow(/at least 75 ms/);
    expect(() => deriveTiming(Number.NaN)).toThrow(TimingError);
  });

  it('ticks at a quarter keepalive', () => {
    expect(tickIntervalMs(deriveTiming(1000))).toBe(50);
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
