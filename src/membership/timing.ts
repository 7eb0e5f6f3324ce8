import type { Timing } from './types.js';

/** Detection within one second, as users ask (Corosync defaults need about seven). */
export const DEFAULT_BUDGET_MS = 1000;

/**
 * Node's timers fire a millisecond or two late even on an idle machine, so a heartbeat interval
 * below this would be mostly jitter.
 */
export const MIN_KEEPALIVE_MS = 10;

/** Heartbeats per budget. Sixteen leaves room to lose several in a row before deadtime. */
const HEARTBEATS_PER_BUDGET = 16;

/** Silence of this many heartbeat intervals must be tolerated: packet loss comes in bursts. */
const MIN_HEARTBEATS_PER_DEADTIME = 4;

export const MIN_BUDGET_MS = MIN_KEEPALIVE_MS * HEARTBEATS_PER_BUDGET;

export class TimingError extends Error {
  override name = 'TimingError';
}

/**
 * The interval at which the daemon must call `tick()`. Half a heartbeat keeps both the heartbeat
 * cadence and the detection latency within half a keepalive of their ideal.
 */
export function tickIntervalMs(timing: Timing): number {
  return Math.max(1, Math.floor(timing.keepaliveMs / 2));
}

/**
 * Derives the timers from the detection budget (the longest acceptable time between a node's
 * death and every peer noticing it): keepalive = budget/16; deadtime = budget − keepalive, so that
 * deadtime plus the tick granularity stays under the budget while a peer whose loop stalls for 80 %
 * of the budget is still not declared dead; warntime halfway; initdead three deadtimes, so that
 * nodes booting together have time to find each other before the cluster settles without them.
 */
export function deriveTiming(budgetMs: number = DEFAULT_BUDGET_MS): Timing {
  if (!Number.isFinite(budgetMs) || budgetMs < MIN_BUDGET_MS) {
    throw new TimingError(
      `detection budget ${budgetMs} ms is too small: heartbeats every budget/${HEARTBEATS_PER_BUDGET} would be ` +
        `under ${MIN_KEEPALIVE_MS} ms, finer than the event loop's timers; use at least ${MIN_BUDGET_MS} ms`,
    );
  }
  const keepaliveMs = Math.floor(budgetMs / HEARTBEATS_PER_BUDGET);
  const deadMs = budgetMs - keepaliveMs;
  const timing: Timing = {
    keepaliveMs,
    warnMs: Math.floor(deadMs / 2),
    deadMs,
    initDeadMs: 3 * deadMs,
  };
  validateTiming(timing);
  return timing;
}

/**
 * The longest time between a node's last heartbeat and a healthy peer declaring it lost: deadtime,
 * plus up to one tick before the peer looks.
 */
export function worstCaseDetectionMs(timing: Timing): number {
  return timing.deadMs + tickIntervalMs(timing);
}

/** Refuses timers that cannot work, saying why; returns nothing when they are sound. */
export function validateTiming(timing: Timing): void {
  const { keepaliveMs, warnMs, deadMs, initDeadMs } = timing;
  for (const [name, value] of Object.entries(timing)) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new TimingError(`${name} must be a positive whole number of milliseconds, not ${value}`);
    }
  }
  if (keepaliveMs < MIN_KEEPALIVE_MS) {
    throw new TimingError(`keepalive ${keepaliveMs} ms is below ${MIN_KEEPALIVE_MS} ms, finer than the event loop's timers`);
  }
  if (keepaliveMs >= deadMs) {
    throw new TimingError(
      `keepalive ${keepaliveMs} ms must be shorter than deadtime ${deadMs} ms: otherwise a node is declared dead between two of its own heartbeats`,
    );
  }
  if (deadMs < MIN_HEARTBEATS_PER_DEADTIME * keepaliveMs) {
    throw new TimingError(
      `deadtime ${deadMs} ms allows fewer than ${MIN_HEARTBEATS_PER_DEADTIME} heartbeats of ${keepaliveMs} ms: ` +
        `one or two lost packets would declare a live node dead; raise deadtime or lower keepalive`,
    );
  }
  if (warnMs < keepaliveMs || warnMs >= deadMs) {
    throw new TimingError(
      `warntime ${warnMs} ms must lie between keepalive (${keepaliveMs} ms) and deadtime (${deadMs} ms)`,
    );
  }
  if (initDeadMs < deadMs) {
    throw new TimingError(`initdead ${initDeadMs} ms must be at least deadtime ${deadMs} ms`);
  }
}
