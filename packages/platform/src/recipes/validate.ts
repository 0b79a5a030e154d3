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
import type { ActionDefinition, TriggerDefinition } from '@weft/sdk';
import type { RecipeWarning } from './datapill-check.js';
import {
  type Env,
  ID,
  isObject,
  type Json,
  kindOf,
  type Outputs,
  outputsOf,
  type Problem,
  READ_ONLY_KEYS,
  RESERVED,
  RecipeChecks,
  type RecipeContext,
} from './recipe-checks.js';
import type { ActionStep, ForeachStep, IfStep, Recipe, RecipeTrigger, Step, StopStep } from './types.js';

export { type Problem, READ_ONLY_KEYS, type RecipeContext } from './recipe-checks.js';
export { connectionsOf, connectorsOf } from './recipe-refs.js';

export type Validation =
  | { ok: true; recipe: Recipe; problems: []; warnings: RecipeWarning[] }
  | { ok: false; problems: Problem[] };

const RECIPE_KEYS = ['name', 'trigger', 'steps', 'onError', 'concurrency', ...READ_ONLY_KEYS];
const TRIGGER_KEYS = ['connector', 'connection', 'trigger', 'input', 'pollIntervalSeconds'];
/** The longest `timeoutSeconds` of an action step: an hour. */
export const MAX_STEP_TIMEOUT_SECONDS = 3600;
const ACTION_KEYS = ['id', 'connector', 'connection', 'action', 'input', 'timeoutSeconds'];
const IF_KEYS = ['id', 'if', 'then', 'else'];
const FOREACH_KEYS = ['id', 'foreach', 'as', 'do'];
const STOP_KEYS = ['id', 'stop'];
const MAX_DEPTH = 10;

class Validator extends RecipeChecks {
  trigger(value: unknown): { trigger?: RecipeTrigger; fields?: Outputs } {
    if (!isObject(value)) {
      this.problem('trigger', value === undefined ? 'is required' : `must be an object, not ${kindOf(value)}`);
      return {};
    }
    this.keys(value, TRIGGER_KEYS, 'trigger');
    const { connectorName, connection, name, operation: trigger } = this.operation(value, 'trigger', 'trigger');
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

  /** The connector, connection and named trigger or action of the trigger or action step at `path`. */
  operation(raw: Json, kind: 'trigger' | 'action', path: string) {
    const connectorName = this.string(raw, 'connector', `${path}.connector`);
    const definition = this.connector(connectorName, `${path}.connector`);
    const connection = this.connection(raw, connectorName, definition, `${path}.connection`);
    const name = this.string(raw, kind, `${path}.${kind}`);
    const operations: Record<string, ActionDefinition | TriggerDefinition> | undefined =
      kind === 'trigger' ? definition?.triggers : definition?.actions;
    let operation: ActionDefinition | TriggerDefinition | undefined;
    if (definition && name !== undefined) {
      operation = operations?.[name];
      if (!operation) {
        const known = Object.keys(operations ?? {});
        this.problem(
          `${path}.${kind}`,
          `connector "${connectorName}" has no ${kind} "${name}" (${kind}s: ${known.join(', ') || 'none'})`,
        );
      }
    }
    return { connectorName, connection, name, operation };
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
    const { connectorName, connection, name, operation: action } = this.operation(raw, 'action', path);
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
    const timeoutSeconds =
      raw.timeoutSeconds === undefined
        ? undefined
        : this.integer(raw, 'timeoutSeconds', `${path}.timeoutSeconds`, 1, MAX_STEP_TIMEOUT_SECONDS, 0);
    return {
      id: id ?? '',
      connector: connectorName ?? '',
      ...(connection === undefined ? {} : { connection }),
      action: name ?? '',
      input: isObject(input) ? input : {},
      ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
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

/**
 * Where a recipe holds U+0000 (NUL), in a key or a string: nothing a recipe does needs it, and
 * the PostgreSQL store's queue reads definitions as `jsonb`, which cannot hold it.
 */
function nulPaths(value: unknown, path: string, into: string[]): void {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) into.push(path);
  } else if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) nulPaths(item, `${path}[${i}]`, into);
  } else if (isObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const shown = key.replaceAll('\u0000', '\\u0000');
      const at = path ? `${path}.${shown}` : shown;
      if (key.includes('\u0000')) into.push(at);
      else nulPaths(item, at, into);
    }
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
  const nuls: string[] = [];
  nulPaths(input, '', nuls);
  for (const path of nuls) v.problem(path, 'holds the character U+0000 (NUL), which a recipe may not hold: remove it');
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
