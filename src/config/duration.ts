const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/**
 * Parses "500ms", "1s", "1.5s" or "2m" into whole milliseconds. A bare number is refused: Heartbeat
 * reads it as seconds and Corosync as milliseconds, so an administrator must say which.
 */
export function parseDuration(text: string): number | { error: string } {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text.trim());
  if (!m) return { error: `'${text}' is not a duration (write e.g. 500ms, 1s, 2m)` };
  if (m[2] === undefined) return { error: `'${text}' needs a unit: ${text}ms or ${text}s` };
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  if (!Number.isInteger(ms)) return { error: `'${text}' is not a whole number of milliseconds` };
  return ms;
}

export function formatDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
