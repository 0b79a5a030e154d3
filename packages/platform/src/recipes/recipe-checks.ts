/** The building blocks of recipe validation (validate.ts): shared checks and what a formula may read. */
import type { ConnectorDefinition, Field } from '@weft/sdk';
import { fieldProblem, type OutputFields, UncheckedDatapills } from './datapill-check.js';
import { datapillsOf } from './datapills.js';
import { FormulaError, formulasOf } from './formula.js';
import type { ResolvedOutput } from './output-fields.js';

export interface Problem {
  path: string;
  message: string;
}

/** What validation looks up: loaded connectors and stored connections. */
export interface RecipeContext {
  connector(name: string): ConnectorDefinition | undefined;
  /** The connector a connection belongs to, or undefined when there is no such connection. */
  connection(name: string): { connector: string } | undefined;
  /** Output fields given as functions, resolved beforehand, by step path (`trigger`, `steps[0]`). */
  outputFields?(path: string): ResolvedOutput | undefined;
}

/** Keys the API adds to a recipe it returns: accepted (and ignored) so a GET can be PUT back. */
export const READ_ONLY_KEYS = [
  'id',
  'status',
  'webhookUrl',
  'staticWebhookUrl',
  'connectorVersions',
  'createdAt',
  'updatedAt',
  'warnings',
];

export const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const RESERVED = new Set(['trigger', 'steps', 'error']);

export type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** Where a trigger's or step's output fields come from, for checking datapills. */
export interface Outputs {
  label: string;
  fields: OutputFields;
  /** Output fields given as a function and not resolved: where, and why. */
  unresolved?: { path: string; reason: string };
}

/** A trigger's or action's output fields: the list, the resolved list, or unresolved. */
export function outputsOf(fields: unknown, label: string, path: string, ctx: RecipeContext): Outputs {
  if (typeof fields !== 'function') return { label, fields: (fields as readonly Field[] | undefined) ?? [] };
  const resolved = ctx.outputFields?.(path);
  if (resolved && 'fields' in resolved) return { label, fields: resolved.fields };
  return { label, fields: undefined, unresolved: { path, reason: resolved?.reason ?? 'computed at run time' } };
}

/** What formulas at one place in the recipe can read. */
export interface Env {
  trigger?: Outputs;
  /** Action steps that run before, by id. */
  steps: Map<string, Outputs>;
  /** Non-action steps, for a clearer message when a formula reads one. */
  others: Set<string>;
  /** `foreach` element names in scope. */
  vars: Set<string>;
  error: boolean;
}

/** The checks every part of a recipe shares: keys, ids, references, input fields, formulas and datapills. */
export class RecipeChecks {
  readonly problems: Problem[] = [];
  protected readonly ids = new Map<string, string>();
  /** All action steps seen so far, in document order. */
  protected readonly earlier = new Map<string, Outputs>();
  readonly unchecked = new UncheckedDatapills();
  protected readonly earlierOthers = new Set<string>();

  constructor(protected readonly ctx: RecipeContext) {}

