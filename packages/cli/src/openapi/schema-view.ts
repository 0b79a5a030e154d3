/**
 * One JSON Schema seen as a field would see it: a single type, the merged properties of
 * `allOf`, `oneOf`/`anyOf` reduced to one shape (object variants merged, their properties
 * optional; variants of different kinds: outputs take the object, inputs the first variant, so
 * that a form asks for the simplest value the API accepts), `nullable` and `type: [x, 'null']`
 * dropped. Circular schemas are cut by `seen`.
 */
import type { Schema } from './model.js';

export type ViewType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean' | 'any';

export interface SchemaView {
  type: ViewType;
  format?: string;
  description?: string;
  enum?: unknown[];
  properties: [string, Schema][];
  required: Set<string>;
  items?: Schema;
  /** The schema itself when the view is exactly one named schema (written as an object definition). */
  named?: Schema;
}

const isObj = (v: unknown): v is Schema => v !== null && typeof v === 'object' && !Array.isArray(v);
const TYPES: readonly ViewType[] = ['object', 'array', 'string', 'integer', 'number', 'boolean'];

function ownType(schema: Schema): ViewType | undefined {
  const raw = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (typeof raw === 'string' && (TYPES as readonly string[]).includes(raw)) return raw as ViewType;
  if (raw === 'file') return 'string';
  if (isObj(schema.properties) || isObj(schema.additionalProperties)) return 'object';
  if (isObj(schema.items)) return 'array';
  return undefined;
}

const isNull = (s: unknown) =>
  isObj(s) && (s.type === 'null' || (Array.isArray(s.enum) && s.enum.every((v) => v === null)));

function empty(type: ViewType): SchemaView {
  return { type, properties: [], required: new Set() };
}

/** Merges `b` into `a` (properties of both; `required` only when `keepRequired`). */
function merge(a: SchemaView, b: SchemaView, keepRequired: boolean): SchemaView {
  const names = new Set(a.properties.map(([n]) => n));
  const properties = [...a.properties, ...b.properties.filter(([n]) => !names.has(n))];
  const required = keepRequired ? new Set([...a.required, ...b.required]) : a.required;
  const type = a.type === 'any' ? b.type : a.type;
  return {
    type: properties.length ? 'object' : type,
    format: a.format ?? b.format,
    description: a.description ?? b.description,
    enum: a.enum ?? b.enum,
    properties,
    required,
    items: a.items ?? b.items,
  };
}

/** How variants of different kinds resolve: `object` (outputs) or `first` (inputs). */
export type Mixed = 'object' | 'first';

export function viewOf(
  schema: unknown,
  names: ReadonlyMap<object, string>,
  mixed: Mixed = 'object',
  seen: Set<object> = new Set(),
): SchemaView {
  if (!isObj(schema) || seen.has(schema)) return empty('any');
  seen.add(schema);
  try {
    let view: SchemaView = {
      type: ownType(schema) ?? 'any',
      format: typeof schema.format === 'string' ? schema.format : undefined,
      description: typeof schema.description === 'string' ? schema.description : undefined,
      enum: Array.isArray(schema.enum) ? schema.enum.filter((v) => v !== null) : undefined,
      properties: Object.entries(isObj(schema.properties) ? schema.properties : {}).filter(
        (entry): entry is [string, Schema] => entry[0] !== '' && isObj(entry[1]),
      ),
      required: new Set(Array.isArray(schema.required) ? schema.required.map(String) : []),
      items: isObj(schema.items) ? schema.items : undefined,
    };
    if (Array.isArray(schema.allOf)) {
      for (const part of schema.allOf) view = merge(view, viewOf(part, names, mixed, seen), true);
    }
    for (const key of ['oneOf', 'anyOf'] as const) {
      const variants = Array.isArray(schema[key]) ? schema[key].filter((v) => isObj(v) && !isNull(v)) : [];
      if (variants.length === 1 && view.type === 'any' && !view.properties.length) {
        // `anyOf: [X, null]`: the schema is X (a named one stays named).
        const only = viewOf(variants[0], names, mixed, seen);
        view = { ...only, description: view.description ?? only.description };
        continue;
      }
      const views = variants.map((v) => viewOf(v, names, mixed, seen));
      const objects = views.filter((v) => v.type === 'object');
      const sameKind = objects.length === views.length;
      if (objects.length && (sameKind || mixed === 'object')) for (const v of objects) view = merge(view, v, false);
      else if (views.length && view.type === 'any') view = merge(view, views[0], false);
    }
    if (names.has(schema) && view.type === 'object' && view.properties.length) view.named = schema;
    return view;
  } finally {
    seen.delete(schema);
  }
}
