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
 * Heartbeats per budget. Each heartbeat costs every node a wake-up, nearly all of an idle daemon's
 * CPU, so as few as loss allows: with deadtime = budget − keepalive/4 (see deriveTiming), four
 * consecutive losses still do not time out a live peer, and past warntime its host is probed
 * besides. A peer whose loop stops (SIGSTOP, CPU starvation) may fall silent for longer than
 * deadtime; it is not that rate that keeps it in the view but its host's kernel, which still
 * completes connections to the stopped daemon's port (Membership's probes).
 */
const HEARTBEATS_PER_BUDGET = 5;

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
 * death and every peer noticing it): keepalive = budget/5; deadtime = budget − keepalive/4, the
 * most the budget allows once the tick granularity is added; warntime halfway, where a late peer
 * is logged as suspect and its host probed; initdead three deadtimes, so that nodes booting
 * together have time to find each other before the cluster settles without them.
 *
 * A dead node is noticed deadtime after its last heartbeat, so on average deadtime − keepalive/2
 * after it dies (0.85 × budget), plus the view agreement's round trip.
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

/**
 * A silent peer whose host keeps answering probes is held for this many deadtimes of silence at
 * most: a stalled daemon serves nobody, and a link that carries TCP but no longer our datagrams (a
 * firewall rule) must not keep a deaf peer in the view for ever.
 */
export const STALL_HOLD_DEADTIMES = 2;

/**
 * The longest silence tolerated of a peer whose daemon is stopped or starved while its host
 * answers for it; past it, the peer is lost (plus one tick before a healthy node looks).
 */
export function stallHoldMs(timing: Timing): number {
  return STALL_HOLD_DEADTIMES * timing.deadMs;
}

/** The timers with what they give, as `vigil status --timing` shows them. */
export interface TimingFigures extends Timing {
  tickMs: number;
  worstCaseDetectionMs: number;
  stallHoldMs: number;
}

export function timingFigures(timing: Timing): TimingFigures {
  return { ...timing, tickMs: tickIntervalMs(timing), worstCaseDetectionMs: worstCaseDetectionMs(timing), stallHoldMs: stallHoldMs(timing) };
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
