import type { Timing } from './types.js';

/**
 * Detection in 0.6 s, so that a node's power-off can become a started service elsewhere within a
 * second (fencing and the start need the other 0.4 s). Corosync's defaults need about seven.
 */
export const DEFAULT_BUDGET_MS = 600;

/** The tightest budget we recommend on a loaded machine (below it, scheduler jitter dominates). */
export const TIGHTEST_RECOMMENDED_BUDGET_MS = 250;

/**
 * Node's timers fire a few milliseconds late even on an idle machine, so a heartbeat interval
 * below this would be mostly jitter.
 */
export const MIN_KEEPALIVE_MS = 15;

/**
 * Heartbeats per budget. A peer whose loop stops for 80 % of the budget must not be declared dead,
 * and it may have sent its last heartbeat a whole interval before it stopped, so deadtime >
 * 0.8 × budget + keepalive; what is left over absorbs the jitter of a loaded machine (the peer's
 * timers running late before the stop, its resuming after it). With deadtime = budget −
 * keepalive/4 (see deriveTiming), twelve heartbeats leave 9.6 % of the budget for that jitter
 * (58 ms at the default; on a machine at load 20 we measured stalls of 50 ms and more on top of
 * the stop, which eight heartbeats, leaving 26 ms, did not survive). Each heartbeat costs every
 * node a wake-up, most of an idle daemon's CPU, so not more. Packet loss is not what limits them:
 * eleven consecutive losses are needed to time out a live peer.
 */
const HEARTBEATS_PER_BUDGET = 12;

/** Silence of this many heartbeat intervals must be tolerated: packet loss comes in bursts. */
const MIN_HEARTBEATS_PER_DEADTIME = 4;

export const MIN_BUDGET_MS = MIN_KEEPALIVE_MS * HEARTBEATS_PER_BUDGET;

export class TimingError extends Error {
  override name = 'TimingError';
}

/**
 * The granularity at which a caller that ticks at a fixed rate (rather than sleeping until
 * nextDeadlineMs) must call `tick()`, and the lateness above which a tick counts as a stall of the
 * local loop. A quarter heartbeat keeps the detection latency within a quarter keepalive of
 * deadtime, which deriveTiming leaves free inside the budget.
 */
export function tickIntervalMs(timing: Timing): number {
  return quarterKeepalive(timing.keepaliveMs);
}

function quarterKeepalive(keepaliveMs: number): number {
  return Math.max(1, Math.floor(keepaliveMs / 4));
}

/**
 * Derives the timers from the detection budget (the longest acceptable time between a node's
 * death and every peer noticing it): keepalive = budget/12; deadtime = budget − keepalive/4, the
 * most the budget allows once the tick granularity is added, because deadtime is also the stall
 * a peer may suffer (less one keepalive) before it is declared dead; warntime halfway, where a
 * late peer is logged as suspect; initdead three deadtimes, so that nodes booting together have
 * time to find each other before the cluster settles without them.
 *
 * A dead node is noticed deadtime after its last heartbeat, so on average deadtime − keepalive/2
 * after it dies (0.94 × budget), plus the view agreement's round trip.
 */
export function deriveTiming(budgetMs: number = DEFAULT_BUDGET_MS): Timing {
  if (!Number.isFinite(budgetMs) || budgetMs < MIN_BUDGET_MS) {
    throw new TimingError(
      `detection budget ${budgetMs} ms is too small: heartbeats every budget/${HEARTBEATS_PER_BUDGET} would be ` +
        `under ${MIN_KEEPALIVE_MS} ms, finer than the event loop's timers keep; use at least ${MIN_BUDGET_MS} ms`,
    );
  }
  const keepaliveMs = Math.floor(budgetMs / HEARTBEATS_PER_BUDGET);
  const deadMs = Math.floor(budgetMs) - quarterKeepalive(keepaliveMs);
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
