/**
 * `defineConnector` returns its argument unchanged but typed. Literal `inputFields` of each
 * action and trigger give `ctx.input` its type (write the field list inline, or with
 * `defineFields` / `as const`).
 */
import type { ActionDefinition, ConnectorDefinition, Field, TriggerDefinition } from './types.js';

type ActionsOf<A> = { [K in keyof A]: ActionDefinition<A[K]> };
type TriggersOf<T> = { [K in keyof T]: TriggerDefinition<T[K]> };

export type ConnectorInput<A, T> = Omit<ConnectorDefinition, 'actions' | 'triggers'> & {
  actions?: ActionsOf<A>;
  triggers?: TriggersOf<T>;
};

export function defineConnector<
  const A extends Record<string, unknown> = {},
  const T extends Record<string, unknown> = {},
>(definition: ConnectorInput<A, T>): ConnectorDefinition {
  return definition as ConnectorDefinition;
}

/** Keeps a field list literal so that `InputOf` can infer from it. */
export function defineFields<const F extends readonly Field[]>(fields: F): F {
  return fields;
}

/** Types one action on its own (for actions kept in separate files). */
export function defineAction<const F extends readonly Field[] | unknown = readonly Field[]>(
  action: ActionDefinition<F>,
): ActionDefinition<F> {
  return action;
}

/** Types one trigger on its own. */
export function defineTrigger<const F extends readonly Field[] | unknown = readonly Field[]>(
  trigger: TriggerDefinition<F>,
): TriggerDefinition<F> {
  return trigger;
}
