/**
 * Output side of the schema: `convertOutput` after `execute`, and type checks of an output (or a
 * `sampleOutput`, or a cassette) against output fields. Nothing is required, extra keys are
 * allowed and `null` fits every type: APIs leave values out and add keys all the time.
 */
import { isWeftError, type Problem, WeftError } from '../errors.js';
import type { Field } from '../types.js';
import { coerceTimestamp, type ScalarType } from './coerce.js';
import { convertValue, isNamedConversion } from './conversions.js';
import { datePart, parseIsoDateTime } from './dates.js';
import { effectiveType } from './input.js';
import { childPath, describe, isPlainObject, setKey } from './values.js';

export type OutputMethodRunner = (name: string, value: unknown) => Promise<unknown>;

/**
 * Applies `convertOutput` of every field (nested objects and arrays of objects included) and
 * returns a new value; an array at the top is treated as a list of records. Children are
 * converted before their parent. Keys without a field are kept unchanged.
 */
export async function applyConvertOutput(
  fields: readonly Field[],
  output: unknown,
  runMethod?: OutputMethodRunner,
): Promise<unknown> {
  return convertRecords(fields, output, 'output', runMethod);
}

async function convertRecords(
  fields: readonly Field[],
  value: unknown,
  path: string,
  runMethod: OutputMethodRunner | undefined,
): Promise<unknown> {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const [i, item] of value.entries())
      out.push(await convertRecords(fields, item, childPath(path, i), runMethod));
    return out;
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) setKey(out, key, item);
  for (const field of fields) {
    if (!Object.hasOwn(value, field.name)) continue;
    const where = childPath(path, field.name);
    let item = value[field.name];
    if (field.properties) item = await convertRecords(field.properties, item, where, runMethod);
    if (field.convertOutput && item !== null && item !== undefined) {
      item = await runConversion(field.convertOutput, item, where, runMethod);
    }
    setKey(out, field.name, item);
  }
  return out;
}

async function runConversion(
  name: string,
  value: unknown,
  path: string,
  runMethod: OutputMethodRunner | undefined,
): Promise<unknown> {
  if (isNamedConversion(name)) {
    try {
      return convertValue(name, value);
    } catch (error) {
      const message = isWeftError(error) ? error.message : String(error);
      throw new WeftError('OUTPUT_INVALID', `${path}: convertOutput ${name}: ${message}`, {
        details: { problems: [{ path, message }] },
      });
    }
  }
  if (!runMethod) {
    throw new WeftError(
      'UNKNOWN_METHOD',
      `${path}: convertOutput "${name}" is not a named conversion and no method runner was given`,
    );
  }
  return runMethod(name, value);
}

/** Type-checks an output against fields; returns every problem (empty when it fits). */
export function checkOutput(fields: readonly Field[], output: unknown, path = 'output'): Problem[] {
  const problems: Problem[] = [];
  if (Array.isArray(output)) {
    for (const [i, item] of output.entries()) checkRecord(fields, item, childPath(path, i), problems);
  } else {
    checkRecord(fields, output, path, problems);
  }
  return problems;
}

function checkRecord(fields: readonly Field[], value: unknown, path: string, problems: Problem[]): void {
  if (value === null || value === undefined) return;
  if (!isPlainObject(value)) {
    problems.push({ path, message: `must be an object, got ${describe(value)}` });
    return;
  }
  for (const field of fields) {
    if (Object.hasOwn(value, field.name)) checkField(field, value[field.name], childPath(path, field.name), problems);
    const alt = field.toggleField?.name;
    if (alt && alt !== field.name && Object.hasOwn(value, alt)) {
      checkField(field.toggleField!, value[alt], childPath(path, alt), problems);
    }
  }
}

function checkField(field: Field, value: unknown, path: string, problems: Problem[]): void {
  if (field.toggleField) {
    const attempt: Problem[] = [];
    checkValue(field, value, path, attempt);
    if (attempt.length === 0) return;
    const second: Problem[] = [];
    checkValue(field.toggleField, value, path, second);
    if (second.length === 0) return;
    problems.push(...attempt);
    return;
  }
  checkValue(field, value, path, problems);
}

function checkValue(field: Field, value: unknown, path: string, problems: Problem[]): void {
  if (value === null || value === undefined) return;
  const type = effectiveType(field);
  if (field.controlType === 'multiselect' && type !== 'object') {
    if (typeof value === 'string' && field.delimiter) return;
    const element = (type === 'array' ? (field.of ?? 'string') : type) as ScalarType;
    checkList(value, element, path, problems);
    return;
  }
  if (type === 'object') {
    if (!isPlainObject(value)) problems.push({ path, message: `must be an object, got ${describe(value)}` });
    else if (field.properties) checkRecord(field.properties, value, path, problems);
    return;
  }
  if (type === 'array') {
    if (!Array.isArray(value)) {
      problems.push({ path, message: `must be an array, got ${describe(value)}` });
    } else if (field.properties || field.of === 'object') {
      for (const [i, item] of value.entries()) {
        const where = childPath(path, i);
        if (item !== null && !isPlainObject(item))
          problems.push({ path: where, message: `must be an object, got ${describe(item)}` });
        else if (field.properties) checkRecord(field.properties, item, where, problems);
      }
    } else {
      checkList(value, (field.of ?? 'string') as ScalarType, path, problems);
    }
    return;
  }
  const message = scalarProblem(type, value);
  if (message) problems.push({ path, message });
}

function checkList(value: unknown, type: ScalarType, path: string, problems: Problem[]): void {
  if (!Array.isArray(value)) {
    problems.push({ path, message: `must be an array, got ${describe(value)}` });
    return;
  }
  for (const [i, item] of value.entries()) {
    const message = item === null ? undefined : scalarProblem(type, item);
    if (message) problems.push({ path: childPath(path, i), message });
  }
}

/** Output values must already have their type (no coercion from strings), except dates, which are strings. */
function scalarProblem(type: ScalarType, value: unknown): string | undefined {
  const got = `got ${describe(value)}`;
  switch (type) {
    case 'integer':
      return Number.isInteger(value) ? undefined : `must be an integer, ${got}`;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `must be a number, ${got}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be a boolean, ${got}`;
    case 'date':
      return typeof value === 'string' && datePart(value) ? undefined : `must be a date string (YYYY-MM-DD), ${got}`;
    case 'date_time':
      return typeof value === 'string' && parseIsoDateTime(value) !== undefined
        ? undefined
        : `must be an ISO 8601 date-time string, ${got}`;
    case 'timestamp':
      return (typeof value === 'number' || typeof value === 'string') && coerceTimestamp(value).ok
        ? undefined
        : `must be a timestamp (epoch seconds or ISO 8601 string), ${got}`;
    default:
      return typeof value === 'string' ? undefined : `must be a string, ${got}`;
  }
}
