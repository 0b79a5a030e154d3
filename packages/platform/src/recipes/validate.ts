/**
 * Recipe validation: pure, and thorough — every problem with its path in the recipe JSON
 * (`steps[1].action`, `steps[0].input.email`), so a recipe is saved whole or not at all.
 *
 * Checks: the JSON shape; connectors, connections, triggers and actions exist; step ids are
 * unique; static input fields get their required values and no unknown keys; every formula
 * parses; every datapill a formula reads is declared by the trigger's or an earlier step's
 * output fields. Output fields given as functions are checked as resolved beforehand
 * (`RecipeContext.outputFields`, see output-fields.ts); unresolved ones accept anything and the
 * datapills read from them come back as warnings.
 */
import type { ActionDefinition, ConnectorDefinition, Field, TriggerDefinition } from '@weft/sdk';
import { fieldProblem, type OutputFields, type RecipeWarning, UncheckedDatapills } from './datapill-check.js';
import { datapillsOf } from './datapills.js';
import { FormulaError, formulasOf } from './formula.js';
import type { ResolvedOutput } from './output-fields.js';
import type { ActionStep, ForeachStep, IfStep, Recipe, RecipeTrigger, Step, StopStep } from './types.js';

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

export type Validation =
  | { ok: true; recipe: Recipe; problems: []; warnings: RecipeWarning[] }
  | { ok: false; problems: Problem[] };

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

const RECIPE_KEYS = ['name', 'trigger', 'steps', 'onError', 'concurrency', ...READ_ONLY_KEYS];
const TRIGGER_KEYS = ['connector', 'connection', 'trigger', 'input', 'pollIntervalSeconds'];
const ACTION_KEYS = ['id', 'connector', 'connection', 'action', 'input'];
const IF_KEYS = ['id', 'if', 'then', 'else'];
const FOREACH_KEYS = ['id', 'foreach', 'as', 'do'];
const STOP_KEYS = ['id', 'stop'];
const ID = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RESERVED = new Set(['trigger', 'steps', 'error']);
const MAX_DEPTH = 10;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
}

/** Where a trigger's or step's output fields come from, for checking datapills. */
interface Outputs {
  label: string;
  fields: OutputFields;
  /** Output fields given as a function and not resolved: where, and why. */
  unresolved?: { path: string; reason: string };
}

/** A trigger's or action's output fields: the list, the resolved list, or unresolved. */
function outputsOf(fields: unknown, label: string, path: string, ctx: RecipeContext): Outputs {
  if (typeof fields !== 'function') return { label, fields: (fields as readonly Field[] | undefined) ?? [] };
  const resolved = ctx.outputFields?.(path);
  if (resolved && 'fields' in resolved) return { label, fields: resolved.fields };
  return { label, fields: undefined, unresolved: { path, reason: resolved?.reason ?? 'computed at run time' } };
}

/** What formulas at one place in the recipe can read. */
interface Env {
  trigger?: Outputs;
  /** Action steps that run before, by id. */
  steps: Map<string, Outputs>;
  /** Non-action steps, for a clearer message when a formula reads one. */
  others: Set<string>;
  /** `foreach` element names in scope. */
  vars: Set<string>;
  error: boolean;
}

class Validator {
  readonly problems: Problem[] = [];
  private readonly ids = new Map<string, string>();
  /** All action steps seen so far, in document order. */
  private readonly earlier = new Map<string, Outputs>();
  readonly unchecked = new UncheckedDatapills();
  private readonly earlierOthers = new Set<string>();

  constructor(private readonly ctx: RecipeContext) {}

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

  trigger(value: unknown): { trigger?: RecipeTrigger; fields?: Outputs } {
    if (!isObject(value)) {
      this.problem('trigger', value === undefined ? 'is required' : `must be an object, not ${kindOf(value)}`);
      return {};
    }
    this.keys(value, TRIGGER_KEYS, 'trigger');
    const connectorName = this.string(value, 'connector', 'trigger.connector');
    const definition = this.connector(connectorName, 'trigger.connector');
    const connection = this.connection(value, connectorName, definition, 'trigger.connection');
    const name = this.string(value, 'trigger', 'trigger.trigger');
    let trigger: TriggerDefinition | undefined;
    if (definition && name !== undefined) {
      trigger = definition.triggers?.[name];
      if (!trigger) {
        const known = Object.keys(definition.triggers ?? {});
        this.problem(
          'trigger.trigger',
          `connector "${connectorName}" has no trigger "${name}" (triggers: ${known.join(', ') || 'none'})`,
        );
      }
    }
    const input = value.input ?? {};
    if (!isObject(input)) this.problem('trigger.input', `must be an object, not ${kindOf(input)}`);
    else {
      if (trigger)
        this.inputKeys(input, trigger.inputFields, trigger.configFields, `${connectorName}.${name}`, 'trigger.input');
      // Trigger input may use formulas (`=$now()`), but no datapill exists before the trigger fires.
      this.formulas(input, { steps: new Map(), others: new Set(), vars: new Set(), error: false }, 'trigger.input');
    }
    const pollIntervalSeconds = this.integer(
      value,
      'pollIntervalSeconds',
      'trigger.pollIntervalSeconds',
      1,
      31 * 24 * 3600,
      300,
    );
    return {
      trigger: {
        connector: connectorName ?? '',
        ...(connection === undefined ? {} : { connection }),
        trigger: name ?? '',
        input: isObject(input) ? input : {},
        pollIntervalSeconds,
      },
      fields: trigger
        ? outputsOf(trigger.outputFields, `the trigger ${connectorName}.${name}`, 'trigger', this.ctx)
        : undefined,
    };
  }

