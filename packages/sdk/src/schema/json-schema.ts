/**
 * Field lists → JSON Schema (draft 2020-12 compatible keywords), for validation, the console's
 * forms and export. Editor hints travel as `x-` extension keywords.
 *
 * Decisions:
 * - `timestamp` is `type: ['number', 'string']` with `format: 'date-time'` (the format applies to
 *   strings only): epoch seconds or an ISO 8601 date-time are both accepted.
 * - A multiselect is an array of strings; with a `delimiter` it may also be one delimited string.
 * - Input mode: non-optional fields are `required`, except fields with an `ngIf` (their
 *   requiredness depends on the expression) and fields with a toggle under another name (one of
 *   the two keys is required, via `anyOf`). Undeclared keys are not allowed.
 * - Output mode: nothing is required, undeclared keys are allowed, and every value may be null.
 */
import { humanize } from '../model/fields.js';
import type { Field } from '../types.js';
import { effectiveType } from './input.js';

export type JsonSchema = Record<string, unknown>;

export interface JsonSchemaOptions {
  /** `input` (default): required fields, no extra keys. `output`: nothing required, extra keys and nulls allowed. */
  mode?: 'input' | 'output';
}

type Mode = 'input' | 'output';

const SCALARS: Record<string, JsonSchema> = {
  string: { type: 'string' },
  integer: { type: 'integer' },
  number: { type: 'number' },
  boolean: { type: 'boolean' },
  date: { type: 'string', format: 'date' },
  date_time: { type: 'string', format: 'date-time' },
  timestamp: { type: ['number', 'string'], format: 'date-time' },
  object: { type: 'object' },
};

export function fieldsToJsonSchema(fields: readonly Field[], options: JsonSchemaOptions = {}): JsonSchema {
  return objectSchema(fields, options.mode ?? 'input');
}

function objectSchema(fields: readonly Field[], mode: Mode): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const eitherOf: JsonSchema[] = [];
  for (const field of fields) {
    properties[field.name] = fieldSchema(field, mode);
    const toggle = field.toggleField;
    const alt = toggle?.name && toggle.name !== field.name ? toggle.name : undefined;
    if (alt && toggle) properties[alt] = fieldSchema({ ...toggle, name: alt }, mode);
    if (mode === 'output' || field.optional || field.ngIf) continue;
    if (alt) eitherOf.push({ anyOf: [{ required: [field.name] }, { required: [alt] }] });
    else required.push(field.name);
  }
  const schema: JsonSchema = { type: 'object', properties };
  if (mode === 'input') {
    if (required.length) schema.required = required;
    if (eitherOf.length) schema.allOf = eitherOf;
    schema.additionalProperties = false;
  }
  return schema;
}

function withNull(schema: JsonSchema): JsonSchema {
  if (Array.isArray(schema.type)) return { ...schema, type: [...schema.type, 'null'] };
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return schema;
}

function inlineValues(field: Field): unknown[] | undefined {
  const list = Array.isArray(field.pickList) ? field.pickList : field.options;
  if (!Array.isArray(list)) return undefined;
  return list.filter((option) => Array.isArray(option)).map((option) => option[1]);
}

/** The type part of a field's schema, without annotations. */
function valueSchema(field: Field, mode: Mode): JsonSchema {
  const type = effectiveType(field);
  const values = inlineValues(field);
  if (field.controlType === 'multiselect' && type !== 'object') {
    const itemType = type === 'array' ? (field.of ?? 'string') : type;
    const items: JsonSchema = { ...SCALARS[itemType] };
    if (values && !field.delimiter) items.enum = values;
    const list: JsonSchema = { type: 'array', items };
    return field.delimiter ? { anyOf: [{ type: 'string' }, list] } : list;
  }
  if (type === 'object') return field.properties ? objectSchema(field.properties, mode) : { type: 'object' };
  if (type === 'array') {
    let items: JsonSchema;
    if (field.properties) items = objectSchema(field.properties, mode);
    else items = { ...SCALARS[field.of ?? 'string'] };
    if (mode === 'output' && !field.properties) items = withNull(items);
    return { type: 'array', items };
  }
  const schema: JsonSchema = { ...SCALARS[type] };
  if (values && field.controlType === 'select') schema.enum = mode === 'output' ? [...values, null] : values;
  return schema;
}

function fieldSchema(field: Field, mode: Mode): JsonSchema {
  let schema = valueSchema(field, mode);
  if (mode === 'output') schema = withNull(schema);
  if (field.toggleField) {
    const toggle = field.toggleField;
    const alt = toggle.name && toggle.name !== field.name;
    // Under the main key, a value may satisfy either the field or its toggle.
    if (!alt) schema = { anyOf: [schema, fieldSchema({ ...toggle, name: field.name }, mode)] };
    else
      schema = { anyOf: [schema, mode === 'output' ? withNull(valueSchema(toggle, mode)) : valueSchema(toggle, mode)] };
  }
  const annotated: JsonSchema = { title: field.label ?? humanize(field.name), ...schema };
  if (field.hint !== undefined) annotated.description = field.hint;
  if (field.default !== undefined) annotated.default = field.default;
  if (field.controlType !== undefined) annotated['x-controlType'] = field.controlType;
  if (field.pickList !== undefined) annotated['x-pickList'] = field.pickList;
  if (field.pickListParams !== undefined) annotated['x-pickListParams'] = field.pickListParams;
  if (field.options !== undefined) annotated['x-options'] = field.options;
  if (field.delimiter !== undefined) annotated['x-delimiter'] = field.delimiter;
  if (field.ngIf !== undefined) annotated['x-ngIf'] = field.ngIf;
  if (field.sticky !== undefined) annotated['x-sticky'] = field.sticky;
  if (field.extendsSchema !== undefined) annotated['x-extendsSchema'] = field.extendsSchema;
  if (field.toggleHint !== undefined) annotated['x-toggleHint'] = field.toggleHint;
  if (field.toggleField?.name && field.toggleField.name !== field.name)
    annotated['x-toggleField'] = field.toggleField.name;
  if (field.optional !== undefined && mode === 'input') annotated['x-optional'] = field.optional;
  if (field.schema) Object.assign(annotated, field.schema);
  return annotated;
}
