/**
 * Exec paths (SPEC §9): `actions.create_contact.execute`, `pick_lists.statuses`, ...
 * Parsing is pure; `listPaths` gives the valid paths of a connector for error messages, and
 * `pathToOperation` the typed operation a path names (the CLI is the one place that parses paths).
 */
import { WeftError } from '../errors.js';
import type { AcquireOperation, Operation, ResumeData, WebhookRequest } from '../model/operations.js';
import type { ConnectorContext, ConnectorDefinition } from '../types.js';

export const ACTION_OPERATIONS = [
  'execute',
  'input_fields',
  'output_fields',
  'sample_output',
  'config_fields',
  'description',
  'help',
] as const;
export const TRIGGER_OPERATIONS = [
  'poll',
  'input_fields',
  'output_fields',
  'sample_output',
  'config_fields',
  'dedup',
  'webhook_notification',
  'webhook_subscribe',
  'webhook_unsubscribe',
  'webhook_refresh',
  'webhook_key',
  'description',
  'help',
] as const;
export const AUTH_OPERATIONS = ['acquire', 'refresh', 'apply'] as const;

export type ActionOperation = (typeof ACTION_OPERATIONS)[number];
export type TriggerOperation = (typeof TRIGGER_OPERATIONS)[number];
export type AuthOperation = (typeof AUTH_OPERATIONS)[number];

export type ExecTarget =
  | { kind: 'test' }
  | { kind: 'action'; name: string; operation: ActionOperation }
  | { kind: 'trigger'; name: string; operation: TriggerOperation }
  | { kind: 'pick_list'; name: string }
  | { kind: 'method'; name: string }
  | { kind: 'object_definition'; name: string }
  | { kind: 'stream'; name: string }
  | { kind: 'webhook_keys' }
  | { kind: 'authorization'; operation: AuthOperation }
  | { kind: 'base_uri' }
  | { kind: 'identity' };

const SECTION_ALIASES: Record<string, string> = {
  actions: 'actions',
  triggers: 'triggers',
  pick_lists: 'pick_lists',
  pickLists: 'pick_lists',
  methods: 'methods',
  object_definitions: 'object_definitions',
  objectDefinitions: 'object_definitions',
  streams: 'streams',
};

