/**
 * `ctx.objectDefinitions`: a read-only object whose property `name` is a promise of that
 * definition's field list. Each definition is computed on first access and memoized per
 * accessor; definitions may await other definitions, and a cycle is reported with its chain.
 */
import { WeftError } from '../errors.js';
import type { Field, Fields, FieldsContext, ObjectDefinition, ObjectDefinitionsAccessor } from '../types.js';
import { describe, isPlainObject } from './values.js';

/** Names that must not resolve: awaiting or serializing the accessor itself must not trigger lookups. */
const NOT_DEFINITIONS = new Set(['then', 'toJSON', 'catch', 'finally']);

export function createObjectDefinitions(
  defs: Record<string, ObjectDefinition> | undefined,
  makeCtx: (accessor: ObjectDefinitionsAccessor) => FieldsContext,
): ObjectDefinitionsAccessor {
  const definitions = defs ?? {};
  const memo = new Map<string, Promise<Field[]>>();
  const names = () => Object.keys(definitions);

  const resolve = (name: string, chain: readonly string[]): Promise<Field[]> => {
    if (chain.includes(name)) {
      const cycle = [...chain.slice(chain.indexOf(name)), name].join(' → ');
      return Promise.reject(
        new WeftError('OBJECT_DEFINITION_CYCLE', `Object definitions form a cycle: ${cycle}`, { details: { cycle } }),
      );
    }
    const hit = memo.get(name);
    if (hit) return hit;
    const promise = compute(name, [...chain, name]);
    memo.set(name, promise);
    return promise;
  };

  const compute = async (name: string, chain: readonly string[]): Promise<Field[]> => {
    const definition = definitions[name];
    const where = `objectDefinitions.${name}.fields`;
    if (!definition || typeof definition.fields !== 'function') {
      throw new WeftError('DEFINITION_INVALID', `${where} must be a function returning a list of fields`);
    }
    const result = await definition.fields(makeCtx(accessorFor(chain)));
    return checkFieldList(result, `${where} must return an array of fields`);
  };

  const accessorFor = (chain: readonly string[]): ObjectDefinitionsAccessor =>
    new Proxy(Object.create(null) as Record<string, Promise<Field[]>>, {
      get(_target, prop) {
        if (typeof prop === 'symbol') return undefined;
        if (Object.hasOwn(definitions, prop) && prop !== 'then') return resolve(prop, chain);
        if (NOT_DEFINITIONS.has(prop)) return undefined;
        const known = names();
        const list = known.length ? `known: ${known.join(', ')}` : 'the connector defines none';
        return Promise.reject(
          new WeftError('UNKNOWN_OBJECT_DEFINITION', `Unknown object definition "${prop}" (${list})`, {
            details: { name: prop, known },
          }),
        );
      },
      has: (_target, prop) => typeof prop === 'string' && Object.hasOwn(definitions, prop),
      ownKeys: () => names(),
      getOwnPropertyDescriptor: (_target, prop) =>
        typeof prop === 'string' && Object.hasOwn(definitions, prop)
          ? { configurable: true, enumerable: true, get: () => resolve(prop, chain) }
          : undefined,
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    });

  return accessorFor([]);
}

function checkFieldList(value: unknown, what: string): Field[] {
  if (!Array.isArray(value)) throw new WeftError('DEFINITION_INVALID', `${what}, got ${describe(value)}`);
  for (const [i, field] of value.entries()) {
    if (!isPlainObject(field) || typeof field.name !== 'string' || field.name === '') {
      throw new WeftError(
        'DEFINITION_INVALID',
        `${what}; item [${i}] is not a field with a name, got ${describe(field)}`,
      );
    }
  }
  return [...value] as Field[];
}

/** A field list from a literal list (copied) or a lambda (called with `ctx`); none means `[]`. */
export async function resolveFields<C>(fields: Fields<C> | undefined, ctx: C): Promise<Field[]> {
  if (fields === undefined || fields === null) return [];
  if (typeof fields === 'function') return checkFieldList(await fields(ctx), 'fields must be an array of fields');
  return checkFieldList(fields, 'fields must be an array of fields or a function returning one');
}
