/**
 * The field model's vocabularies (SPEC §2): the field types and control types, as values and as
 * the types derived from them. One list serves the SDK's types, its validator and the console's
 * forms. Pure: no Node imports, so a browser bundle can import it (`@weft/sdk/model`).
 */

/** A field's `type`. */
export const FIELD_TYPES = [
  'string',
  'integer',
  'number',
  'boolean',
  'date',
  'date_time',
  'timestamp',
  'object',
  'array',
] as const;

export type FieldType = (typeof FIELD_TYPES)[number];

/** A field's `controlType`: the form control that collects its value. */
export const CONTROL_TYPES = [
  'text',
  'text-area',
  'plain-text',
  'password',
  'integer',
  'number',
  'url',
  'select',
  'multiselect',
  'checkbox',
  'date',
  'date_time',
  'email',
  'phone',
  'subdomain',
  'tree',
  'key_value',
  'schema-designer',
] as const;

export type ControlType = (typeof CONTROL_TYPES)[number];