/** camelCase operation names are accepted too (`inputFields` → `input_fields`). */
function snake(op: string): string {
  return op.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Parses a path. Author-chosen names may contain dots: the operation is the last segment,
 * the name everything between the section and the operation.
 */
export function parseExecPath(path: string, connector?: ConnectorDefinition): ExecTarget {
  const trimmed = path.trim();
  if (trimmed === 'test') return { kind: 'test' };
  if (trimmed === 'webhook_keys' || trimmed === 'webhookKeys') return { kind: 'webhook_keys' };
  if (trimmed === 'connection.base_uri' || trimmed === 'connection.baseUri') return { kind: 'base_uri' };
  if (trimmed === 'identity' || trimmed === 'connection.identity') return { kind: 'identity' };
  const auth = /^connection\.authorization\.(\w+)$/.exec(trimmed);
  if (auth) {
    const op = snake(auth[1]);
    if ((AUTH_OPERATIONS as readonly string[]).includes(op))
      return { kind: 'authorization', operation: op as AuthOperation };
    throw unknownPath(path, connector);
  }
  const dot = trimmed.indexOf('.');
  const section = SECTION_ALIASES[dot < 0 ? trimmed : trimmed.slice(0, dot)];
  const rest = dot < 0 ? '' : trimmed.slice(dot + 1);
  if (!section || !rest) throw unknownPath(path, connector);

  switch (section) {
    case 'pick_lists':
      return { kind: 'pick_list', name: rest };
    case 'methods':
      return { kind: 'method', name: rest };
    case 'streams':
      return { kind: 'stream', name: rest };
    case 'object_definitions': {
      const name = rest.endsWith('.fields') ? rest.slice(0, -'.fields'.length) : rest;
      return { kind: 'object_definition', name };
    }
    case 'actions':
    case 'triggers': {
      const last = rest.lastIndexOf('.');
      const name = last < 0 ? rest : rest.slice(0, last);
      const op = last < 0 ? (section === 'actions' ? 'execute' : 'poll') : snake(rest.slice(last + 1));
      const ops: readonly string[] = section === 'actions' ? ACTION_OPERATIONS : TRIGGER_OPERATIONS;
      if (!ops.includes(op) || !name) throw unknownPath(path, connector);
      return section === 'actions'
        ? { kind: 'action', name, operation: op as ActionOperation }
        : { kind: 'trigger', name, operation: op as TriggerOperation };
    }
  }
  throw unknownPath(path, connector);
}

/** Every path that makes sense for this connector, for help and error messages. */
export function listPaths(connector: ConnectorDefinition): string[] {
  const paths: string[] = [];
  if (connector.test) paths.push('test');
  if (identityOf(connector)) paths.push('identity');
  const auth = connector.connection?.authorization as Record<string, unknown> | undefined;
  for (const op of AUTH_OPERATIONS)
    if (auth && typeof auth[op] === 'function') paths.push(`connection.authorization.${op}`);
  for (const [name, action] of Object.entries(connector.actions ?? {})) {
    paths.push(`actions.${name}.execute`, `actions.${name}.input_fields`, `actions.${name}.output_fields`);
    if (action.sampleOutput !== undefined) paths.push(`actions.${name}.sample_output`);
    if (action.configFields) paths.push(`actions.${name}.config_fields`);
    if (action.description !== undefined) paths.push(`actions.${name}.description`);
    if (action.help !== undefined) paths.push(`actions.${name}.help`);
  }
  for (const [name, trigger] of Object.entries(connector.triggers ?? {})) {
    if (trigger.poll) paths.push(`triggers.${name}.poll`);
    if (trigger.webhookNotification) paths.push(`triggers.${name}.webhook_notification`);
    if (trigger.webhookSubscribe) paths.push(`triggers.${name}.webhook_subscribe`);
    if (trigger.webhookUnsubscribe) paths.push(`triggers.${name}.webhook_unsubscribe`);
    if (trigger.webhookRefresh) paths.push(`triggers.${name}.webhook_refresh`);
    if (trigger.webhookKey) paths.push(`triggers.${name}.webhook_key`);
    if (trigger.dedup) paths.push(`triggers.${name}.dedup`);
    paths.push(`triggers.${name}.input_fields`, `triggers.${name}.output_fields`);
    if (trigger.sampleOutput !== undefined) paths.push(`triggers.${name}.sample_output`);
    if (trigger.description !== undefined) paths.push(`triggers.${name}.description`);
    if (trigger.help !== undefined) paths.push(`triggers.${name}.help`);
  }
  for (const name of Object.keys(connector.pickLists ?? {})) paths.push(`pick_lists.${name}`);
  for (const name of Object.keys(connector.methods ?? {})) paths.push(`methods.${name}`);
  for (const name of Object.keys(connector.objectDefinitions ?? {})) paths.push(`object_definitions.${name}.fields`);
  for (const name of Object.keys(connector.streams ?? {})) paths.push(`streams.${name}`);
  if (connector.webhookKeys) paths.push('webhook_keys');
  return paths;
}

export function unknownPath(path: string, connector?: ConnectorDefinition): WeftError {
  const valid = connector ? listPaths(connector) : [];
  const list = valid.length ? `\nValid paths for this connector:\n${valid.map((p) => `  ${p}`).join('\n')}` : '';
  return new WeftError('UNKNOWN_PATH', `Unknown exec path "${path}".${list}`, { details: { valid } });
}

/** The connection's `identity` lambda, wherever the connector put it. */
export function identityOf(connector: ConnectorDefinition): ((ctx: ConnectorContext) => unknown) | undefined {
  const auth = connector.connection?.authorization as { identity?: unknown } | undefined;
  const fn = connector.identity ?? connector.connection?.identity ?? auth?.identity;
  return typeof fn === 'function' ? (fn as (ctx: ConnectorContext) => unknown) : undefined;
}

/** The data an exec path's operation may take (`weft exec` flags, `execute` options). */
export interface ExecData {
  input?: unknown;
  closure?: unknown;
  /** A method's arguments (array), or a pick list's or a stream's arguments (object). */
  args?: unknown;
  configFields?: Record<string, unknown>;
  continue?: unknown;
  resume?: ResumeData;
  webhook?: WebhookRequest;
  webhookUrl?: string;
  subscription?: unknown;
  authorizationCode?: AcquireOperation['authorizationCode'];
}

/** The typed operation a parsed path names, with the data it takes. */
export function operationOf(target: ExecTarget, data: ExecData = {}): Operation {
  const { input, configFields } = data;
  switch (target.kind) {
    case 'test':
    case 'identity':
    case 'base_uri':
      return { kind: target.kind };
    case 'authorization':
      return target.operation === 'acquire'
        ? { kind: 'acquire', authorizationCode: data.authorizationCode }
        : { kind: target.operation };
    case 'pick_list':
    case 'method':
    case 'stream':
      return { kind: target.kind, name: target.name, args: data.args };
    case 'object_definition':
      return { kind: 'object_definition', name: target.name, configFields };
    case 'webhook_keys':
      return { kind: 'webhook_keys', webhook: data.webhook, webhookUrl: data.webhookUrl };
    case 'action':
      if (target.operation === 'execute') {
        return {
          kind: 'action',
          action: target.name,
          input,
          configFields,
          continue: data.continue,
          resume: data.resume,
        };
      }
      return { kind: target.operation, of: 'action', name: target.name, input, configFields };
    case 'trigger':
      return triggerOperation(target.name, target.operation, data);
  }
}

function triggerOperation(trigger: string, kind: TriggerOperation, data: ExecData): Operation {
  const { input, configFields } = data;
  switch (kind) {
    case 'poll':
      return { kind, trigger, input, configFields, closure: data.closure };
    case 'dedup':
      return { kind, trigger, input };
    case 'webhook_notification':
    case 'webhook_subscribe':
    case 'webhook_unsubscribe':
    case 'webhook_refresh':
    case 'webhook_key': {
      const { webhook, webhookUrl, subscription, closure } = data;
      return { kind, trigger, input, configFields, webhook, webhookUrl, subscription, closure };
    }
    default:
      return { kind, of: 'trigger', name: trigger, input, configFields };
  }
}

/** Parses a path and gives its typed operation: what the CLI runs for `weft exec <path>`. */
export function pathToOperation(path: string, connector?: ConnectorDefinition, data?: ExecData): Operation {
  return operationOf(parseExecPath(path, connector), data);
}
