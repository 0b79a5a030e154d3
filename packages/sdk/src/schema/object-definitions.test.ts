import { describe, expect, test } from 'vitest';
import type { Field, FieldsContext, ObjectDefinition, ObjectDefinitionsAccessor } from '../types.js';
import { createObjectDefinitions, resolveFields } from './object-definitions.js';

type Defs = Record<string, ObjectDefinition>;
const makeCtx = (accessor: ObjectDefinitionsAccessor) =>
  ({ objectDefinitions: accessor, configFields: {} }) as unknown as FieldsContext;
const fieldsFn = (fn: (ctx: FieldsContext) => unknown) => ({ fields: fn as ObjectDefinition['fields'] });

describe('createObjectDefinitions', () => {
  test('resolves a definition lazily and memoizes it per accessor', async () => {
    let calls = 0;
    const defs: Defs = {
      contact: fieldsFn(() => {
        calls++;
        return [{ name: 'email' }];
      }),
    };
    const accessor = createObjectDefinitions(defs, makeCtx);
    expect(calls).toBe(0);
    expect(await accessor.contact).toEqual([{ name: 'email' }]);
    expect(await accessor.contact).toEqual([{ name: 'email' }]);
    expect(calls).toBe(1);
    await createObjectDefinitions(defs, makeCtx).contact;
    expect(calls).toBe(2);
  });

  test('definitions may await other definitions and may be async', async () => {
    const defs: Defs = {
      address: fieldsFn(async () => [{ name: 'city' }]),
      contact: fieldsFn(async (ctx) => [
        { name: 'email' },
        { name: 'address', type: 'object', properties: await ctx.objectDefinitions.address },
      ]),
    };
    const fields = await createObjectDefinitions(defs, makeCtx).contact;
    expect(fields[1].properties).toEqual([{ name: 'city' }]);
  });

  test('a cycle rejects with the chain', async () => {
    const defs: Defs = {
      a: fieldsFn(async (ctx) => [...(await ctx.objectDefinitions.b)]),
      b: fieldsFn(async (ctx) => [...(await ctx.objectDefinitions.a)]),
      self: fieldsFn(async (ctx) => [...(await ctx.objectDefinitions.self)]),
    };
    await expect(createObjectDefinitions(defs, makeCtx).a).rejects.toMatchObject({
      code: 'OBJECT_DEFINITION_CYCLE',
      message: 'Object definitions form a cycle: a → b → a',
    });
    await expect(createObjectDefinitions(defs, makeCtx).self).rejects.toThrow('cycle: self → self');
  });

  test('the same definition used twice without a cycle is fine', async () => {
    const defs: Defs = {
      money: fieldsFn(() => [{ name: 'amount', type: 'number' }]),
      order: fieldsFn(async (ctx) => [
        { name: 'total', properties: await ctx.objectDefinitions.money },
        { name: 'tax', properties: await ctx.objectDefinitions.money },
      ]),
    };
    expect(await createObjectDefinitions(defs, makeCtx).order).toHaveLength(2);
  });

  test('an unknown name rejects listing the known ones', async () => {
    const accessor = createObjectDefinitions({ contact: fieldsFn(() => []), deal: fieldsFn(() => []) }, makeCtx);
    await expect(accessor.nope).rejects.toMatchObject({
      code: 'UNKNOWN_OBJECT_DEFINITION',
      message: 'Unknown object definition "nope" (known: contact, deal)',
    });
    await expect(createObjectDefinitions(undefined, makeCtx).x).rejects.toThrow(/defines none/);
  });

  test('the accessor is not a thenable and ignores symbols', async () => {
    const accessor = createObjectDefinitions({ contact: fieldsFn(() => []) }, makeCtx);
    expect((accessor as any).then).toBeUndefined();
    expect((accessor as any)[Symbol.toPrimitive]).toBeUndefined();
    expect(await Promise.resolve(accessor)).toBe(accessor);
    expect(Object.keys(accessor)).toEqual(['contact']);
    expect('contact' in accessor).toBe(true);
    expect('nope' in accessor).toBe(false);
  });

  test('is read-only', () => {
    const accessor = createObjectDefinitions({}, makeCtx) as any;
    expect(() => {
      accessor.x = Promise.resolve([]);
    }).toThrow(TypeError);
  });

  test('a definition returning something other than a field list is a clear error', async () => {
    const defs: Defs = {
      obj: fieldsFn(() => ({ name: 'x' })),
      nameless: fieldsFn(() => [{ type: 'string' }]),
      literal: { fields: [{ name: 'x' }] } as unknown as ObjectDefinition,
    };
    const accessor = createObjectDefinitions(defs, makeCtx);
    await expect(accessor.obj).rejects.toThrow(
      'objectDefinitions.obj.fields must return an array of fields, got an object',
    );
    await expect(accessor.nameless).rejects.toThrow(/item \[0\] is not a field with a name/);
    await expect(accessor.literal).rejects.toMatchObject({ code: 'DEFINITION_INVALID' });
  });
});

describe('resolveFields', () => {
  test('copies a literal list, calls a lambda with ctx, and treats undefined as none', async () => {
    const list: Field[] = [{ name: 'a' }];
    const copy = await resolveFields(list, {});
    expect(copy).toEqual(list);
    expect(copy).not.toBe(list);
    expect(await resolveFields((ctx: { n: number }) => [{ name: `f${ctx.n}` }], { n: 2 })).toEqual([{ name: 'f2' }]);
    expect(await resolveFields(async () => [{ name: 'b' }], {})).toEqual([{ name: 'b' }]);
    expect(await resolveFields(undefined, {})).toEqual([]);
  });

  test('rejects non-arrays clearly', async () => {
    await expect(resolveFields((() => 'x') as never, {})).rejects.toThrow('fields must be an array of fields, got "x"');
    await expect(resolveFields({ name: 'a' } as never, {})).rejects.toMatchObject({ code: 'DEFINITION_INVALID' });
  });
});
