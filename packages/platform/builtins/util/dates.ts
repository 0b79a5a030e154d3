/**
 * Dates for the util connector, with the platform's own `Intl` and no library: wall-clock parts
 * in an IANA time zone, patterns (the usual letters: `yyyy-MM-dd HH:mm:ss`, `EEE, d MMM yyyy`,
 * `XXX` for the offset, `'quoted'` literals) both ways, and ISO 8601 durations added on the
 * calendar of the zone (so "P1D" across a DST change keeps the time of day).
 */

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws a RangeError for a time zone Node does not know. */
function formatterOf(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

export function checkZone(zone: string): string | undefined {
  try {
    formatterOf(zone);
    return undefined;
  } catch {
    return `unknown time zone "${zone}" (use an IANA name such as Europe/Paris, or UTC)`;
  }
}

/** The wall-clock time of `date` in `zone`. */
export function wallTime(date: Date, zone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(zone).formatToParts(date)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    ms: date.getUTCMilliseconds(),
  };
}

function utcOf(w: WallTime): number {
  const t = new Date(0);
  t.setUTCFullYear(w.year, w.month - 1, w.day);
  t.setUTCHours(w.hour, w.minute, w.second, w.ms);
  return t.getTime();
}

/** Minutes east of UTC of `zone` at `date`. */
export function offsetMinutes(date: Date, zone: string): number {
  const w = wallTime(date, zone);
  return Math.round((utcOf({ ...w, ms: date.getUTCMilliseconds() }) - date.getTime()) / 60_000);
}

/** The instant a wall-clock time in `zone` names (a time skipped by DST moves forward). */
export function fromWallTime(w: WallTime, zone: string): Date {
  const guess = utcOf(w);
  const first = guess - offsetMinutes(new Date(guess), zone) * 60_000;
  const second = guess - offsetMinutes(new Date(first), zone) * 60_000;
  return new Date(second === first ? first : Math.max(first, second));
}

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');

