/**
 * The fields of one run: config fields first, then input and output fields resolved with them
 * (SPEC §2, §5). Every lambda that builds fields — `inputFields`, `outputFields`, `sampleOutput`
 * and the object definitions they read — sees the same `ctx.configFields`.
 */
import { ValidationError, WeftError } from '../errors.js';
import type { RetryPolicy } from '../http/types.js';
import { applyConvertOutput, processInput, resolveFields } from '../schema/index.js';
import type { ActionDefinition, ConnectorContext, Field, Fields, FieldsContext, TriggerDefinition } from '../types.js';
import {
  callMethod,
  configScope,
  createBaseContext,
  extend,
  type RunEnvironment,
  runLambda,
  withFields,
} from './context.js';

type Operation = ActionDefinition | TriggerDefinition;

/** The part of an operation that field resolution reads. */
export interface FieldsInput {
  input?: unknown;
  configFields?: Record<string, unknown>;
}

export interface Prepared {
  ctx: FieldsContext;
  configFields: Record<string, unknown>;
  inputFields: Field[];
  input: Record<string, unknown>;
  dropped: string[];
}

export function asObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Resolves config and input fields and processes the input (SPEC §2 order). The returned
 * context carries the config fields and object definitions that see them.
 */
export async function prepareInput(
  where: string,
  definition: Operation,
  env: RunEnvironment,
  options: FieldsInput,
  retry?: RetryPolicy,
): Promise<Prepared> {
  const base = createBaseContext(env, retry);
  const runMethod = (name: string, value: unknown) => callMethod(env, base, name, [value]);
  const rawInput = options.input === undefined ? {} : options.input;
  if (!rawInput || typeof rawInput !== 'object' || Array.isArray(rawInput)) {
    throw new ValidationError('INPUT_INVALID', [{ path: 'input', message: 'must be a JSON object' }]);
  }
  const configDefs = definition.configFields ?? [];
  const configSource = { ...pick(rawInput as Record<string, unknown>, configDefs), ...(options.configFields ?? {}) };
  const config = configDefs.length
    ? await processInput(configDefs, configSource, {
        runMethod,
        path: 'configFields',
        scope: { configNames: configDefs.map((f) => f.name), connection: env.connection },
      })
    : { value: {}, dropped: [] };
  const fieldsCtx = extend(base, configScope(env, config.value));
  const inputFields = await runLambdaFields(`${where}.inputFields`, definition.inputFields, fieldsCtx, env);
  const withoutConfig = omit(rawInput as Record<string, unknown>, configDefs);
  const processed = await processInput(inputFields, withoutConfig, {
    runMethod,
    path: 'input',
    scope: { configFields: config.value, connection: env.connection, configNames: configDefs.map((f) => f.name) },
  });
  return {
    ctx: fieldsCtx,
    configFields: config.value,
    inputFields,
    input: { ...config.value, ...processed.value },
    dropped: processed.dropped,
  };
}

function pick(obj: Record<string, unknown>, fields: readonly Field[]) {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f.name in obj) out[f.name] = obj[f.name];
  return out;
}

function omit(obj: Record<string, unknown>, fields: readonly Field[]) {
  if (!fields.length) return obj;
  const names = new Set(fields.map((f) => f.name));
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !names.has(k)));
}

function runLambdaFields(
  where: string,
  fields: Fields<FieldsContext> | undefined,
  ctx: ConnectorContext,
  env: RunEnvironment,
): Promise<Field[]> {
  // A fields context is the base context: `configFields` and object definitions are set on it.
  return runLambda(where, env.redactor, () => resolveFields(fields, ctx as FieldsContext));
}

/** `*.input_fields`, `*.output_fields`, `*.config_fields` on their own (forms, `weft exec`). */
export async function fieldsOnly(
  where: string,
  definition: Operation,
  which: 'inputFields' | 'outputFields' | 'configFields',
  env: RunEnvironment,
  options: FieldsInput,
): Promise<Field[]> {
  if (which === 'configFields') return [...(definition.configFields ?? [])];
  const configFields = options.configFields ?? asObject(options.input);
  const ctx = withFields(createBaseContext(env), configScope(env, configFields));
  return runLambdaFields(`${where}.${which}`, definition[which], ctx, env);
}

export async function sampleOutput(where: string, definition: Operation, env: RunEnvironment, options: FieldsInput) {
  const sample = definition.sampleOutput;
  if (typeof sample !== 'function') return sample ?? null;
  const ctx = withFields(createBaseContext(env), configScope(env, options.configFields ?? {}));
  return runLambda(`${where}.sampleOutput`, env.redactor, () => (sample as (c: unknown) => unknown)(ctx));
}

/**
 * The output fields of a run, resolved with its config fields (what `ctx.extendedOutputSchema`
 * holds); a static list is used as it is.
 */
export function resolveOutputFields(where: string, definition: Operation, prepared: Prepared, env: RunEnvironment) {
  const fields = definition.outputFields;
  if (fields === undefined) return Promise.resolve([] as Field[]);
  if (Array.isArray(fields)) return Promise.resolve(fields as Field[]);
  return runLambdaFields(`${where}.outputFields`, fields, prepared.ctx, env);
}

/** Applies `convertOutput` of already resolved output fields. */
export async function convertOutput(fields: readonly Field[], value: unknown, env: RunEnvironment): Promise<unknown> {
  if (value === undefined || value === null || !hasConvertOutput(fields)) return value;
  const base = createBaseContext(env);
  return applyConvertOutput(fields as Field[], value, (name: string, v: unknown) => callMethod(env, base, name, [v]));
}

function hasConvertOutput(fields: readonly Field[]): boolean {
  return fields.some((f) => f.convertOutput || (f.properties && hasConvertOutput(f.properties)));
}

export interface HelpText {
  body: string;
  learnMoreUrl?: string;
}

/**
 * `*.description` and `*.help`: the text as given, or the function's result with the run's
 * connection and config fields. Help is always `{ body, learnMoreUrl? }`; none is null.
 */
export async function operationText(
  where: string,
  definition: Operation,
  which: 'description' | 'help',
  env: RunEnvironment,
  options: FieldsInput,
): Promise<string | HelpText | null> {
  const given = definition[which];
  let value: unknown = given;
  if (typeof given === 'function') {
    const ctx = withFields(createBaseContext(env), configScope(env, options.configFields ?? asObject(options.input)));
    value = await runLambda(`${where}.${which}`, env.redactor, () => (given as (c: unknown) => unknown)(ctx));
  }
  if (value === undefined || value === null) return null;
  if (which === 'description') {
    if (typeof value !== 'string') throw textInvalid(`${where}.description`, 'a string', value);
    return value;
  }
  if (typeof value === 'string') return { body: value };
  const help = value as Partial<HelpText>;
  if (typeof help !== 'object' || typeof help.body !== 'string') {
    throw textInvalid(`${where}.help`, 'a string or { body, learnMoreUrl }', value);
  }
  return typeof help.learnMoreUrl === 'string'
    ? { body: help.body, learnMoreUrl: help.learnMoreUrl }
    : { body: help.body };
}

function textInvalid(where: string, expected: string, value: unknown): WeftError {
  const got = Array.isArray(value) ? 'an array' : typeof value;
  return new WeftError('DEFINITION_INVALID', `${where} must give ${expected}, got ${got}`);
}