  problem(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  keys(obj: Json, allowed: readonly string[], path: string): void {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        this.problem(
          path ? `${path}.${key}` : key,
          `unknown key; expected one of ${allowed.filter((k) => !READ_ONLY_KEYS.includes(k)).join(', ')}`,
        );
      }
    }
  }

  string(obj: Json, key: string, path: string, optional = false): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) {
      if (!optional) this.problem(path, 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(path, `must be a non-empty string, not ${kindOf(value)}`);
      return undefined;
    }
    return value;
  }

  integer(obj: Json, key: string, path: string, min: number, max: number, fallback: number): number {
    const value = obj[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.problem(path, `must be an integer from ${min} to ${max}, not ${JSON.stringify(value)}`);
      return fallback;
    }
    return value;
  }

  connector(name: string | undefined, path: string): ConnectorDefinition | undefined {
    if (name === undefined) return undefined;
    const definition = this.ctx.connector(name);
    if (!definition) this.problem(path, `no connector named "${name}" is loaded`);
    return definition;
  }

  /** A connection is required when the connector has connection fields or an authorization. */
  connection(
    obj: Json,
    connectorName: string | undefined,
    definition: ConnectorDefinition | undefined,
    path: string,
  ): string | undefined {
    const name = this.string(obj, 'connection', path, true);
    const needs =
      !!definition &&
      ((definition.connection?.fields?.length ?? 0) > 0 ||
        (definition.connection?.authorization?.type ?? 'none') !== 'none');
    if (name === undefined) {
      if (needs && obj.connection === undefined)
        this.problem(path, `is required: connector "${connectorName}" needs a connection`);
      return undefined;
    }
    const found = this.ctx.connection(name);
    if (!found) this.problem(path, `no connection named "${name}"`);
    else if (definition && connectorName !== undefined && found.connector !== connectorName) {
      this.problem(path, `the connection "${name}" is for connector "${found.connector}", not "${connectorName}"`);
    }
    return name;
  }

  id(step: Json, path: string): string | undefined {
    const id = this.string(step, 'id', `${path}.id`);
    if (id === undefined) return undefined;
    if (!ID.test(id)) {
      this.problem(
        `${path}.id`,
        'must start with a letter or "_" and hold only letters, digits and "_" (it is used as steps.<id> in formulas)',
      );
      return id;
    }
    const first = this.ids.get(id);
    if (first) this.problem(`${path}.id`, `duplicate step id "${id}" (first used at ${first})`);
    else this.ids.set(id, path);
    return id;
  }

  /** Required fields present, no undeclared keys; skipped when the fields are computed at run time. */
  inputKeys(input: Json, fields: unknown, config: unknown, owner: string, path: string): void {
    if (typeof fields === 'function') return;
    const list = [
      ...((fields as readonly Field[] | undefined) ?? []),
      ...((config as readonly Field[] | undefined) ?? []),
    ];
    const declared = new Set<string>();
    for (const f of list) {
      declared.add(f.name);
      if (f.toggleField?.name) declared.add(f.toggleField.name);
    }
    for (const key of Object.keys(input)) {
      if (!declared.has(key)) {
        this.problem(
          `${path}.${key}`,
          `not an input field of ${owner} (fields: ${[...declared].join(', ') || 'none'})`,
        );
      }
    }
    for (const f of list) {
      if (f.optional || f.default !== undefined || f.ngIf) continue;
      const given = (k: string | undefined) =>
        k !== undefined && input[k] !== undefined && input[k] !== null && input[k] !== '';
      if (!given(f.name) && !given(f.toggleField?.name)) this.problem(`${path}.${f.name}`, `is required by ${owner}`);
    }
  }

  /** Parses every formula below `value` and checks its datapills against `env`. */
  formulas(value: unknown, env: Env, path: string): void {
    if (typeof value === 'string') {
      let parts: ReturnType<typeof formulasOf>;
      try {
        parts = formulasOf(value, path);
      } catch (error) {
        if (error instanceof FormulaError) this.problem(path, error.detail);
        else throw error;
        return;
      }
      for (const part of parts) {
        for (const pill of datapillsOf(part.expression.ast())) {
          const message = this.datapill(pill.names, env, path);
          if (message) this.problem(path, message);
        }
      }
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) this.formulas(value[i], env, `${path}[${i}]`);
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) this.formulas(v, env, `${path}.${k}`);
    }
  }

  /** A problem message for a datapill nothing declares, else undefined. */
  datapill(names: string[], env: Env, path: string): string | undefined {
    const [root, ...rest] = names;
    const pill = names.join('.');
    const check = (outputs: Outputs, below: string[], prefix: string) => {
      if (outputs.unresolved && below.length)
        this.unchecked.add({ ...outputs.unresolved, label: outputs.label }, pill, path);
      return fieldProblem(outputs.fields, below, prefix, outputs.label);
    };
    if (root === 'trigger') {
      if (!env.trigger) return `"${pill}": the trigger's data is not available here`;
      return check(env.trigger, rest, 'trigger');
    }
    if (root === 'steps') {
      if (rest.length === 0) return undefined;
      const [id, ...below] = rest;
      const step = env.steps.get(id);
      if (!step) {
        if (env.others.has(id)) return `"${pill}": step "${id}" is not an action step and has no output`;
        return this.ids.has(id) || this.laterIds.has(id)
          ? `"${pill}": step "${id}" does not run before this one`
          : `"${pill}": there is no step "${id}"`;
      }
      return check(step, below, `steps.${id}`);
    }
    if (env.vars.has(root)) return undefined;
    if (root === 'error' && env.error) return undefined;
    const seen = ['trigger', 'steps.<id>', ...env.vars, ...(env.error ? ['error'] : [])];
    return `"${pill}" is not a datapill; formulas here see ${seen.join(', ')}`;
  }

  /** Ids of the whole recipe, collected first, to tell "later" from "missing" steps. */
  laterIds = new Set<string>();
}
