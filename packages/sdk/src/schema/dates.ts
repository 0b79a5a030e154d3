/**
 * Strict ISO 8601 parsing (Date.parse accepts too much, e.g. "1" or "March 7").
 * A date-time without a timezone is read as UTC.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** `YYYY-MM-DD` when the string is a valid calendar date, else undefined. */
export function parseIsoDate(text: string): string | undefined {
  const m = DATE.exec(text.trim());
  if (!m) return undefined;
  return validDate(Number(m[1]), Number(m[2]), Number(m[3])) ? m[0] : undefined;
}

/** Milliseconds since the epoch of an ISO 8601 date-time (or date, at midnight UTC), else undefined. */
export function parseIsoDateTime(text: string): number | undefined {
  const s = text.trim();
  const date = parseIsoDate(s);
  if (date) return Date.parse(`${date}T00:00:00Z`);
  const m = DATE_TIME.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi] = [1, 2, 3, 4, 5].map((i) => Number(m[i]));
  const sec = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
  return utc - offsetMinutes * 60_000;
}

/** The calendar date written in an ISO date or date-time string (its own date part, not converted to UTC). */
export function datePart(text: string): string | undefined {
  const s = text.trim();
  const date = parseIsoDate(s);
  if (date) return date;
  if (parseIsoDateTime(s) === undefined) return undefined;
  return s.slice(0, 10);
}

/** Epoch numbers: below 1e11 they are seconds (until year 5138), above, milliseconds. */
export function epochToMs(n: number): number {
  return Math.abs(n) < 1e11 ? n * 1000 : n;
}
