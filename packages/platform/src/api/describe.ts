/**
 * How connectors look through the API: actions and triggers with their static fields resolved
 * (and as JSON Schema); fields computed by a lambda are marked `dynamic` and resolved on demand.
 */
import {
  type ActionDefinition,
  type ConnectorDefinition,
  type Field,
  fieldsToJsonSchema,
  type TriggerDefinition,
} from '@weft/sdk';
import type {
  AuthType,
  ConnectorSummary,
  ConnectorView,
  FieldSet,
  OperationView,
  TriggerKind,
  TriggerView,
} from '@weft/sdk/model';
import type { RegisteredConnector } from '../registry.js';
import { operationTexts } from './describe-text.js';

function fieldSet(fields: unknown, mode: 'input' | 'output'): FieldSet {
  if (fields === undefined) return { dynamic: false, fields: [], schema: fieldsToJsonSchema([], { mode }) };
  if (typeof fields === 'function') return { dynamic: true };
  const list = fields as readonly Field[];
  return { dynamic: false, fields: list, schema: fieldsToJsonSchema(list, { mode }) };
}

async function describeOperation(
  c: RegisteredConnector,
  section: 'actions' | 'triggers',
  name: string,
  op: ActionDefinition | TriggerDefinition,
): Promise<OperationView> {
  return {
    name,
    title: op.title ?? name,
    subtitle: op.subtitle,
    ...(await operationTexts(c.definition, section, name, op)),
    deprecated: op.deprecated ?? false,
    configFields: fieldSet(op.configFields, 'input'),
    inputFields: fieldSet(op.inputFields, 'input'),
    outputFields: fieldSet(op.outputFields, 'output'),
  };
}

function triggerKind(trigger: TriggerDefinition): TriggerKind {
  const webhook = typeof trigger.webhookNotification === 'function';
  if (webhook && typeof trigger.poll === 'function') return 'hybrid';
  if (!webhook) return 'polling';
  return typeof trigger.webhookSubscribe === 'function' ? 'dynamic_webhook' : 'static_webhook';
}

export function summarizeConnector(c: RegisteredConnector): ConnectorSummary {
  const d = c.definition;
  return {
    name: c.name,
    title: d.title,
    description: d.description,
    version: c.version.version,
    actions: Object.keys(d.actions ?? {}),
    triggers: Object.keys(d.triggers ?? {}),
    ...(c.builtin ? { builtin: true } : {}),
  };
}

/** A `multi` authorization's options by name and type (the console offers "Connect" when one is OAuth 2.0). */
function authorizationOptions(d: ConnectorDefinition): { authorizationOptions?: Record<string, AuthType> } {
  const auth = d.connection?.authorization;
  if (auth?.type !== 'multi') return {};
  return {
    authorizationOptions: Object.fromEntries(Object.entries(auth.options ?? {}).map(([name, o]) => [name, o.type])),
  };
}

export async function describeConnector(c: RegisteredConnector): Promise<ConnectorView> {
  const d = c.definition;
  return {
    ...summarizeConnector(c),
    authorization: d.connection?.authorization?.type ?? 'none',
    ...authorizationOptions(d),
    secureTunnel: d.secureTunnel === true,
    connectionFields: fieldSet(d.connection?.fields, 'input'),
    actions: await Promise.all(
      Object.entries(d.actions ?? {}).map(([name, action]) => describeOperation(c, 'actions', name, action)),
    ),
    triggers: await Promise.all(
      Object.entries(d.triggers ?? {}).map(
        async ([name, trigger]): Promise<TriggerView> => ({
          ...(await describeOperation(c, 'triggers', name, trigger)),
          kind: triggerKind(trigger),
        }),
      ),
    ),
    pickLists: Object.keys(d.pickLists ?? {}),
  };
}
