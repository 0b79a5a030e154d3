import { describe, expect, test } from 'vitest';
import { isWeftError } from '../errors.js';
import { convertValue, isNamedConversion, NAMED_CONVERSIONS } from './conversions.js';

function failure(name: string, value: unknown): unknown {
  try {
    convertValue(name, value);
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to fail');
}

describe('convertValue', () => {
  test('integer_conversion reads numbers and numeric strings, truncating fractions', () => {
    expect(convertValue('integer_conversion', '42')).toBe(42);
    expect(convertValue('integer_conversion', ' 7 ')).toBe(7);
    expect(convertValue('integer_conversion', '4.7')).toBe(4);
    expect(convertValue('integer_conversion', -4.7)).toBe(-4);
  });

  test('float_conversion reads decimals and exponents', () => {
    expect(convertValue('float_conversion', '3.5')).toBe(3.5);
    expect(convertValue('float_conversion', '1e3')).toBe(1000);
    expect(convertValue('float_conversion', 2)).toBe(2);
  });

  test('boolean_conversion accepts true/false, yes/no, 1/0 in any case', () => {
    for (const word of ['true', 'TRUE', 'Yes', 'y'.replace('y', 'YES'), '1', 1, true]) {
      expect(convertValue('boolean_conversion', word)).toBe(true);
    }
    for (const word of ['false', 'False', 'no', 'NO', '0', 0, false]) {
      expect(convertValue('boolean_conversion', word)).toBe(false);
    }
  });

  test('date_conversion gives YYYY-MM-DD from dates, date-times, Dates and epochs', () => {
    expect(convertValue('date_conversion', '2024-03-05')).toBe('2024-03-05');
    expect(convertValue('date_conversion', '2024-03-05T23:30:00-05:00')).toBe('2024-03-05');
    expect(convertValue('date_conversion', new Date(Date.UTC(2024, 0, 2, 3)))).toBe('2024-01-02');
    expect(convertValue('date_conversion', 1_700_000_000)).toBe('2023-11-14');
  });

  test('date_time_conversion and render_iso8601_timestamp give ISO strings in UTC', () => {
    expect(convertValue('date_time_conversion', '2024-03-05T10:00:00+02:00')).toBe('2024-03-05T08:00:00.000Z');
    expect(convertValue('date_time_conversion', '2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
    expect(convertValue('render_iso8601_timestamp', 1_700_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(convertValue('render_iso8601_timestamp', 1_700_000_000_000)).toBe('2023-11-14T22:13:20.000Z');
    expect(convertValue('render_iso8601_timestamp', '1700000000')).toBe('2023-11-14T22:13:20.000Z');
    expect(convertValue('render_iso8601_timestamp', new Date('2020-01-01T00:00:00Z'))).toBe('2020-01-01T00:00:00.000Z');
  });

  test('parse_iso8601_timestamp gives whole epoch seconds', () => {
    expect(convertValue('parse_iso8601_timestamp', '2023-11-14T22:13:20Z')).toBe(1_700_000_000);
    expect(convertValue('parse_iso8601_timestamp', '2023-11-14T22:13:20.900Z')).toBe(1_700_000_000);
    expect(convertValue('parse_iso8601_timestamp', 12)).toBe(12);
  });

  test('string_conversion stringifies scalars, Dates and JSON data', () => {
    expect(convertValue('string_conversion', 42)).toBe('42');
    expect(convertValue('string_conversion', false)).toBe('false');
    expect(convertValue('string_conversion', { a: 1 })).toBe('{"a":1}');
    expect(convertValue('string_conversion', '')).toBe('');
  });

  test('null and undefined pass through; blank strings become null', () => {
    expect(convertValue('integer_conversion', null)).toBeNull();
    expect(convertValue('date_conversion', undefined)).toBeUndefined();
    expect(convertValue('float_conversion', '  ')).toBeNull();
  });

  test.each([
    ['integer_conversion', 'abc', /cannot convert to an integer, got "abc"/],
    ['float_conversion', '1,5', /cannot convert to a number/],
    ['boolean_conversion', 'maybe', /must be a boolean/],
    ['date_conversion', '2024-02-30', /must be a date/],
    ['date_time_conversion', 'next tuesday', /cannot convert to an ISO 8601 date-time/],
    ['parse_iso8601_timestamp', 'soon', /cannot parse/],
    ['integer_conversion', { n: 1 }, /got an object/],
  ])('%s rejects %j with an INPUT_INVALID error', (name, value, message) => {
    const error = failure(name, value);
    expect(isWeftError(error) && error.code).toBe('INPUT_INVALID');
    expect((error as Error).message).toMatch(message);
  });

  test('an unknown conversion name is a definition error', () => {
    const error = failure('rot13_conversion', 'x');
    expect(isWeftError(error) && error.code).toBe('DEFINITION_INVALID');
  });
});

test('isNamedConversion knows exactly the named conversions', () => {
  expect(NAMED_CONVERSIONS).toHaveLength(8);
  for (const name of NAMED_CONVERSIONS) expect(isNamedConversion(name)).toBe(true);
  expect(isNamedConversion('normalize')).toBe(false);
  expect(isNamedConversion('toString')).toBe(false);
  expect(isNamedConversion(undefined)).toBe(false);
});
