import { describe, expect, test } from 'vitest';
import type { Field } from '../types.js';
import { processInput } from './input.js';
import { fieldsToJsonSchema } from './json-schema.js';
import { validateAgainstFields, validateAgainstSchema } from './validate-json.js';

type S = Record<string, any>;
const props = (fields: Field[], mode?: 'input' | 'output') => fieldsToJsonSchema(fields, { mode }).properties as S;

describe('fieldsToJsonSchema', () => {
  test('is an object schema; non-optional fields are required and extra keys refused in input mode', () => {
    const schema = fieldsToJsonSchema([{ name: 'a' }, { name: 'b', optional: true }]);
    expect(schema).toMatchObject({ type: 'object', required: ['a'], additionalProperties: false });
    expect(Object.keys(schema.properties as S)).toEqual(['a', 'b']);
  });

  test('output mode requires nothing, allows extra keys and null values', () => {
    const schema = fieldsToJsonSchema([{ name: 'a', type: 'integer' }], { mode: 'output' });
    expect(schema.required).toBeUndefined();
    expect(schema.additionalProperties).toBeUndefined();
    expect((schema.properties as S).a.type).toEqual(['integer', 'null']);
  });

  test('maps every scalar type', () => {
    const p = props([
      { name: 's' },
      { name: 'i', type: 'integer' },
      { name: 'n', type: 'number' },
      { name: 'b', type: 'boolean' },
      { name: 'd', type: 'date' },
      { name: 'dt', type: 'date_time' },
      { name: 'ts', type: 'timestamp' },
    ]);
    expect(p.s.type).toBe('string');
    expect(p.i.type).toBe('integer');
    expect(p.n.type).toBe('number');
    expect(p.b.type).toBe('boolean');
    expect(p.d).toMatchObject({ type: 'string', format: 'date' });
    expect(p.dt).toMatchObject({ type: 'string', format: 'date-time' });
    expect(p.ts).toMatchObject({ type: ['number', 'string'], format: 'date-time' });
  });

  test('nests objects and arrays of objects; arrays of scalars use `of`', () => {
    const p = props([
      { name: 'address', type: 'object', properties: [{ name: 'city' }, { name: 'zip', optional: true }] },
      { name: 'lines', type: 'array', properties: [{ name: 'qty', type: 'integer' }] },
      { name: 'ids', type: 'array', of: 'integer' },
      { name: 'tags', type: 'array' },
    ]);
    expect(p.address).toMatchObject({ type: 'object', required: ['city'], properties: { city: { type: 'string' } } });
    expect(p.lines).toMatchObject({ type: 'array', items: { type: 'object', required: ['qty'] } });
    expect(p.ids).toMatchObject({ type: 'array', items: { type: 'integer' } });
    expect(p.tags.items).toEqual({ type: 'string' });
  });

  test('carries label, hint, default and editor hints', () => {
    const p = props([
      {
        name: 'first_name',
        hint: 'Given name',
        default: 'Ada',
        controlType: 'text',
        sticky: true,
        extendsSchema: true,
        ngIf: 'input.kind == "person"',
      },
      { name: 'x', label: 'Custom label', pickList: 'colors', pickListParams: { a: 'b' } },
    ]);
    expect(p.first_name).toMatchObject({
      title: 'First name',
      description: 'Given name',
      default: 'Ada',
      'x-controlType': 'text',
      'x-sticky': true,
      'x-extendsSchema': true,
      'x-ngIf': 'input.kind == "person"',
    });
    expect(p.x).toMatchObject({ title: 'Custom label', 'x-pickList': 'colors', 'x-pickListParams': { a: 'b' } });
  });

  test('a field with ngIf is not in `required` (it depends on the expression)', () => {
    const schema = fieldsToJsonSchema([{ name: 'a', ngIf: 'input.b' }, { name: 'b' }]);
    expect(schema.required).toEqual(['b']);
  });

  test('inline lists become enum for select, items enum for multiselect, none with a delimiter', () => {
    const pairs = [
      ['Red', 'red'],
      ['Blue', 'blue'],
    ] as const;
    const p = props([
      { name: 'one', controlType: 'select', pickList: pairs },
      { name: 'opt', controlType: 'select', options: pairs },
      { name: 'many', controlType: 'multiselect', pickList: pairs },
      { name: 'joined', controlType: 'multiselect', pickList: pairs, delimiter: ',' },
      { name: 'named', controlType: 'select', pickList: 'colors' },
      { name: 'plain', pickList: pairs },
    ]);
    expect(p.one.enum).toEqual(['red', 'blue']);
    expect(p.opt.enum).toEqual(['red', 'blue']);
    expect(p.many).toMatchObject({ type: 'array', items: { type: 'string', enum: ['red', 'blue'] } });
    expect(p.joined.anyOf).toEqual([{ type: 'string' }, { type: 'array', items: { type: 'string' } }]);
    expect(p.named.enum).toBeUndefined();
    expect(p.plain.enum).toBeUndefined();
  });

  test('a toggle field under the same key becomes anyOf', () => {
    const p = props([
      { name: 'owner', type: 'integer', controlType: 'select', toggleField: { name: 'owner', type: 'string' } },
    ]);
    expect(p.owner.anyOf).toHaveLength(2);
    expect(p.owner.anyOf[0]).toMatchObject({ type: 'integer' });
    expect(p.owner.anyOf[1]).toMatchObject({ type: 'string' });
  });

  test('a toggle under another name is its own property; one of the two keys is required', () => {
    const schema = fieldsToJsonSchema([{ name: 'list_id', toggleField: { name: 'list_ref', type: 'integer' } }]);
    expect((schema.properties as S).list_ref).toMatchObject({ type: 'integer' });
    expect(schema.required).toBeUndefined();
    expect(schema.allOf).toEqual([{ anyOf: [{ required: ['list_id'] }, { required: ['list_ref'] }] }]);
  });

  test('merges the field’s own schema keywords last', () => {
    const p = props([{ name: 'email', schema: { format: 'email', maxLength: 100 } }]);
    expect(p.email).toMatchObject({ type: 'string', format: 'email', maxLength: 100 });
  });
});

