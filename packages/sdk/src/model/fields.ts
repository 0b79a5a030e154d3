/**
 * The field model (SPEC §2): the field types and control types, as values and as the types
 * derived from them, and a field as plain data (what a connector writes and what the API
 * returns). One source serves the SDK's types, its validator and the console's forms. Pure: no
 * Node imports, so a browser bundle can import it (`@weft/sdk/model`).
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

/** Named conversions for `convertInput` / `convertOutput`. Any other string names a method. */
export type NamedConversion =
  | 'integer_conversion'
  | 'float_conversion'
  | 'boolean_conversion'
  | 'date_conversion'
  | 'date_time_conversion'
  | 'render_iso8601_timestamp'
  | 'parse_iso8601_timestamp'
  | 'string_conversion';

export type PickListOption = readonly [label: string, value: unknown];
export type TreeOption = readonly [label: string, value: unknown, childPath?: string | null, hasChildren?: boolean];

/**
 * A schema field (SPEC §2): plain data, the same in a connector's source and in the API's
 * answers (`@weft/sdk` infers `ctx.input` from literal lists of these, types/fields.ts).
 */
export interface Field {
  name: string;
  label?: string;
  hint?: string;
  type?: FieldType;
  /** Element type of an array (`type: 'array'`). Defaults to `object` when `properties` is set, else `string`. */
  of?: Exclude<FieldType, 'array'>;
  /** Fields of an object, or of each element of an array of objects. */
  properties?: readonly Field[];
  optional?: boolean;
  controlType?: ControlType;
  /** Name of a pick list of the connector, or an inline list of `[label, value]` pairs. */
  pickList?: string | readonly PickListOption[];
  /** For dependent pick lists: pick-list argument name → name of the sibling field whose value it takes. */
  pickListParams?: Readonly<Record<string, string>>;
  /** Static options, e.g. for connection fields. */
  options?: readonly PickListOption[];
  /** Separator of a multiselect value sent as one string. */
  delimiter?: string;
  toggleHint?: string;
  /** The alternative input for the same key (e.g. type an ID instead of picking). */
  toggleField?: Field;
  default?: unknown;
  sticky?: boolean;
  /** Changing this field's value changes the schema (the console re-resolves fields). */
  extendsSchema?: boolean;
  /** Shown (and accepted) only when this expression holds, e.g. `input.kind == "person"`. */
  ngIf?: string;
  convertInput?: NamedConversion | (string & {});
  convertOutput?: NamedConversion | (string & {});
  listMode?: 'static' | 'dynamic';
  itemLabel?: string;
  custom?: boolean;
  supportPills?: boolean;
  /** Extra JSON Schema keywords merged into the generated schema (e.g. `format`, `pattern`). */
  schema?: Readonly<Record<string, unknown>>;
}

/** `first_name` → `First name`: a field's label when it has none (JSON Schema titles, forms). */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : name;
}
