import { describe, expect, test } from 'vitest';
import { type Problem, ValidationError, WeftError } from '../errors.js';
import type { Field } from '../types.js';
import { processInput } from './input.js';

async function problemsOf(fields: readonly Field[], input: unknown, options = {}): Promise<Problem[]> {
  try {
    await processInput(fields, input, options);
  } catch (error) {
    if (error instanceof ValidationError) {
      expect(error.code).toBe('INPUT_INVALID');
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected processInput to reject');
}

const value = async (fields: readonly Field[], input: unknown, options = {}) =>
  (await processInput(fields, input, options)).value;

describe('processInput: the input itself', () => {
  test.each([[null], [[1, 2]], ['text'], [42]])('a non-object input (%j) is one problem at `input`', async (input) => {
    const problems = await problemsOf([], input);
    expect(problems).toEqual([{ path: 'input', message: expect.stringMatching(/^must be an object, got /) }]);
  });

  test('the path option names the value in problems', async () => {
    const problems = await problemsOf([{ name: 'object' }], {}, { path: 'configFields' });
    expect(problems).toEqual([{ path: 'configFields.object', message: 'is required' }]);
  });

  test('never mutates its argument', async () => {
    const input = { n: '5', address: { city: 'Oslo', extra: 1 }, lines: [{ qty: '2' }], stray: true };
    const snapshot = structuredClone(input);
    const fields: Field[] = [
      { name: 'n', type: 'integer' },
      { name: 'address', type: 'object', properties: [{ name: 'city' }, { name: 'zip', default: '0001' }] },
      { name: 'lines', type: 'array', properties: [{ name: 'qty', type: 'integer' }] },
    ];
    const out = await value(fields, input);
    expect(input).toEqual(snapshot);
    expect(out).toEqual({ n: 5, address: { city: 'Oslo', zip: '0001' }, lines: [{ qty: 2 }] });
    expect(out.address).not.toBe(input.address);
  });
});

describe('processInput: undeclared keys', () => {
  test('are dropped and reported by dotted path, nested ones too', async () => {
    const fields: Field[] = [
      { name: 'name' },
      { name: 'address', properties: [{ name: 'city' }] },
      { name: 'lines', type: 'array', properties: [{ name: 'sku' }] },
    ];
    const result = await processInput(fields, {
      name: 'Ada',
      bogus: 1,
      address: { city: 'Oslo', planet: 'Earth' },
      lines: [{ sku: 'a' }, { sku: 'b', colour: 'red' }],
    });
    expect(result.value).toEqual({ name: 'Ada', address: { city: 'Oslo' }, lines: [{ sku: 'a' }, { sku: 'b' }] });
    expect(result.dropped).toEqual(['input.bogus', 'input.address.planet', 'input.lines[1].colour']);
  });

  test('an object field without properties keeps whatever it holds', async () => {
    const result = await processInput([{ name: 'meta', type: 'object' }], { meta: { any: { deep: [1] } } });
    expect(result).toEqual({ value: { meta: { any: { deep: [1] } } }, dropped: [] });
  });

  test('a key named __proto__ is dropped, not assigned', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": true}, "a": "x"}');
    const result = await processInput([{ name: 'a' }], input);
    expect(result.dropped).toEqual(['input.__proto__']);
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('processInput: required fields', () => {
  test('undefined, null and empty string all count as missing; every problem is reported', async () => {
    const fields: Field[] = [{ name: 'a' }, { name: 'b' }, { name: 'c' }, { name: 'd', optional: true }];
    const problems = await problemsOf(fields, { b: null, c: '' });
    expect(problems).toEqual([
      { path: 'input.a', message: 'is required' },
      { path: 'input.b', message: 'is required' },
      { path: 'input.c', message: 'is required' },
    ]);
  });

  test('optional fields may be absent or null', async () => {
    expect(await value([{ name: 'd', optional: true, type: 'integer' }], { d: null })).toEqual({ d: null });
    expect(await value([{ name: 'd', optional: true }], {})).toEqual({});
  });

  test('a required field inside a nested object is reported with its nested path', async () => {
    const fields: Field[] = [{ name: 'lines', type: 'array', properties: [{ name: 'sku' }] }];
    expect(await problemsOf(fields, { lines: [{ sku: 'a' }, {}, { sku: 'c' }] })).toEqual([
      { path: 'input.lines[1].sku', message: 'is required' },
    ]);
  });

  test('a bad value is reported once, not also as missing', async () => {
    expect(await problemsOf([{ name: 'n', type: 'integer' }], { n: 'abc' })).toEqual([
      { path: 'input.n', message: 'must be an integer, got "abc"' },
    ]);
  });

  test('a blank form value for a non-text type is "not given"', async () => {
    expect(await problemsOf([{ name: 'n', type: 'integer' }], { n: '' })).toEqual([
      { path: 'input.n', message: 'is required' },
    ]);
    expect(await value([{ name: 'n', type: 'integer', optional: true }], { n: '' })).toEqual({});
  });
});

describe('processInput: defaults', () => {
  test('apply to missing and null values, and are coerced like input', async () => {
    const fields: Field[] = [
      { name: 'pages', type: 'integer', default: '3' },
      { name: 'kind', default: 'person' },
      { name: 'tags', type: 'array', of: 'string', default: ['a'] },
    ];
    const out = await value(fields, { kind: null });
    expect(out).toEqual({ pages: 3, kind: 'person', tags: ['a'] });
  });

  test('a given value wins over the default, and defaults are copied', async () => {
    const defaults = { x: 1 };
    const fields: Field[] = [{ name: 'opts', type: 'object', default: defaults }];
    const out = await value(fields, {});
    expect(out.opts).toEqual({ x: 1 });
    expect(out.opts).not.toBe(defaults);
    expect(await value([{ name: 'k', default: 'd' }], { k: 'given' })).toEqual({ k: 'given' });
  });
});

describe('processInput: coercion by type', () => {
  test('integers: numeric strings become numbers; decimals and words are errors', async () => {
    const fields: Field[] = [
      { name: 'a', type: 'integer' },
      { name: 'b', type: 'integer' },
      { name: 'c', type: 'integer' },
      { name: 'd', type: 'integer' },
    ];
    expect(await value(fields, { a: '42', b: 7, c: ' -3 ', d: '+5' })).toEqual({ a: 42, b: 7, c: -3, d: 5 });
    expect(await problemsOf(fields, { a: '4.2', b: 'abc', c: 1.5, d: true })).toEqual([
      { path: 'input.a', message: 'must be an integer, got "4.2"' },
      { path: 'input.b', message: 'must be an integer, got "abc"' },
      { path: 'input.c', message: 'must be an integer, got 1.5' },
      { path: 'input.d', message: 'must be an integer, got true' },
    ]);
  });

  test('numbers: decimal strings become numbers', async () => {
    const fields: Field[] = [{ name: 'x', type: 'number' }];
    expect(await value(fields, { x: '3.5' })).toEqual({ x: 3.5 });
    expect(await value(fields, { x: '-.5e1' })).toEqual({ x: -5 });
    expect(await problemsOf(fields, { x: '3,5' })).toEqual([
      { path: 'input.x', message: 'must be a number, got "3,5"' },
    ]);
  });

  test('booleans: true/false, yes/no, 1/0 in any case', async () => {
    const fields: Field[] = [{ name: 'b', type: 'boolean' }];
    for (const [given, expected] of [
      ['TRUE', true],
      ['Yes', true],
      ['1', true],
      [1, true],
      ['false', false],
      ['NO', false],
      ['0', false],
      [0, false],
      [false, false],
    ] as const) {
      expect(await value(fields, { b: given })).toEqual({ b: expected });
    }
    expect(await problemsOf(fields, { b: 'on' })).toEqual([
      { path: 'input.b', message: 'must be a boolean (true/false, yes/no, 1/0), got "on"' },
    ]);
    expect(await problemsOf(fields, { b: 2 })).toHaveLength(1);
  });

  test('dates: YYYY-MM-DD, and date-times truncated to their date', async () => {
    const fields: Field[] = [{ name: 'd', type: 'date' }];
    expect(await value(fields, { d: '2024-02-29' })).toEqual({ d: '2024-02-29' });
    expect(await value(fields, { d: '2024-03-05T23:59:00-08:00' })).toEqual({ d: '2024-03-05' });
    expect(await problemsOf(fields, { d: '2023-02-29' })).toEqual([
      { path: 'input.d', message: 'must be a date (YYYY-MM-DD), got "2023-02-29"' },
    ]);
    expect(await problemsOf(fields, { d: '05/03/2024' })).toHaveLength(1);
  });

  test('date-times: ISO 8601 normalized to UTC; unparseable ones rejected', async () => {
    const fields: Field[] = [{ name: 't', type: 'date_time' }];
    expect(await value(fields, { t: '2024-03-05T10:00:00+02:00' })).toEqual({ t: '2024-03-05T08:00:00.000Z' });
    expect(await value(fields, { t: '2024-03-05T10:00Z' })).toEqual({ t: '2024-03-05T10:00:00.000Z' });
    expect(await value(fields, { t: '2024-03-05 10:00:00.250' })).toEqual({ t: '2024-03-05T10:00:00.250Z' });
    for (const bad of ['tomorrow', '2024-13-01T00:00:00Z', '2024-03-05T25:00:00Z', 1700000000]) {
      expect(await problemsOf(fields, { t: bad })).toEqual([
        { path: 'input.t', message: expect.stringMatching(/^must be an ISO 8601 date-time, got /) },
      ]);
    }
  });

  test('timestamps: epoch seconds or ISO strings, delivered as epoch seconds', async () => {
    const fields: Field[] = [{ name: 'ts', type: 'timestamp' }];
    expect(await value(fields, { ts: 1_700_000_000 })).toEqual({ ts: 1_700_000_000 });
    expect(await value(fields, { ts: '1700000000' })).toEqual({ ts: 1_700_000_000 });
    expect(await value(fields, { ts: '2023-11-14T22:13:20Z' })).toEqual({ ts: 1_700_000_000 });
    expect(await problemsOf(fields, { ts: 'later' })).toHaveLength(1);
  });

  test('strings: numbers and booleans become strings; objects are errors', async () => {
    const fields: Field[] = [{ name: 's' }, { name: 't', type: 'string' }, { name: 'u', optional: true }];
    expect(await value(fields, { s: 12, t: true, u: '' })).toEqual({ s: '12', t: 'true', u: '' });
    expect(await problemsOf(fields, { s: { a: 1 }, t: [1], u: 'ok' })).toEqual([
      { path: 'input.s', message: 'must be a string, got an object' },
      { path: 'input.t', message: 'must be a string, got an array' },
    ]);
  });

  test('objects must be plain objects and recurse with nested paths', async () => {
    const fields: Field[] = [
      { name: 'address', type: 'object', properties: [{ name: 'city' }, { name: 'zip', type: 'integer' }] },
    ];
    expect(await problemsOf(fields, { address: 'Oslo' })).toEqual([
      { path: 'input.address', message: 'must be an object, got "Oslo"' },
    ]);
    expect(await problemsOf(fields, { address: { zip: 'x' } })).toEqual([
      { path: 'input.address.city', message: 'is required' },
      { path: 'input.address.zip', message: 'must be an integer, got "x"' },
    ]);
  });

  test('arrays of scalars and of objects recurse with indexed paths', async () => {
    const fields: Field[] = [
      { name: 'ids', type: 'array', of: 'integer' },
      { name: 'lines', type: 'array', properties: [{ name: 'sku' }, { name: 'qty', type: 'integer' }] },
    ];
    expect(await value(fields, { ids: ['1', 2], lines: [{ sku: 'a', qty: '2' }] })).toEqual({
      ids: [1, 2],
      lines: [{ sku: 'a', qty: 2 }],
    });
    expect(await problemsOf(fields, { ids: [1, 'x'], lines: [{ sku: 'a', qty: 1 }, 'oops', { qty: 'many' }] })).toEqual(
      [
        { path: 'input.ids[1]', message: 'must be an integer, got "x"' },
        { path: 'input.lines[1]', message: 'must be an object, got "oops"' },
        { path: 'input.lines[2].sku', message: 'is required' },
        { path: 'input.lines[2].qty', message: 'must be an integer, got "many"' },
      ],
    );
    expect(await problemsOf(fields, { ids: '1,2', lines: [] })).toEqual([
      { path: 'input.ids', message: 'must be an array, got "1,2"' },
    ]);
  });

  test('an array without `of` holds strings', async () => {
    expect(await value([{ name: 'tags', type: 'array' }], { tags: ['a', 1] })).toEqual({ tags: ['a', '1'] });
  });

  test('a field with properties and no type is an object', async () => {
    expect(await problemsOf([{ name: 'o', properties: [{ name: 'a' }] }], { o: 5 })).toEqual([
      { path: 'input.o', message: 'must be an object, got 5' },
    ]);
  });
});

describe('processInput: multiselect', () => {
  test('with a delimiter, a string is split (items trimmed) and an array stays', async () => {
    const fields: Field[] = [{ name: 'tags', controlType: 'multiselect', delimiter: ',' }];
    expect(await value(fields, { tags: 'a, b,,c' })).toEqual({ tags: ['a', 'b', 'c'] });
    expect(await value(fields, { tags: ['x', 'y'] })).toEqual({ tags: ['x', 'y'] });
  });

  test('items are coerced by the field type', async () => {
    const fields: Field[] = [{ name: 'ids', type: 'integer', controlType: 'multiselect', delimiter: ';' }];
    expect(await value(fields, { ids: '1;2' })).toEqual({ ids: [1, 2] });
    expect(await problemsOf(fields, { ids: '1;x' })).toEqual([
      { path: 'input.ids[1]', message: 'must be an integer, got "x"' },
    ]);
  });

  test('a lone value becomes a list of one; an object is an error', async () => {
    const fields: Field[] = [{ name: 'tags', controlType: 'multiselect' }];
    expect(await value(fields, { tags: 'solo' })).toEqual({ tags: ['solo'] });
    expect(await problemsOf(fields, { tags: { a: 1 } })).toEqual([
      { path: 'input.tags', message: 'must be an array, got an object' },
    ]);
  });
});

describe('processInput: ngIf', () => {
  const fields: Field[] = [
    { name: 'kind', default: 'person' },
    { name: 'first_name', ngIf: 'input.kind == "person"' },
    { name: 'company', ngIf: 'input.kind == "company"' },
    { name: 'region_code', optional: true, ngIf: 'connection.region == "eu" && config.object == "contact"' },
  ];

  test('a hidden field is not required and its value is dropped', async () => {
    const result = await processInput(fields, { kind: 'person', first_name: 'Ada', company: 'ACME' });
    expect(result.value).toEqual({ kind: 'person', first_name: 'Ada' });
    expect(result.dropped).toEqual(['input.company']);
  });

  test('a shown field is required; expressions see defaults', async () => {
    expect(await problemsOf(fields, {})).toEqual([{ path: 'input.first_name', message: 'is required' }]);
    expect(await problemsOf(fields, { kind: 'company' })).toEqual([{ path: 'input.company', message: 'is required' }]);
  });

  test('expressions see config field values and the connection', async () => {
    const scope = { configFields: { object: 'contact' }, connection: { region: 'eu' } };
    const shown = await processInput(fields, { first_name: 'A', region_code: 'X1' }, { scope });
    expect(shown.value.region_code).toBe('X1');
    const hidden = await processInput(
      fields,
      { first_name: 'A', region_code: 'X1' },
      { scope: { ...scope, connection: {} } },
    );
    expect(hidden.value.region_code).toBeUndefined();
    expect(hidden.dropped).toEqual(['input.region_code']);
  });

  test('a malformed expression is a definition error', async () => {
    await expect(processInput([{ name: 'a', ngIf: 'input.kind ==' }], {})).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
    });
  });
});

describe('processInput: convertInput', () => {
  test('named conversions run before type checks', async () => {
    const fields: Field[] = [
      { name: 'n', type: 'integer', convertInput: 'integer_conversion' },
      { name: 'ok', type: 'boolean', convertInput: 'boolean_conversion' },
    ];
    expect(await value(fields, { n: '4.9', ok: 'YES' })).toEqual({ n: 4, ok: true });
  });

  test('a failing named conversion is a problem at the field path', async () => {
    expect(await problemsOf([{ name: 'n', convertInput: 'integer_conversion' }], { n: 'abc' })).toEqual([
      { path: 'input.n', message: 'cannot convert to an integer, got "abc"' },
    ]);
  });

  test('other names run a method through runMethod', async () => {
    const calls: unknown[] = [];
    const runMethod = async (name: string, v: unknown) => {
      calls.push([name, v]);
      return String(v).toUpperCase();
    };
    const out = await value([{ name: 'code', convertInput: 'upcase' }], { code: 'abc' }, { runMethod });
    expect(out).toEqual({ code: 'ABC' });
    expect(calls).toEqual([['upcase', 'abc']]);
  });

  test('an unknown method is a problem; other method failures propagate', async () => {
    const runMethod = async (name: string) => {
      if (name === 'missing') throw new WeftError('UNKNOWN_METHOD', 'Unknown method "missing"');
      throw new Error('method blew up');
    };
    expect(await problemsOf([{ name: 'a', convertInput: 'missing' }], { a: 'x' }, { runMethod })).toEqual([
      {
        path: 'input.a',
        message: 'convertInput "missing" is neither a named conversion nor a method of the connector',
      },
    ]);
    await expect(processInput([{ name: 'a', convertInput: 'boom' }], { a: 'x' }, { runMethod })).rejects.toThrow(
      'method blew up',
    );
    expect(await problemsOf([{ name: 'a', convertInput: 'anything' }], { a: 'x' })).toHaveLength(1);
  });

  test('conversions do not run on absent values', async () => {
    let ran = false;
    const runMethod = async () => {
      ran = true;
      return 'x';
    };
    await processInput([{ name: 'a', optional: true, convertInput: 'm' }], {}, { runMethod });
    expect(ran).toBe(false);
  });
});

describe('processInput: toggle fields', () => {
  const owner: Field = {
    name: 'owner_id',
    type: 'integer',
    controlType: 'select',
    pickList: 'owners',
    toggleHint: 'Use an ID',
    toggleField: { name: 'owner_id', type: 'string', controlType: 'text' },
  };

  test('the key accepts a value for either the main field or its toggle', async () => {
    expect(await value([owner], { owner_id: '12' })).toEqual({ owner_id: 12 });
    expect(await value([owner], { owner_id: 'usr_9' })).toEqual({ owner_id: 'usr_9' });
  });

  test('a value that fits neither reports the main field problem', async () => {
    const strict: Field = { name: 'n', type: 'integer', toggleField: { name: 'n', type: 'boolean' } };
    expect(await problemsOf([strict], { n: 'abc' })).toEqual([
      { path: 'input.n', message: 'must be an integer, got "abc"' },
    ]);
    expect(await value([strict], { n: 'yes' })).toEqual({ n: true });
  });

  test('a toggle under another name is accepted as its own key and satisfies requiredness', async () => {
    const field: Field = { name: 'list_id', pickList: 'lists', toggleField: { name: 'list_ref', type: 'integer' } };
    const result = await processInput([field], { list_ref: '7' });
    expect(result).toEqual({ value: { list_ref: 7 }, dropped: [] });
    expect(await problemsOf([field], {})).toEqual([{ path: 'input.list_id', message: 'is required' }]);
    expect(await problemsOf([field], { list_ref: 'x' })).toEqual([
      { path: 'input.list_ref', message: 'must be an integer, got "x"' },
    ]);
  });
});