describe('the generated schema with ajv', () => {
  const fields: Field[] = [
    { name: 'name' },
    { name: 'age', type: 'integer', optional: true },
    { name: 'born', type: 'date', optional: true },
    { name: 'seen', type: 'timestamp', optional: true },
    { name: 'lines', type: 'array', optional: true, properties: [{ name: 'sku' }, { name: 'qty', type: 'number' }] },
    { name: 'tags', controlType: 'multiselect', delimiter: ',', optional: true },
    {
      name: 'kind',
      controlType: 'select',
      pickList: [['A', 'a']],
      optional: true,
      toggleField: { name: 'kind', type: 'string' },
    },
  ];

  test('accepts what processInput produces', async () => {
    const { value } = await processInput(fields, {
      name: 'Ada',
      age: '36',
      born: '1815-12-10',
      seen: '2024-01-01T00:00:00Z',
      lines: [{ sku: 'x', qty: '1.5' }],
      tags: 'a,b',
      kind: 'custom',
    });
    expect(await validateAgainstFields(fields, value)).toEqual([]);
  });

  test('reports problems with field paths', async () => {
    const problems = await validateAgainstFields(fields, {
      age: 'old',
      born: '1815-13-10',
      lines: [{ qty: 1 }],
      extra: 1,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'input.name', message: 'is required' },
        { path: 'input.age', message: 'must be integer, got "old"' },
        { path: 'input.born', message: expect.stringMatching(/must match format "date"/) },
        { path: 'input.lines[0].sku', message: 'is required' },
        { path: 'input.extra', message: 'is not a declared field' },
      ]),
    );
    expect(problems).toHaveLength(5);
  });

  test('output mode allows nulls and extra keys but still checks types', async () => {
    expect(await validateAgainstFields(fields, { age: null, whatever: 1 }, { mode: 'output' })).toEqual([]);
    expect(await validateAgainstFields(fields, { age: '3' }, { mode: 'output' })).toEqual([
      { path: 'output.age', message: 'must be integer or null, got "3"' },
    ]);
  });

  test('validateAgainstSchema works on any schema and caches the compiled validator', async () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } } };
    expect(await validateAgainstSchema(schema, { n: 1 })).toEqual([]);
    expect(await validateAgainstSchema(schema, { n: 'x' }, 'body')).toEqual([
      { path: 'body.n', message: 'must be number, got "x"' },
    ]);
  });
});
