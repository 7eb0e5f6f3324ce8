/**
 * The value syntaxes Pacemaker accepts in a CIB (scores, durations, booleans, roles, dates).
 * Shared by the verifier and by anything that must interpret a configuration value.
 */

/** The score that means "always" (or with a minus, "never"); Pacemaker caps finite scores there. */
export const INFINITY_SCORE = 1_000_000;

export type Score = number;

/** Parses a score as Pacemaker writes it: an integer, INFINITY, +INFINITY or -INFINITY. */
export function parseScore(text: string): Score | undefined {
  if (text === 'INFINITY' || text === '+INFINITY') return INFINITY_SCORE;
  if (text === '-INFINITY') return -INFINITY_SCORE;
  if (!/^[+-]?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Math.max(-INFINITY_SCORE, Math.min(INFINITY_SCORE, n));
}

const DURATION_UNITS_MS: Record<string, number> = {
  '': 1000, s: 1000, sec: 1000, ms: 1, msec: 1, us: 0.001, usec: 0.001, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000,
};

/**
 * Parses a duration to milliseconds: a number with an optional unit (a bare number is seconds,
 * as in Pacemaker), or an ISO 8601 duration such as PT30S.
 */
export function parseDurationMs(text: string): number | undefined {
  const plain = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  if (plain) {
    const factor = DURATION_UNITS_MS[plain[2].toLowerCase()];
    return factor === undefined ? undefined : Number(plain[1]) * factor;
  }
  return parseIsoDurationMs(text);
}

// Pacemaker also reads hours and seconds written without the 'T' ("P10S"), so 'T' is optional.
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/;

function parseIsoDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  const m = ISO_DURATION.exec(trimmed);
  if (!m || !/\d/.test(trimmed) || trimmed.endsWith('T')) return undefined;
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0));
  const days = y * 365 + mo * 30 + w * 7 + d;
  return ((days * 24 + h) * 60 + mi) * 60_000 + s * 1000;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes', 'y', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', 'n', '0']);

/** Parses a boolean the way Pacemaker does (true/false, yes/no, on/off, y/n, 1/0, any case). */
export function parseBoolean(text: string): boolean | undefined {
  const word = text.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

/** Roles, with the names Pacemaker 2.1 deprecated (Master, Slave) still accepted. */
export const ROLES = ['Stopped', 'Started', 'Unpromoted', 'Promoted', 'Slave', 'Master'] as const;
export type Role = (typeof ROLES)[number];

/** Pacemaker reads role names in any case ("started" is Started). */
export function parseRole(text: string): Role | undefined {
  const lower = text.toLowerCase();
  return ROLES.find((r) => r.toLowerCase() === lower);
}

export function isRole(text: string): boolean {
  return parseRole(text) !== undefined;
}

/** The actions an ordering constraint or a resource set can name. */
export const ORDER_ACTIONS = ['start', 'stop', 'promote', 'demote'] as const;

/** Operation names a resource may configure. */
export const OPERATION_NAMES = [
  'start', 'stop', 'monitor', 'promote', 'demote', 'notify', 'migrate_to', 'migrate_from',
  'reload', 'reload-agent', 'meta-data', 'validate-all', 'status',
] as const;
