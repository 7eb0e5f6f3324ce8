import { parseDurationMs } from '../cib/values.js';

/** Pacemaker's bounded score arithmetic: INFINITY is 1,000,000 and -INFINITY absorbs everything. */

export const INFINITY = 1_000_000;

export function addScores(a: number, b: number): number {
  if (a <= -INFINITY || b <= -INFINITY) return -INFINITY;
  if (a >= INFINITY || b >= INFINITY) return INFINITY;
  return clamp(a + b);
}

export function clamp(v: number): number {
  if (v >= INFINITY) return INFINITY;
  if (v <= -INFINITY) return -INFINITY;
  return v;
}

/** Parses `INFINITY`, `+INFINITY`, `-INFINITY`, `red`/`yellow`/`green` are resolved by callers; undefined for garbage. */
export function parseScore(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const t = text.trim();
  if (/^\+?INFINITY$/i.test(t)) return INFINITY;
  if (/^-INFINITY$/i.test(t)) return -INFINITY;
  // Like strtol: a leading integer counts ("2.0" is 2), anything else is not a score.
  const m = /^[+-]?\d+/.exec(t);
  if (!m) return undefined;
  return clamp(Number.parseInt(m[0], 10));
}

export function formatScore(v: number): string {
  if (v >= INFINITY) return 'INFINITY';
  if (v <= -INFINITY) return '-INFINITY';
  return String(v);
}

export function isTrue(text: string | undefined): boolean {
  if (text === undefined) return false;
  return ['true', 'yes', 'on', 'y', '1'].includes(text.trim().toLowerCase());
}

export function isFalse(text: string | undefined): boolean {
  if (text === undefined) return false;
  return ['false', 'no', 'off', 'n', '0'].includes(text.trim().toLowerCase());
}

/** Boolean with a default for values that are absent or unparsable. */
export function boolOr(text: string | undefined, dflt: boolean): boolean {
  if (isTrue(text)) return true;
  if (isFalse(text)) return false;
  return dflt;
}

/** Interval/timeout text (`10s`, `5min`, `1h`, `500ms`, ISO 8601 `PT10S` or `P10S`, bare seconds) → milliseconds; 0 when unreadable. */
export function parseIntervalMs(text: string | undefined): number {
  return text === undefined ? 0 : Math.round(parseDurationMs(text) ?? 0);
}
