/**
 * Input processing (SPEC §2), in order: drop undeclared keys, hide fields whose `ngIf` is false,
 * apply defaults, run `convertInput`, coerce by type, check required fields. Every problem is
 * collected and reported at once in one `ValidationError`. The argument is never mutated.
 */
import { isWeftError, type Problem, ValidationError } from '../errors.js';
import type { Field } from '../types.js';
import { coerceScalar, type ScalarType } from './coerce.js';
import { convertValue, isNamedConversion } from './conversions.js';
import { evaluateNgIf } from './ngif.js';
import { assertNgIfNames, type NgIfNames } from './ngif-refs.js';
import { childPath, copyData, describe, isPlainObject, setKey } from './values.js';

export type RunMethod = (name: string, value: unknown) => Promise<unknown>;

export interface ProcessInputOptions {
  /** Runs a connector method for a `convertInput` that is not a named conversion. */
  runMethod?: RunMethod;
  /** The name of the value in problem paths (default `input`). */
  path?: string;
  /**
   * Values available to `ngIf` expressions besides `input`, and the names of the operation's
   * config fields (`input.<config field>` is valid in an expression; an unknown name is an error).
   */
  scope?: {
    configFields?: Record<string, unknown>;
    connection?: Record<string, unknown>;
    configNames?: readonly string[];
  };
}

export interface ProcessedInput {
  value: Record<string, unknown>;
  /** Paths of keys that no field declares (or whose field is hidden by `ngIf`), e.g. `input.extra`. */
  dropped: string[];
}

interface Sink {
  problems: Problem[];
  dropped: string[];
}

interface State {
  scope: Record<string, unknown>;
  /** What `ngIf` expressions may name. */
  names: NgIfNames;
  runMethod: RunMethod | undefined;
}

type Outcome = { value: unknown; sink: Sink };

/** A value that counts as "not given" for required checks. */
export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** The type a field's value has: `type`, else `object` when it has `properties`, else `string`. */
export function effectiveType(field: Field): NonNullable<Field['type']> {
  return field.type ?? (field.properties ? 'object' : 'string');
}

export async function processInput(
  fields: readonly Field[],
  input: unknown,
  options: ProcessInputOptions = {},
): Promise<ProcessedInput> {
  const path = options.path ?? 'input';
  if (!isPlainObject(input)) {
    throw new ValidationError('INPUT_INVALID', [{ path, message: `must be an object, got ${describe(input)}` }]);
  }
  const configFields = options.scope?.configFields ?? {};
  const configNames = options.scope?.configNames;
  const state: State = {
    // `input` in an expression is what `ctx.input` will be: config values and input together.
    scope: {
      input: { ...configFields, ...withDefaults(fields, input) },
      config: configFields,
      configFields,
      connection: options.scope?.connection ?? {},
    },
    runMethod: options.runMethod,
    names: { input: new Set([...fieldNames(fields), ...(configNames ?? [])]), config: configNames },
  };
  const sink: Sink = { problems: [], dropped: [] };
  const value = await processObject(fields, input, path, state, sink);
  if (sink.problems.length) throw new ValidationError('INPUT_INVALID', sink.problems);
  return { value, dropped: sink.dropped };
}

function fieldNames(fields: readonly Field[]): string[] {
  const names: string[] = [];
  for (const field of fields) {
    names.push(field.name);
    const alt = toggleName(field);
    if (alt) names.push(alt);
  }
  return names;
}

/** A copy of the raw input with defaults filled in: what `ngIf` expressions see as `input`. */
function withDefaults(fields: readonly Field[], value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...value };
  for (const field of fields) {
    const current = Object.hasOwn(value, field.name) ? value[field.name] : undefined;
    if ((current === undefined || current === null) && field.default !== undefined) {
      setKey(out, field.name, field.default);
    } else if (field.properties && isPlainObject(current)) {
      setKey(out, field.name, withDefaults(field.properties, current));
    }
  }
  return out;
}

function toggleName(field: Field): string | undefined {
  const name = field.toggleField?.name;
  return name && name !== field.name ? name : undefined;
}