  stepList(value: unknown, path: string, env: Env, depth: number, optional = false): Step[] {
    if (value === undefined && optional) return [];
    if (!Array.isArray(value)) {
      this.problem(
        path,
        value === undefined ? 'is required (a list of steps)' : `must be a list of steps, not ${kindOf(value)}`,
      );
      return [];
    }
    if (depth > MAX_DEPTH) {
      this.problem(path, `steps are nested more than ${MAX_DEPTH} levels deep`);
      return [];
    }
    const steps: Step[] = [];
    value.forEach((raw, i) => {
      const step = this.step(raw, `${path}[${i}]`, env, depth);
      if (step) steps.push(step);
    });
    return steps;
  }

  /** `env` is what the step may read; steps that run before it are added to `this.earlier` as they pass. */
  step(raw: unknown, path: string, outer: Env, depth: number): Step | undefined {
    if (!isObject(raw)) {
      this.problem(path, `must be a step object, not ${kindOf(raw)}`);
      return undefined;
    }
    const env: Env = { ...outer, steps: new Map(this.earlier), others: new Set(this.earlierOthers) };
    const kinds = ['action', 'if', 'foreach', 'stop'].filter((k) => raw[k] !== undefined);
    if (kinds.length !== 1) {
      this.id(raw, path);
      this.problem(
        path,
        kinds.length === 0
          ? 'a step needs one of "action", "if", "foreach" or "stop"'
          : `a step is one kind only, but this one has ${kinds.map((k) => `"${k}"`).join(' and ')}`,
      );
      return undefined;
    }
    switch (kinds[0]) {
      case 'action':
        return this.action(raw, path, env);
      case 'if':
        return this.ifStep(raw, path, env, depth);
      case 'foreach':
        return this.foreach(raw, path, env, depth);
      default:
        return this.stop(raw, path, env);
    }
  }

  action(raw: Json, path: string, env: Env): ActionStep {
    this.keys(raw, ACTION_KEYS, path);
    const id = this.id(raw, path);
    const connectorName = this.string(raw, 'connector', `${path}.connector`);
    const definition = this.connector(connectorName, `${path}.connector`);
    const connection = this.connection(raw, connectorName, definition, `${path}.connection`);
    const name = this.string(raw, 'action', `${path}.action`);
    let action: ActionDefinition | undefined;
    if (definition && name !== undefined) {
      action = definition.actions?.[name];
      if (!action) {
        const known = Object.keys(definition.actions ?? {});
        this.problem(
          `${path}.action`,
          `connector "${connectorName}" has no action "${name}" (actions: ${known.join(', ') || 'none'})`,
        );
      }
    }
    const input = raw.input ?? {};
    if (!isObject(input)) this.problem(`${path}.input`, `must be an object, not ${kindOf(input)}`);
    else {
      if (action)
        this.inputKeys(input, action.inputFields, action.configFields, `${connectorName}.${name}`, `${path}.input`);
      this.formulas(input, env, `${path}.input`);
    }
    if (id !== undefined) {
      const label = `step "${id}" (${connectorName}.${name})`;
      this.earlier.set(
        id,
        action ? outputsOf(action.outputFields, label, path, this.ctx) : { label, fields: undefined },
      );
    }
    return {
      id: id ?? '',
      connector: connectorName ?? '',
      ...(connection === undefined ? {} : { connection }),
      action: name ?? '',
      input: isObject(input) ? input : {},
    };
  }

  condition(value: unknown, path: string, env: Env, what: string): void {
    if (typeof value === 'boolean' && what === 'if') return;
    if (typeof value !== 'string' || !value.startsWith('=')) {
      this.problem(
        path,
        `must be a formula ("=expression")${what === 'if' ? ' or a boolean' : ''}, not ${JSON.stringify(value)}`,
      );
      return;
    }
    this.formulas(value, env, path);
  }

