import { formatDuration } from '../duration.js';
import type { TimingSettings } from '../types.js';
import { resolveTiming } from '../validate.js';
import { MIN_BUDGET_MS, TimingError, deriveTiming } from '../../membership/index.js';
import type { ImportNote } from './result.js';

export interface LegacyTimer {
  directive: string;
  line?: number;
  ms: number;
}

/**
 * Sets the detection budget from the legacy detection time, then keeps each legacy timer that
 * still works with it; a timer that would not (too few heartbeats per deadtime, say) is replaced
 * by the derived one, and the note says why.
 */
export function translateTimers(
  budget: LegacyTimer & { why: string },
  pins: { keepalive?: LegacyTimer; warn?: LegacyTimer; initDead?: LegacyTimer },
  notes: ImportNote[],
): TimingSettings {
  const budgetMs = Math.max(MIN_BUDGET_MS, budget.ms);
  const settings: TimingSettings = { budgetMs };
  notes.push({
    directive: budget.directive,
    line: budget.line,
    status: 'translated',
    detail:
      `detection_budget = ${formatDuration(budgetMs)} (${budget.why})` +
      (budgetMs !== budget.ms ? `; raised from ${formatDuration(budget.ms)}, below vigil's minimum` : ''),
  });
  const derived = deriveTiming(budgetMs);
  const tryPin = (timer: LegacyTimer | undefined, key: 'keepaliveMs' | 'warnMs' | 'initDeadMs', name: string): void => {
    if (!timer) return;
    const candidate = { ...settings, [key]: timer.ms };
    try {
      resolveTiming(candidate);
      settings[key] = timer.ms;
      notes.push({ directive: timer.directive, line: timer.line, status: 'translated', detail: `${name} = ${formatDuration(timer.ms)}` });
    } catch (err) {
      if (!(err instanceof TimingError)) throw err;
      notes.push({
        directive: timer.directive,
        line: timer.line,
        status: 'translated',
        detail: `replaced by the ${name} derived from the budget, ${formatDuration(derived[key])}: ${err.message}`,
      });
    }
  };
  tryPin(pins.keepalive, 'keepaliveMs', 'keepalive');
  tryPin(pins.warn, 'warnMs', 'warntime');
  tryPin(pins.initDead, 'initDeadMs', 'initdead');
  return settings;
}

/** Heartbeat time syntax: a bare number is seconds; `ms` (and `s`, `us`) suffixes as written. */
export function parseHeartbeatTime(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|us)?$/.exec(text);
  if (!m) return null;
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'us' ? n / 1000 : n * 1000;
  return Math.round(ms);
}
