/**
 * Named conversions for `convertInput` / `convertOutput`. Conversions are lenient (they exist
 * to turn loosely typed API values into the field's type); values they cannot read throw.
 * `null` and `undefined` pass through unchanged; an empty (blank) string becomes `null` for every
 * conversion except `string_conversion`.
 */
import { WeftError } from '../errors.js';
import type { NamedConversion } from '../types.js';
import { type Coerced, coerceBoolean, coerceDate, coerceNumber, toEpochMs } from './coerce.js';
import { parseIsoDateTime } from './dates.js';
import { describe, isPlainObject } from './values.js';

type Converter = (value: unknown) => Coerced;

const bad = (expected: string, value: unknown): Coerced => ({
  ok: false,
  message: `${expected}, got ${describe(value)}`,
});

function toIsoDateTime(value: unknown, expected: string): Coerced {
  const ms = toEpochMs(value);
  return ms === undefined ? bad(expected, value) : { ok: true, value: new Date(ms).toISOString() };
}

const CONVERTERS: Record<NamedConversion, Converter> = {
  /** Numbers and numeric strings; a fractional part is truncated toward zero (`"4.7"` → 4). */
  integer_conversion: (value) => {
    const n = coerceNumber(value);
    if (!n.ok) return bad('cannot convert to an integer', value);
    return { ok: true, value: Math.trunc(n.value as number) };
  },
  float_conversion: (value) => {
    const n = coerceNumber(value);
    return n.ok ? n : bad('cannot convert to a number', value);
  },
  boolean_conversion: (value) => coerceBoolean(value),
  /** Dates, date-times (their date part), Date objects and epoch numbers (UTC) → `YYYY-MM-DD`. */
  date_conversion: (value) => {
    if (typeof value === 'number') {
      const ms = toEpochMs(value);
      return ms === undefined
        ? bad('cannot convert to a date', value)
        : { ok: true, value: new Date(ms).toISOString().slice(0, 10) };
    }
    return coerceDate(value);
  },
  date_time_conversion: (value) => toIsoDateTime(value, 'cannot convert to an ISO 8601 date-time'),
  render_iso8601_timestamp: (value) => toIsoDateTime(value, 'cannot render as an ISO 8601 timestamp'),
  /** ISO 8601 (or a Date) → whole epoch seconds; numbers pass as they are. */
  parse_iso8601_timestamp: (value) => {
    if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value };
    const ms =
      value instanceof Date ? value.getTime() : typeof value === 'string' ? parseIsoDateTime(value) : undefined;
    if (ms === undefined || Number.isNaN(ms)) return bad('cannot parse as an ISO 8601 timestamp', value);
    return { ok: true, value: Math.floor(ms / 1000) };
  },
  /** Scalars → their string form, Dates → ISO, objects and arrays → JSON. */
  string_conversion: (value) => {
    if (value instanceof Date) return { ok: true, value: value.toISOString() };
    if (Array.isArray(value) || isPlainObject(value)) return { ok: true, value: JSON.stringify(value) };
    if (typeof value === 'object' || typeof value === 'function' || typeof value === 'symbol') {
      return bad('cannot convert to a string', value);
    }
    return { ok: true, value: String(value) };
  },
};

export const NAMED_CONVERSIONS = Object.keys(CONVERTERS) as NamedConversion[];

export function isNamedConversion(name: unknown): name is NamedConversion {
  return typeof name === 'string' && Object.hasOwn(CONVERTERS, name);
}

/** Runs one named conversion; throws `WeftError('INPUT_INVALID')` with a message (no path) when it cannot. */
export function convertValue(name: string, value: unknown): unknown {
  if (!isNamedConversion(name)) {
    throw new WeftError(
      'DEFINITION_INVALID',
      `"${name}" is not a named conversion (one of ${NAMED_CONVERSIONS.join(', ')})`,
    );
  }
  if (value === null || value === undefined) return value;
  if (name !== 'string_conversion' && typeof value === 'string' && value.trim() === '') return null;
  const result = CONVERTERS[name](value);
  if (!result.ok) throw new WeftError('INPUT_INVALID', result.message, { details: { conversion: name } });
  return result.value;
}
