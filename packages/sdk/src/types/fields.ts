/** Schema fields (SPEC §2) and the inference of `ctx.input` from a literal field list. */
import type { ControlType, FieldType } from '../model/fields.js';

// ---------------------------------------------------------------------------------------------
// Schema fields (SPEC §2)

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

// ---------------------------------------------------------------------------------------------
// Type inference of `ctx.input` from literal input fields

type ScalarOf<T extends FieldType | undefined> = T extends 'integer' | 'number' | 'timestamp'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'object'
      ? Record<string, any>
      : string;

type ValueOf<F> = F extends { type: 'array'; properties: infer P extends readonly Field[] }
  ? Array<InputOf<P>>
  : F extends { type: 'array'; of: infer O extends FieldType }
    ? Array<ScalarOf<O>>
    : F extends { type: 'array' }
      ? unknown[]
      : F extends { type: 'object'; properties: infer P extends readonly Field[] }
        ? InputOf<P>
        : F extends { type: infer T extends FieldType }
          ? ScalarOf<T>
          : string;

type IsOptional<F> = F extends { optional: true } ? true : false;
type NameOf<F> = F extends { name: infer N extends string } ? N : never;

/** The shape of `ctx.input` inferred from a literal field list (`as const` or `defineFields`). */
export type InputOf<Fs> = Fs extends readonly Field[]
  ? string extends Fs[number]['name']
    ? Record<string, any>
    : {
        [I in keyof Fs as I extends `${number}`
          ? IsOptional<Fs[I]> extends true
            ? never
            : NameOf<Fs[I]>
          : never]: ValueOf<Fs[I]>;
      } & {
        [I in keyof Fs as I extends `${number}`
          ? IsOptional<Fs[I]> extends true
            ? NameOf<Fs[I]>
            : never
          : never]?: ValueOf<Fs[I]>;
      }
  : Record<string, any>;
