export class DurationError extends Error {
  override name = 'DurationError';
}

/** Pacemaker durations: `20s`, `2min`, `500ms`, `1h`, bare numbers are seconds; ISO 8601 `PT20S` too. */
export function parseDurationMs(text: string): number {
  const t = text.trim();
  const iso = /^P(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)$/i.exec(t);
  if (iso && (iso[1] || iso[2] || iso[3])) return ((Number(iso[1] ?? 0) * 60 + Number(iso[2] ?? 0)) * 60 + Number(iso[3] ?? 0)) * 1000;
  const m = /^(\d+(?:\.\d+)?)\s*(ms|msec|s|sec|m|min|h|hr)?$/i.exec(t);
  if (!m) throw new DurationError(`'${text}' is not a duration (e.g. 20s, 500ms, 2min)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' || unit === 'msec' ? 1 : unit === 'm' || unit === 'min' ? 60_000 : unit === 'h' || unit === 'hr' ? 3_600_000 : 1000;
  return Math.round(n * factor);
}
