/**
 * `defineConnector` returns its argument unchanged but typed. `ctx.input` is typed from
 * literal `inputFields` for actions and triggers written with `defineAction` / `defineTrigger`
 * (TypeScript cannot infer a separate field list per key of one object literal reliably: it
 * loses the field types on the way, so inline actions get `Record<string, any>` rather than a
 * wrong type).
 */
import type { ActionDefinition, ConnectorDefinition, Field, TriggerDefinition } from './types.js';

export function defineConnector(definition: ConnectorDefinition): ConnectorDefinition {
  return definition;
}

/** Keeps a field list literal so that `InputOf` can infer from it. */
export function defineFields<const F extends readonly Field[]>(fields: F): F {
  return fields;
}

/** One action, with `ctx.input` typed from its literal `inputFields`. */
export function defineAction<const F extends readonly Field[] = readonly Field[]>(
  action: ActionDefinition<F>,
): ActionDefinition<F> {
  return action;
}

/**
 * One trigger, with `ctx.input` typed from its literal `inputFields` (and its events' type from
 * an annotated `dedup` parameter).
 */
export function defineTrigger<const F extends readonly Field[] = readonly Field[], Event = any>(
  trigger: TriggerDefinition<F, Event>,
): TriggerDefinition<F, Event> {
  return trigger;
}