async function processObject(
  fields: readonly Field[],
  obj: Record<string, unknown>,
  path: string,
  state: State,
  sink: Sink,
): Promise<Record<string, unknown>> {
  const declared = new Set<string>();
  for (const field of fields) {
    declared.add(field.name);
    const alt = toggleName(field);
    if (alt) declared.add(alt);
  }
  for (const key of Object.keys(obj)) {
    if (!declared.has(key)) sink.dropped.push(childPath(path, key));
  }

  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const alt = toggleName(field);
    const keys = alt ? [field.name, alt] : [field.name];
    const given = (key: string) => (Object.hasOwn(obj, key) ? obj[key] : undefined);

    if (field.ngIf) assertNgIfNames(field.ngIf, state.names, field.name);
    if (field.ngIf && !evaluateNgIf(field.ngIf, state.scope)) {
      for (const key of keys) if (given(key) !== undefined) sink.dropped.push(childPath(path, key));
      continue;
    }

    let main = given(field.name);
    const other = alt ? given(alt) : undefined;
    if ((main === undefined || main === null) && isMissing(other) && field.default !== undefined) {
      main = copyData(field.default);
    }

    const before = sink.problems.length;
    if (main !== undefined) {
      const where = childPath(path, field.name);
      let outcome = await processValue(field, main, where, state);
      // Toggle fields: the main key may hold a value for either input.
      if (outcome.sink.problems.length && field.toggleField) {
        const second = await processValue(field.toggleField, main, where, state);
        if (!second.sink.problems.length) outcome = second;
      }
      merge(sink, outcome.sink);
      if (outcome.value !== undefined) setKey(out, field.name, outcome.value);
    }
    if (alt && other !== undefined && field.toggleField) {
      const outcome = await processValue(field.toggleField, other, childPath(path, alt), state);
      merge(sink, outcome.sink);
      if (outcome.value !== undefined) setKey(out, alt, outcome.value);
    }

    const reported = sink.problems.length > before;
    const present = keys.some((key) => !isMissing(out[key]));
    if (!field.optional && !present && !reported) {
      sink.problems.push({ path: childPath(path, field.name), message: 'is required' });
    }
  }
  return out;
}

function merge(into: Sink, from: Sink): void {
  into.problems.push(...from.problems);
  into.dropped.push(...from.dropped);
}

async function processValue(field: Field, value: unknown, path: string, state: State): Promise<Outcome> {
  const sink: Sink = { problems: [], dropped: [] };
  const fail = (message: string): Outcome => {
    sink.problems.push({ path, message });
    return { value: undefined, sink };
  };
  if (value === null) return { value: null, sink };

  if (field.convertInput) {
    const name = field.convertInput;
    if (isNamedConversion(name)) {
      try {
        value = convertValue(name, value);
      } catch (error) {
        return fail(isWeftError(error) ? error.message : String(error));
      }
    } else if (!state.runMethod) {
      return fail(`convertInput "${name}" is not a named conversion, and no methods are available here`);
    } else {
      try {
        value = await state.runMethod(name, value);
      } catch (error) {
        if (isWeftError(error) && error.code === 'UNKNOWN_METHOD') {
          return fail(`convertInput "${name}" is neither a named conversion nor a method of the connector`);
        }
        throw error;
      }
    }
    if (value === null || value === undefined) return { value, sink };
  }

  const type = effectiveType(field);
  if (field.controlType === 'multiselect' && type !== 'object') {
    const element = (type === 'array' ? (field.of ?? 'string') : type) as ScalarType;
    return { value: coerceList(splitList(field, value), element, path, sink), sink };
  }
  if (type === 'object') {
    if (!isPlainObject(value)) return fail(`must be an object, got ${describe(value)}`);
    if (!field.properties) return { value: copyData(value), sink };
    return { value: await processObject(field.properties, value, path, state, sink), sink };
  }
  if (type === 'array') {
    const list = splitList(field, value);
    if (!Array.isArray(list)) return fail(`must be an array, got ${describe(value)}`);
    const ofObjects = field.properties !== undefined || field.of === 'object';
    if (!ofObjects) return { value: coerceList(list, (field.of ?? 'string') as ScalarType, path, sink), sink };
    const items: unknown[] = [];
    for (const [i, item] of list.entries()) {
      const where = childPath(path, i);
      if (!isPlainObject(item)) {
        sink.problems.push({ path: where, message: `must be an object, got ${describe(item)}` });
      } else {
        items.push(field.properties ? await processObject(field.properties, item, where, state, sink) : copyData(item));
      }
    }
    return { value: items, sink };
  }
  // A blank form value for a non-text type means "not given".
  if (value === '' && type !== 'string') return { value: undefined, sink };
  const result = coerceScalar(type, value);
  return result.ok ? { value: result.value, sink } : fail(result.message);
}

/** A delimited string becomes a list (items trimmed, blanks left out); a lone value becomes a list of one. */
function splitList(field: Field, value: unknown): unknown {
  if (typeof value === 'string' && field.delimiter) {
    return value
      .split(field.delimiter)
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }
  const scalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
  if (field.controlType === 'multiselect' && scalar) return [value];
  return value;
}

function coerceList(list: unknown, type: ScalarType, path: string, sink: Sink): unknown[] | undefined {
  if (!Array.isArray(list)) {
    sink.problems.push({ path, message: `must be an array, got ${describe(list)}` });
    return undefined;
  }
  const out: unknown[] = [];
  for (const [i, item] of list.entries()) {
    const result = coerceScalar(type, item);
    if (result.ok) out.push(result.value);
    else sink.problems.push({ path: childPath(path, i), message: result.message });
  }
  return out;
}
