/**
 * `ngIf` expressions of literal field lists must name fields that exist (the rule is in
 * schema/ngif-refs.ts). Expressions that do not parse are reported by the field checks.
 */
import { isWeftError } from '../errors.js';
import { type NgIfNames, ngIfProblems } from '../schema/ngif-refs.js';
import { isPlainObject } from '../schema/values.js';
import type { Checker, Obj } from './checks.js';

const namesOf = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.filter((f) => isPlainObject(f) && typeof f.name === 'string').map((f) => (f as Obj).name as string)
    : [];

/** Connection fields: `input.x` and `connection.x` both name connection fields; there is no config. */
export function checkConnectionNgIfs(c: Checker, fields: unknown, path: string): void {
  const names = namesOf(fields);
  walk(c, fields, path, { input: names, config: [], connection: names });
}

/**
 * An action's or trigger's config and input fields. `input.x` names a config or input field; in
 * computed input fields only `config.x` and `connection.x` can be checked before they run.
 */
export function checkOperationNgIfs(c: Checker, op: Obj, path: string, connectionFields: unknown): void {
  const config = namesOf(op.configFields);
  const connection = namesOf(connectionFields);
  walk(c, op.configFields, `${path}.configFields`, { input: config, config, connection });
  const computed = typeof op.inputFields === 'function';
  const input = computed ? undefined : [...config, ...namesOf(op.inputFields), ...toggleNames(op.inputFields)];
  walk(c, op.inputFields, `${path}.inputFields`, { input, config, connection });
}

function toggleNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list
    .map((f) => (isPlainObject(f) && isPlainObject(f.toggleField) ? f.toggleField.name : undefined))
    .filter((n): n is string => typeof n === 'string');
}

function walk(c: Checker, list: unknown, path: string, names: NgIfNames): void {
  if (!Array.isArray(list)) return;
  list.forEach((field, i) => {
    if (!isPlainObject(field)) return;
    const where = `${path}[${i}]`;
    if (typeof field.ngIf === 'string') {
      try {
        for (const problem of ngIfProblems(field.ngIf, names)) c.add(`${where}.ngIf`, problem);
      } catch (error) {
        // Does not parse: the field checks report it.
        if (!isWeftError(error)) throw error;
      }
    }
    // Nested fields read the same scope: `input` is the operation's whole input.
    walk(c, field.properties, `${where}.properties`, names);
  });
}
