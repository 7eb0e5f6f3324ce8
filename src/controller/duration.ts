/**
 * Pacemaker's time values: a number with an optional unit (ms, msec, us, s, sec, m, min, h, hr),
 * plain numbers in seconds, or an ISO 8601 duration (PT1M30S). Returns null when unreadable.
 */
export function parseDurationMs(text: string): number | null {
  const value = text.trim();
  const plain = /^(\d+(?:\.\d+)?)\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?$/i.exec(value);
  if (plain) {
    const n = Number(plain[1]);
    const unit = (plain[2] ?? 's').toLowerCase();
    const factor: Record<string, number> = { ms: 1, msec: 1, us: 0.001, usec: 0.001, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000 };
    return Math.round(n * factor[unit]);
  }
  const iso = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(value);
  if (iso && value.length > 1 && value.toUpperCase() !== 'PT') {
    const [, d, h, m, s] = iso;
    return Math.round(((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(m ?? 0)) * 60_000 + Number(s ?? 0) * 1000);
  }
  return null;
}
