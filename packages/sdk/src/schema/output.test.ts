import { describe, expect, test } from 'vitest';
import type { Field } from '../types.js';
import { applyConvertOutput, checkOutput } from './output.js';

describe('applyConvertOutput', () => {
  const fields: Field[] = [
    { name: 'id', type: 'integer', convertOutput: 'integer_conversion' },
    { name: 'created', type: 'date_time', convertOutput: 'render_iso8601_timestamp' },
    {
      name: 'lines',
      type: 'array',
      properties: [{ name: 'qty', type: 'number', convertOutput: 'float_conversion' }],
    },
    {
      name: 'owner',
      type: 'object',
      properties: [{ name: 'active', type: 'boolean', convertOutput: 'boolean_conversion' }],
    },
  ];

  test('converts fields, nested objects and arrays of objects, returning a new value', async () => {
    const output = {
      id: '42',
      created: 1_700_000_000,
      lines: [{ qty: '1.5' }, { qty: '2' }],
      owner: { active: 'yes', name: 'kept' },
      extra: 'kept too',
    };
    const snapshot = structuredClone(output);
    const converted = await applyConvertOutput(fields, output);
    expect(converted).toEqual({
      id: 42,
      created: '2023-11-14T22:13:20.000Z',
      lines: [{ qty: 1.5 }, { qty: 2 }],
      owner: { active: true, name: 'kept' },
      extra: 'kept too',
    });
    expect(output).toEqual(snapshot);
  });

  test('an array output is a list of records', async () => {
    expect(await applyConvertOutput(fields, [{ id: '1' }, { id: '2' }])).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('leaves nulls, missing keys and non-objects alone', async () => {
    expect(await applyConvertOutput(fields, { id: null })).toEqual({ id: null });
    expect(await applyConvertOutput(fields, 'text')).toBe('text');
    expect(await applyConvertOutput(fields, {})).toEqual({});
  });

  test('other names run a method', async () => {
    const runMethod = async (name: string, value: unknown) => `${name}(${value})`;
    expect(await applyConvertOutput([{ name: 'x', convertOutput: 'wrap' }], { x: 1 }, runMethod)).toEqual({
      x: 'wrap(1)',
    });
    await expect(applyConvertOutput([{ name: 'x', convertOutput: 'wrap' }], { x: 1 })).rejects.toMatchObject({
      code: 'UNKNOWN_METHOD',
    });
  });

  test('a value a named conversion cannot read is an OUTPUT_INVALID error with its path', async () => {
    await expect(applyConvertOutput(fields, { lines: [{ qty: 'many' }] })).rejects.toMatchObject({
      code: 'OUTPUT_INVALID',
      message: expect.stringContaining('output.lines[0].qty'),
    });
  });
});

describe('checkOutput', () => {
  const fields: Field[] = [
    { name: 'id', type: 'integer' },
    { name: 'name' },
    { name: 'score', type: 'number' },
    { name: 'active', type: 'boolean' },
    { name: 'born', type: 'date' },
    { name: 'updated', type: 'date_time' },
    { name: 'seen', type: 'timestamp' },
    { name: 'address', type: 'object', properties: [{ name: 'zip', type: 'integer' }] },
    { name: 'lines', type: 'array', properties: [{ name: 'sku' }] },
    { name: 'ids', type: 'array', of: 'integer' },
  ];

  test('a fitting output has no problems; nothing is required and extra keys are fine', () => {
    expect(
      checkOutput(fields, {
        id: 1,
        name: 'x',
        score: 1.5,
        active: false,
        born: '2020-01-01',
        updated: '2020-01-01T10:00:00+01:00',
        seen: 1_700_000_000,
        address: { zip: 1234, street: 'extra' },
        lines: [{ sku: 'a' }],
        ids: [1, 2],
        unknown: { any: 'thing' },
      }),
    ).toEqual([]);
    expect(checkOutput(fields, {})).toEqual([]);
    expect(checkOutput(fields, { id: null, address: null, seen: '2020-01-01T00:00:00Z' })).toEqual([]);
  });

  test('reports each mismatch with its path; strings are not coerced', () => {
    expect(
      checkOutput(fields, {
        id: '1',
        name: 5,
        active: 'true',
        born: 'yesterday',
        updated: 1_700_000_000,
        address: { zip: 'A1' },
        lines: [{ sku: 'a' }, 'b'],
        ids: [1, 'two'],
      }),
    ).toEqual([
      { path: 'output.id', message: 'must be an integer, got "1"' },
      { path: 'output.name', message: 'must be a string, got 5' },
      { path: 'output.active', message: 'must be a boolean, got "true"' },
      { path: 'output.born', message: 'must be a date string (YYYY-MM-DD), got "yesterday"' },
      { path: 'output.updated', message: 'must be an ISO 8601 date-time string, got 1700000000' },
      { path: 'output.address.zip', message: 'must be an integer, got "A1"' },
      { path: 'output.lines[1]', message: 'must be an object, got "b"' },
      { path: 'output.ids[1]', message: 'must be an integer, got "two"' },
    ]);
  });

  test('an array output is checked record by record, under the given path', () => {
    expect(checkOutput(fields, [{ id: 1 }, { id: 1.5 }], 'sampleOutput')).toEqual([
      { path: 'sampleOutput[1].id', message: 'must be an integer, got 1.5' },
    ]);
    expect(checkOutput(fields, 'nope')).toEqual([{ path: 'output', message: 'must be an object, got "nope"' }]);
  });

  test('a toggle field lets either type through', () => {
    const toggled: Field[] = [{ name: 'owner', type: 'integer', toggleField: { name: 'owner', type: 'string' } }];
    expect(checkOutput(toggled, { owner: 'usr_1' })).toEqual([]);
    expect(checkOutput(toggled, { owner: true })).toEqual([
      { path: 'output.owner', message: 'must be an integer, got true' },
    ]);
  });
});
