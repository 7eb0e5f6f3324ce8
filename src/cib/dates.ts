/**
 * ISO 8601 dates as a CIB uses them, in UTC epoch seconds, without Date: the pure cores (rules,
 * the verifier, the status renderer) must not be tempted to read the clock. Pacemaker accepts
 * calendar (`2005-11-04`), ordinal (`2005-020`) and week (`2005-W03-1`) dates, an optional time
 * and an optional offset. This is the one home of calendar arithmetic in vigil.
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

/** Days since 1970-01-01 of a proleptic Gregorian date (eras of 400 years). */
export function daysFromCivil(y: number, m: number, d: number): number {
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

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  return [31, isLeapYear(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** 1 = Monday ... 7 = Sunday, as ISO 8601 and date_spec number weekdays. */
function isoWeekdayOfDays(days: number): number {
  return (((days + 3) % 7) + 7) % 7 + 1;
}

/** ISO years have 53 weeks when they start on a Thursday, or on a Wednesday in a leap year. */
function isoWeeksIn(year: number): number {
  const jan1 = isoWeekdayOfDays(daysFromCivil(year, 1, 1));
  return jan1 === 4 || (jan1 === 3 && isLeapYear(year)) ? 53 : 52;
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
    days = jan4 - (isoWeekdayOfDays(jan4) - 1) + (week - 1) * 7 + (wday - 1);
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

const ISO_DATE = new RegExp(
  '^\\d{4}(?:-(?:\\d{2}-\\d{2}|\\d{3}|W\\d{2}-\\d))' + // calendar, ordinal or week date
    '(?:[T ]\\d{2}(?::\\d{2}(?::\\d{2}(?:\\.\\d+)?)?)?)?' + // optional time
    '\\s*(?:Z|[+-]\\d{2}(?::?\\d{2})?)?$', // optional offset
);

/** Whether a text is an ISO 8601 date(-time) as rules' date_expression start/end use. */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text.trim());
  if (!m) return false;
  const cal = /^\d{4}-(\d{2})-(\d{2})/.exec(text.trim());
  if (cal && (Number(cal[1]) < 1 || Number(cal[1]) > 12 || Number(cal[2]) < 1 || Number(cal[2]) > 31)) return false;
  const time = /[T ](\d{2})(?::(\d{2}))?(?::(\d{2}))?/.exec(text.trim());
  if (time && (Number(time[1]) > 24 || Number(time[2] ?? 0) > 59 || Number(time[3] ?? 0) > 60)) return false;
  return true;
}

/**
 * Why a well-formed ISO 8601 date names no real instant (the 30th of February, hour 25, second
 * 60, day 366 of a common year, week 53 of a 52-week year), as Pacemaker refuses it; undefined
 * when it exists. Hour 24 is allowed only as 24:00:00, the end of a day.
 */
export function nonexistentDate(text: string): string | undefined {
  const t = text.trim();
  const year = Number(t.slice(0, 4));
  const cal = /^\d{4}-(\d{2})-(\d{2})/.exec(t);
  const ord = /^\d{4}-(\d{3})(?!\d)/.exec(t);
  const week = /^\d{4}-W(\d{2})-(\d)/.exec(t);
  if (cal) {
    const [month, day] = [Number(cal[1]), Number(cal[2])];
    if (month < 1 || month > 12) return `${cal[1]} is not a month`;
    const max = daysInMonth(year, month);
    if (day < 1 || day > max) return `${cal[2]} is not a day of month ${month} in ${year} (max ${max})`;
  } else if (ord) {
    const max = isLeapYear(year) ? 366 : 365;
    if (Number(ord[1]) < 1 || Number(ord[1]) > max) return `${ord[1]} is not a day of ${year} (max ${max})`;
  } else if (week) {
    const max = isoWeeksIn(year);
    if (Number(week[1]) < 1 || Number(week[1]) > max) return `${week[1]} is not a week of ${year} (max ${max})`;
    if (Number(week[2]) < 1 || Number(week[2]) > 7) return `${week[2]} is not a day of the week (1-7)`;
  }
  const time = /^[^T ]+[T ](\d{2})(?::(\d{2}))?(?::(\d{2}))?/.exec(t);
  if (time) {
    const [hour, minute, second] = [Number(time[1]), Number(time[2] ?? 0), Number(time[3] ?? 0)];
    if (hour > 24 || (hour === 24 && (minute > 0 || second > 0))) return `${time[1]} is not an hour (00-23, or 24:00:00)`;
    if (minute > 59) return `${time[2]} is not a minute (00-59)`;
    if (second > 59) return `${time[3]} is not a second (00-59)`;
  }
  return undefined;
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

/** Calendar fields of an epoch time, named as date_spec names them. */
export interface DateFields {
  years: number;
  months: number;
  monthdays: number;
  yeardays: number;
  /** 1 = Monday ... 7 = Sunday. */
  weekdays: number;
  weekyears: number;
  weeks: number;
  hours: number;
  minutes: number;
  seconds: number;
}

export function dateFields(epoch: number): DateFields {
  const whole = Math.floor(epoch);
  const days = Math.floor(whole / DAY);
  const rest = whole - days * DAY;
  const c = civilFromDays(days);
  const weekday = isoWeekdayOfDays(days);
  const thursday = days - weekday + 4;
  const weekyear = civilFromDays(thursday).y;
  return {
    years: c.y,
    months: c.m,
    monthdays: c.d,
    yeardays: days - daysFromCivil(c.y, 1, 1) + 1,
    weekdays: weekday,
    weekyears: weekyear,
    weeks: Math.floor((thursday - daysFromCivil(weekyear, 1, 1)) / 7) + 1,
    hours: Math.floor(rest / 3600),
    minutes: Math.floor((rest % 3600) / 60),
    seconds: rest % 60,
  };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `2020-02-26 05:50:16Z`, as crm_simulate announces an execution date. */
export function isoUtc(epoch: number): string {
  const f = dateFields(epoch);
  return `${f.years}-${pad2(f.months)}-${pad2(f.monthdays)} ${pad2(f.hours)}:${pad2(f.minutes)}:${pad2(f.seconds)}Z`;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ctime(3) layout, `Thu Jan  1 00:00:00 1970`, in UTC. */
export function ctimeUtc(epoch: number): string {
  const f = dateFields(epoch);
  return `${WEEKDAYS[f.weekdays - 1]!} ${MONTHS[f.months - 1]!} ${String(f.monthdays).padStart(2, ' ')} ${pad2(f.hours)}:${pad2(f.minutes)}:${pad2(f.seconds)} ${f.years}`;
}