  ifStep(raw: Json, path: string, env: Env, depth: number): IfStep {
    this.keys(raw, IF_KEYS, path);
    const id = this.id(raw, path);
    this.condition(raw.if, `${path}.if`, env, 'if');
    if (id !== undefined) this.earlierOthers.add(id);
    const then = this.stepList(raw.then, `${path}.then`, env, depth + 1);
    const otherwise = this.stepList(raw.else, `${path}.else`, env, depth + 1, true);
    return { id: id ?? '', if: raw.if as string | boolean, then, else: otherwise };
  }

  foreach(raw: Json, path: string, env: Env, depth: number): ForeachStep {
    this.keys(raw, FOREACH_KEYS, path);
    const id = this.id(raw, path);
    this.condition(raw.foreach, `${path}.foreach`, env, 'foreach');
    let as = 'item';
    if (raw.as !== undefined) {
      if (typeof raw.as !== 'string' || !ID.test(raw.as) || RESERVED.has(raw.as)) {
        this.problem(`${path}.as`, 'must be a name (letters, digits, "_") other than trigger, steps and error');
      } else as = raw.as;
    }
    if (id !== undefined) this.earlierOthers.add(id);
    const inner: Env = { ...env, vars: new Set([...env.vars, as]) };
    const body = this.stepList(raw.do, `${path}.do`, inner, depth + 1);
    return { id: id ?? '', foreach: raw.foreach as string, as, do: body };
  }

  stop(raw: Json, path: string, env: Env): StopStep {
    this.keys(raw, STOP_KEYS, path);
    const id = this.id(raw, path);
    const stop = raw.stop;
    let error = false;
    let message: string | undefined;
    if (!isObject(stop)) {
      this.problem(`${path}.stop`, `must be an object like { "error": false }, not ${kindOf(stop)}`);
    } else {
      this.keys(stop, ['error', 'message'], `${path}.stop`);
      if (stop.error !== undefined && typeof stop.error !== 'boolean')
        this.problem(`${path}.stop.error`, 'must be true or false');
      else error = stop.error === true;
      if (stop.message !== undefined) {
        if (typeof stop.message !== 'string') this.problem(`${path}.stop.message`, 'must be a string');
        else {
          message = stop.message;
          this.formulas(message, env, `${path}.stop.message`);
        }
      }
    }
    if (id !== undefined) this.earlierOthers.add(id);
    return { id: id ?? '', stop: message === undefined ? { error } : { error, message } };
  }
}

function collectIds(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectIds(v, into);
  else if (isObject(value)) {
    if (typeof value.id === 'string') into.add(value.id);
    for (const key of ['then', 'else', 'do']) collectIds(value[key], into);
  }
}

/** Validates a recipe; on success the recipe comes back with its defaults filled in. */
export function validateRecipe(input: unknown, ctx: RecipeContext): Validation {
  const v = new Validator(ctx);
  if (!isObject(input))
    return { ok: false, problems: [{ path: '', message: `a recipe must be a JSON object, not ${kindOf(input)}` }] };
  collectIds(input.steps, v.laterIds);
  collectIds(input.onError, v.laterIds);
  v.keys(input, RECIPE_KEYS, '');
  const name = v.string(input, 'name', 'name');
  if (name !== undefined && name.length > 200) v.problem('name', 'must be at most 200 characters long');
  const { trigger, fields } = v.trigger(input.trigger);
  const base: Env = {
    trigger: fields ?? { label: 'the trigger', fields: undefined },
    steps: new Map(),
    others: new Set(),
    vars: new Set(),
    error: false,
  };
  const steps = v.stepList(input.steps, 'steps', base, 0);
  const onError = v.stepList(input.onError, 'onError', { ...base, error: true }, 0, true);
  const concurrency = v.integer(input, 'concurrency', 'concurrency', 1, 100, 1);
  if (v.problems.length || !trigger || name === undefined) {
    return {
      ok: false,
      problems: v.problems.length ? v.problems : [{ path: '', message: 'the recipe is incomplete' }],
    };
  }
  return {
    ok: true,
    recipe: { name, trigger, steps, onError, concurrency },
    problems: [],
    warnings: v.unchecked.warnings(),
  };
}

/** Every connector a recipe uses (trigger and steps), for version pins. */
export function connectorsOf(recipe: Recipe): string[] {
  const names = new Set<string>([recipe.trigger.connector]);
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if ('action' in s) names.add(s.connector);
      if ('then' in s) {
        visit(s.then);
        visit(s.else);
      }
      if ('do' in s) visit(s.do);
    }
  };
  visit(recipe.steps);
  visit(recipe.onError);
  return [...names].sort();
}

/** Every connection a recipe uses. */
export function connectionsOf(recipe: Recipe): string[] {
  const names = new Set<string>();
  if (recipe.trigger.connection) names.add(recipe.trigger.connection);
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if ('action' in s && s.connection) names.add(s.connection);
      if ('then' in s) {
        visit(s.then);
        visit(s.else);
      }
      if ('do' in s) visit(s.do);
    }
  };
  visit(recipe.steps);
  visit(recipe.onError);
  return [...names].sort();
}