function offsetText(minutes: number, colon: boolean, zulu: boolean): string {
  if (minutes === 0 && zulu) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.trunc(Math.abs(minutes) / 60))}${colon ? ':' : ''}${pad(Math.abs(minutes) % 60)}`;
}

const TOKEN = /'[^']*'|yyyy|yy|MMMM|MMM|MM|M|dd|d|EEEE|EEE|HH|H|hh|h|mm|m|ss|s|SSS|a|XXX|XX|X|ZZ|Z/g;

/** `date` written by `pattern` in `zone`. */
export function formatDate(date: Date, pattern: string, zone: string): string {
  const w = wallTime(date, zone);
  const offset = offsetMinutes(date, zone);
  const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
  const hour12 = w.hour % 12 === 0 ? 12 : w.hour % 12;
  const values: Record<string, string> = {
    yyyy: pad(w.year, 4),
    yy: pad(w.year % 100),
    MMMM: MONTHS[w.month - 1],
    MMM: MONTHS[w.month - 1].slice(0, 3),
    MM: pad(w.month),
    M: String(w.month),
    dd: pad(w.day),
    d: String(w.day),
    EEEE: DAYS[weekday],
    EEE: DAYS[weekday].slice(0, 3),
    HH: pad(w.hour),
    H: String(w.hour),
    hh: pad(hour12),
    h: String(hour12),
    mm: pad(w.minute),
    m: String(w.minute),
    ss: pad(w.second),
    s: String(w.second),
    SSS: pad(w.ms, 3),
    a: w.hour < 12 ? 'AM' : 'PM',
    XXX: offsetText(offset, true, true),
    XX: offsetText(offset, false, true),
    X: offset === 0 ? 'Z' : offsetText(offset, false, false).slice(0, offset % 60 === 0 ? 3 : 5),
    ZZ: offsetText(offset, true, false),
    Z: offsetText(offset, false, false),
  };
  return pattern.replace(TOKEN, (token) => (token.startsWith("'") ? token.slice(1, -1) : values[token]));
}

const NAME = '([A-Za-z]+)';
const OFFSET = '(Z|[+-]\\d{2}(?::?\\d{2})?)';
const CAPTURE: Record<string, string> = {
  yyyy: '(\\d{4})',
  yy: '(\\d{2})',
  MMMM: NAME,
  MMM: NAME,
  MM: '(\\d{2})',
  M: '(\\d{1,2})',
  dd: '(\\d{2})',
  d: '(\\d{1,2})',
  EEEE: NAME,
  EEE: NAME,
  HH: '(\\d{2})',
  H: '(\\d{1,2})',
  hh: '(\\d{2})',
  h: '(\\d{1,2})',
  mm: '(\\d{2})',
  m: '(\\d{1,2})',
  ss: '(\\d{2})',
  s: '(\\d{1,2})',
  SSS: '(\\d{3})',
  a: '([AaPp][Mm])',
  XXX: OFFSET,
  XX: OFFSET,
  X: OFFSET,
  ZZ: OFFSET,
  Z: OFFSET,
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function parseOffset(text: string): number {
  if (text === 'Z') return 0;
  const digits = text.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return text[0] === '-' ? -minutes : minutes;
}

function monthOf(name: string): number {
  const i = MONTHS.findIndex((m) => m.toLowerCase().startsWith(name.toLowerCase().slice(0, 3)));
  return i + 1;
}

/** Reads `text` by `pattern`; a time without an offset token is read in `zone`. Undefined when it does not fit. */
export function parseWithPattern(text: string, pattern: string, zone: string): Date | undefined {
  const tokens: string[] = [];
  let source = '';
  let last = 0;
  for (const match of pattern.matchAll(TOKEN)) {
    source += escapeRegExp(pattern.slice(last, match.index));
    const token = match[0];
    if (token.startsWith("'")) source += escapeRegExp(token.slice(1, -1));
    else {
      source += CAPTURE[token];
      tokens.push(token);
    }
    last = (match.index ?? 0) + token.length;
  }
  source += escapeRegExp(pattern.slice(last));
  const found = new RegExp(`^${source}$`).exec(text.trim());
  if (!found) return undefined;
  const w: WallTime = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0 };
  let offset: number | undefined;
  let pm: boolean | undefined;
  tokens.forEach((token, i) => {
    const value = found[i + 1];
    const n = Number(value);
    if (token === 'yyyy') w.year = n;
    else if (token === 'yy') w.year = 2000 + n;
    else if (token === 'MMMM' || token === 'MMM') w.month = monthOf(value);
    else if (token === 'MM' || token === 'M') w.month = n;
    else if (token === 'dd' || token === 'd') w.day = n;
    else if (token.startsWith('H') || token.startsWith('h')) w.hour = n;
    else if (token === 'mm' || token === 'm') w.minute = n;
    else if (token === 'ss' || token === 's') w.second = n;
    else if (token === 'SSS') w.ms = n;
    else if (token === 'a') pm = value.toLowerCase() === 'pm';
    else if (token.startsWith('X') || token.startsWith('Z')) offset = parseOffset(value);
  });
  if (pm !== undefined) w.hour = (w.hour % 12) + (pm ? 12 : 0);
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 59) {
    return undefined;
  }
  return offset === undefined ? fromWallTime(w, zone) : new Date(utcOf(w) - offset * 60_000);
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 (a date, or a date and time; without an offset it is read in `zone`), else what `Date.parse` reads. */
export function parseIso(text: string, zone: string): Date | undefined {
  const m = ISO.exec(text.trim());
  if (!m) {
    const t = Date.parse(text);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  const w: WallTime = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3)),
  };
  if (w.month < 1 || w.month > 12 || w.day < 1 || w.day > 31 || w.hour > 23 || w.minute > 59 || w.second > 59) {
    return undefined;
  }
  return m[8] ? new Date(utcOf(w) - parseOffset(m[8].toUpperCase()) * 60_000) : fromWallTime(w, zone);
}

export interface Duration {
  sign: 1 | -1;
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION =
  /^([+-])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/i;

/** An ISO 8601 duration (`P1DT2H`, `PT30M`), negative with a leading `-`; undefined when it is not one. */
export function parseDuration(text: string): Duration | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || /^[+-]?PT?$/i.test(text.trim())) return undefined;
  const n = (i: number) => Number((m[i] ?? '0').replace(',', '.'));
  return {
    sign: m[1] === '-' ? -1 : 1,
    years: n(2),
    months: n(3),
    weeks: n(4),
    days: n(5),
    hours: n(6),
    minutes: n(7),
    seconds: n(8),
  };
}

/**
 * `date` moved by `duration`: years, months, weeks and days on the calendar of `zone` (the time
 * of day kept; the 31st plus a month is the month's last day), then hours, minutes and seconds
 * as elapsed time.
 */
export function addDuration(date: Date, duration: Duration, zone: string): Date {
  const s = duration.sign;
  const w = wallTime(date, zone);
  const months = w.month - 1 + s * (duration.years * 12 + duration.months);
  const year = w.year + Math.floor(months / 12);
  const month = (((months % 12) + 12) % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const shifted = { ...w, year, month, day: Math.min(w.day, lastDay) };
  const calendar = fromWallTime(shifted, zone);
  const days = s * (duration.weeks * 7 + duration.days);
  const dayShifted = days === 0 ? calendar : moveDays(calendar, days, zone);
  const elapsed = s * ((duration.hours * 60 + duration.minutes) * 60 + duration.seconds) * 1000;
  return new Date(dayShifted.getTime() + elapsed);
}

function moveDays(date: Date, days: number, zone: string): Date {
  const w = wallTime(date, zone);
  const t = new Date(Date.UTC(w.year, w.month - 1, w.day + days));
  return fromWallTime({ ...w, year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() }, zone);
}
