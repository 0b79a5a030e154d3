/**
 * Coercion of one scalar input value to a field type (SPEC §2). Lenient where the meaning is
 * unambiguous (`"42"` → 42 for an integer), strict elsewhere (`"4.2"` is not an integer).
 */
import type { FieldType } from '../types.js';
import { datePart, epochToMs, parseIsoDateTime } from './dates.js';
import { describe } from './values.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

export type ScalarType = Exclude<FieldType, 'object' | 'array'>;

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Words accepted for booleans, compared case-insensitively. */
export const TRUE_WORDS = ['true', 'yes', '1'];
export const FALSE_WORDS = ['false', 'no', '0'];

const ok = (value: unknown): Coerced => ({ ok: true, value });
const bad = (expected: string, value: unknown): Coerced => ({
  ok: false,
  message: `${expected}, got ${describe(value)}`,
});

export function coerceInteger(value: unknown): Coerced {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? ok(value) : bad('must be an integer', value);
  if (typeof value === 'string' && INTEGER.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isSafeInteger(n) ? ok(n) : bad('must be an integer within ±2^53', value);
  }
  return bad('must be an integer', value);
}

export function coerceNumber(value: unknown): Coerced {
  if (typeof value === 'number') return Number.isFinite(value) ? ok(value) : bad('must be a finite number', value);
  if (typeof value === 'string' && NUMBER.test(value.trim())) return ok(Number(value.trim()));
  return bad('must be a number', value);
}

export function coerceBoolean(value: unknown): Coerced {
  if (typeof value === 'boolean') return ok(value);
  if (value === 1 || value === 0) return ok(value === 1);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return ok(true);
    if (FALSE_WORDS.includes(word)) return ok(false);
  }
  return bad('must be a boolean (true/false, yes/no, 1/0)', value);
}

export function coerceString(value: unknown): Coerced {
  if (typeof value === 'string') return ok(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return ok(String(value));
  return bad('must be a string', value);
}

/** A date: `YYYY-MM-DD`; a date-time is truncated to the date it names. */
export function coerceDate(value: unknown): Coerced {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return ok(value.toISOString().slice(0, 10));
  if (typeof value === 'string') {
    const date = datePart(value);
    if (date) return ok(date);
  }
  return bad('must be a date (YYYY-MM-DD)', value);
}

/** A date-time: ISO 8601, normalized to UTC (`2024-03-05T14:00:00.000Z`). */
export function coerceDateTime(value: unknown): Coerced {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return ok(value.toISOString());
  if (typeof value === 'string') {
    const ms = parseIsoDateTime(value);
    if (ms !== undefined) return ok(new Date(ms).toISOString());
  }
  return bad('must be an ISO 8601 date-time', value);
}

/**
 * A timestamp: given as epoch seconds (number or numeric string), an ISO 8601 date-time or a
 * Date; always delivered as epoch seconds (a number), matching `ctx.input`'s inferred type.
 */
export function coerceTimestamp(value: unknown): Coerced {
  if (typeof value === 'number' && Number.isFinite(value)) return ok(value);
  if (value instanceof Date && !Number.isNaN(value.getTime())) return ok(value.getTime() / 1000);
  if (typeof value === 'string') {
    if (NUMBER.test(value.trim())) return ok(Number(value.trim()));
    const ms = parseIsoDateTime(value);
    if (ms !== undefined) return ok(ms / 1000);
  }
  return bad('must be a timestamp (epoch seconds or ISO 8601 date-time)', value);
}

export function coerceScalar(type: ScalarType, value: unknown): Coerced {
  switch (type) {
    case 'integer':
      return coerceInteger(value);
    case 'number':
      return coerceNumber(value);
    case 'boolean':
      return coerceBoolean(value);
    case 'date':
      return coerceDate(value);
    case 'date_time':
      return coerceDateTime(value);
    case 'timestamp':
      return coerceTimestamp(value);
    default:
      return coerceString(value);
  }
}

/** Converts an epoch number (seconds, or milliseconds when ≥ 1e11) or Date or ISO string to ms. */
export function toEpochMs(value: unknown): number | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.getTime();
  if (typeof value === 'number') return Number.isFinite(value) ? epochToMs(value) : undefined;
  if (typeof value === 'string') {
    if (NUMBER.test(value.trim())) return epochToMs(Number(value.trim()));
    return parseIsoDateTime(value);
  }
  return undefined;
}
