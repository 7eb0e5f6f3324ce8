/**
 * ISO 8601 date arithmetic for rules, in UTC epoch seconds. Pacemaker accepts calendar
 * (`2005-11-04`), ordinal (`2005-020`) and week (`2005-W03-1`) dates, an optional time and offset.
 */

const DAY = 86_400;

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(z: number): { y: number; m: number; d: number } {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** Epoch seconds of an ISO 8601 date-time, or undefined when it is not one. */
export function parseIsoDate(text: string): number | undefined {
  const t = text.trim();
  const m = /^(\d{4})(?:-?(W\d{2}-?\d|\d{3}|\d{2}-?\d{2}))?(?:[T ](\d{2})(?::?(\d{2}))?(?::?(\d{2}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(t);
  if (!m) return undefined;
  const year = Number(m[1]);
  let days: number;
  const datePart = m[2];
  if (datePart === undefined) days = daysFromCivil(year, 1, 1);
  else if (datePart.startsWith('W')) {
    const digits = datePart.replace(/[W-]/g, '');
    const week = Number(digits.slice(0, 2));
    const wday = Number(digits.slice(2));
    const jan4 = daysFromCivil(year, 1, 4);
    const jan4Wday = ((jan4 + 3) % 7 + 7) % 7; // 0 = Monday
    days = jan4 - jan4Wday + (week - 1) * 7 + (wday - 1);
  } else if (/^\d{3}$/.test(datePart)) days = daysFromCivil(year, 1, 1) + Number(datePart) - 1;
  else {
    const digits = datePart.replace('-', '');
    days = daysFromCivil(year, Number(digits.slice(0, 2)), Number(digits.slice(2)));
  }
  let secs = days * DAY + Number(m[3] ?? 0) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  const tz = m[6];
  if (tz && tz !== 'Z') {
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    secs -= sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2) || 0) * 60);
  }
  return secs;
}

export function addDuration(epoch: number, d: Duration): number {
  const days = Math.floor(epoch / DAY);
  const rest = epoch - days * DAY;
  const c = civilFromDays(days);
  let y = c.y + d.years;
  let mo = c.m + d.months;
  y += Math.floor((mo - 1) / 12);
  mo = ((mo - 1) % 12 + 12) % 12 + 1;
  const day = Math.min(c.d, daysInMonth(y, mo));
  return daysFromCivil(y, mo, day) * DAY + rest + d.weeks * 7 * DAY + d.days * DAY + d.hours * 3600 + d.minutes * 60 + d.seconds;
}

/** Calendar fields of an epoch time, as date_spec compares them. */
export function dateFields(epoch: number): Record<string, number> {
  const days = Math.floor(epoch / DAY);
  const rest = epoch - days * DAY;
  const c = civilFromDays(days);
  const yearday = days - daysFromCivil(c.y, 1, 1) + 1;
  const weekday = ((days + 3) % 7 + 7) % 7 + 1; // 1 = Monday
  const thursday = days - weekday + 4;
  const weekyear = civilFromDays(thursday).y;
  const week = Math.floor((thursday - daysFromCivil(weekyear, 1, 1)) / 7) + 1;
  return {
    years: c.y,
    months: c.m,
    monthdays: c.d,
    yeardays: yearday,
    weekdays: weekday,
    weekyears: weekyear,
    weeks: week,
    hours: Math.floor(rest / 3600),
    minutes: Math.floor((rest % 3600) / 60),
    seconds: rest % 60,
  };
}

/** `YYYY-MM-DD HH:MM:SSZ`, the form crm_simulate prints. */
export function formatDate(epoch: number): string {
  const f = dateFields(epoch);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${f.years}-${p(f.months)}-${p(f.monthdays)} ${p(f.hours)}:${p(f.minutes)}:${p(f.seconds)}Z`;
}
