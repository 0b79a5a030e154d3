/**
 * JSON Schema validation with ajv, for callers that hold a schema (the console's forms, exported
 * schemas, API bodies). ajv is loaded on first use so that CLI start-up does not pay for it;
 * each schema is compiled once (cached per schema object and per field list).
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import type { Field } from '../types.js';
import { fieldsToJsonSchema, type JsonSchema, type JsonSchemaOptions } from './json-schema.js';
import { childPath, describe } from './values.js';

interface AjvLike {
  compile(schema: JsonSchema): ValidateFunction;
}

let ajvInstance: Promise<AjvLike> | undefined;

async function loadAjv(): Promise<AjvLike> {
  const [ajvModule, formatsModule] = await Promise.all([import('ajv'), import('ajv-formats')]);
  // Both are CommonJS: the class and the plugin sit on `default` (or `default.default`).
  const unwrap = (m: any) =>
    typeof m === 'function' ? m : typeof m?.default === 'function' ? m.default : m?.default?.default;
  const Ajv = unwrap(ajvModule);
  const addFormats = unwrap(formatsModule);
  // `strict: false`: field schemas carry `x-` keywords and author-supplied extras.
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv as AjvLike;
}

const bySchema = new WeakMap<object, ValidateFunction>();
const byFields = new WeakMap<readonly Field[], Map<string, ValidateFunction>>();

async function compile(schema: JsonSchema): Promise<ValidateFunction> {
  const hit = bySchema.get(schema);
  if (hit) return hit;
  ajvInstance ??= loadAjv();
  const validate = (await ajvInstance).compile(schema);
  bySchema.set(schema, validate);
  return validate;
}

/** Validates a value against a JSON Schema; returns every problem with a path like `input.lines[2].sku`. */
export async function validateAgainstSchema(schema: JsonSchema, value: unknown, path = 'input'): Promise<Problem[]> {
  const validate = await compile(schema);
  return validate(value) ? [] : toProblems(validate.errors ?? [], value, path);
}

/** Validates a value against the JSON Schema of a field list (compiled once per list and mode). */
export async function validateAgainstFields(
  fields: readonly Field[],
  value: unknown,
  options: JsonSchemaOptions & { path?: string } = {},
): Promise<Problem[]> {
  const mode = options.mode ?? 'input';
  let perMode = byFields.get(fields);
  if (!perMode) {
    perMode = new Map();
    byFields.set(fields, perMode);
  }
  let validate = perMode.get(mode);
  if (!validate) {
    validate = await compile(fieldsToJsonSchema(fields, { mode }));
    perMode.set(mode, validate);
  }
  return validate(value)
    ? []
    : toProblems(validate.errors ?? [], value, options.path ?? (mode === 'input' ? 'input' : 'output'));
}

function pointerToPath(root: string, pointer: string): { path: string; keys: string[] } {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let path = root;
  for (const key of keys) path = childPath(path, /^\d+$/.test(key) ? Number(key) : key);
  return { path, keys };
}

function valueAt(value: unknown, keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function toProblems(errors: ErrorObject[], value: unknown, root: string): Problem[] {
  // Inside a failed anyOf, the failures of each branch are noise: report the anyOf once.
  const anyOfPaths = errors
    .filter((e) => e.keyword === 'anyOf')
    .map((e) => `${e.schemaPath.replace(/\/anyOf$/, '')}/anyOf/`);
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of errors) {
    if (anyOfPaths.some((p) => error.schemaPath.startsWith(p))) continue;
    const { path, keys } = pointerToPath(root, error.instancePath);
    const got = describe(valueAt(value, keys));
    let problem: Problem;
    if (error.keyword === 'required') {
      problem = { path: childPath(path, String(error.params.missingProperty)), message: 'is required' };
    } else if (error.keyword === 'additionalProperties') {
      problem = { path: childPath(path, String(error.params.additionalProperty)), message: 'is not a declared field' };
    } else if (error.keyword === 'type') {
      problem = { path, message: `must be ${String(error.params.type).split(',').join(' or ')}, got ${got}` };
    } else if (error.keyword === 'anyOf') {
      problem = { path, message: `does not match any accepted form, got ${got}` };
    } else {
      problem = { path, message: `${error.message ?? 'is invalid'}, got ${got}` };
    }
    const key = `${problem.path}\u0000${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
