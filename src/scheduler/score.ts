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

/** Interval/timeout text (`10s`, `5min`, `1h`, `500ms`, ISO8601 `PT10S`, bare seconds) → milliseconds. */
export function parseIntervalMs(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return 0;
  const t = text.trim();
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(t);
  if (iso) {
    const [, d, h, m, s] = iso;
    return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)) * 1000);
  }
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?$/i.exec(t);
  if (!m) return 0;
  const n = Number(m[1]);
  switch ((m[2] ?? 's').toLowerCase()) {
    case 'ms':
    case 'msec':
      return Math.round(n);
    case 'm':
    case 'min':
      return Math.round(n * 60_000);
    case 'h':
    case 'hr':
      return Math.round(n * 3_600_000);
    default:
      return Math.round(n * 1000);
  }
}
