/**
 * Calendar arithmetic on epoch milliseconds, in UTC, without Date: the
 * status core is pure and must not be tempted to read the clock.
 */

export interface UtcParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** 0 = Sunday. */
  readonly weekday: number;
}

export function utcParts(ms: number): UtcParts {
  const totalSeconds = Math.floor(ms / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const secs = totalSeconds - days * 86_400;
  // Civil-from-days (proleptic Gregorian), eras of 400 years.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return {
    year,
    month,
    day,
    hour: Math.floor(secs / 3600),
    minute: Math.floor((secs % 3600) / 60),
    second: secs % 60,
    weekday: (((days + 4) % 7) + 7) % 7,
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2020-02-26 05:50:16Z`, as crm_simulate announces an execution date. */
export function isoUtc(ms: number): string {
  const p = utcParts(ms);
  return `${p.year}-${pad2(p.month)}-${pad2(p.day)} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}Z`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) layout, `Thu Jan  1 00:00:00 1970`, in UTC. */
export function ctimeUtc(ms: number): string {
  const p = utcParts(ms);
  return `${WEEKDAYS[p.weekday]!} ${MONTHS[p.month - 1]!} ${String(p.day).padStart(2, ' ')} ${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)} ${p.year}`;
}
