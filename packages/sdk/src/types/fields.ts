/**
 * Schema fields (SPEC §2) and the inference of `ctx.input` from a literal field list. The field
 * itself is plain data and lives in the model (`@weft/sdk/model`), shared with the console.
 */
import type { Field, FieldType } from '../model/fields.js';

export type { Field, NamedConversion, PickListOption, TreeOption } from '../model/fields.js';

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
