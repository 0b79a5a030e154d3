/**
 * The operations a host can run on a connector, as data. Each operation is a plain object
 * (`{ kind: 'action', action: 'create_contact', input }`): no functions, no classes, so the
 * same message can later cross a process boundary to a connector host. Pure: no Node imports.
 */

/**
 * One row per operation kind. `subject` says what the operation names (its `name` field);
 * `auth` whether requests made by the operation carry the connection's authorization
 * (`skip`: the operation obtains it); `redactOutput` whether its output holds credentials
 * and is redacted before it is returned.
 */
export const OPERATION_KINDS = {
  action: { subject: 'action', auth: 'apply', redactOutput: false },
  poll: { subject: 'trigger', auth: 'apply', redactOutput: false },
  dedup: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_notification: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_subscribe: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_unsubscribe: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_refresh: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_key: { subject: 'trigger', auth: 'apply', redactOutput: false },
  webhook_keys: { subject: 'connector', auth: 'apply', redactOutput: false },
  input_fields: { subject: 'operation', auth: 'apply', redactOutput: false },
  output_fields: { subject: 'operation', auth: 'apply', redactOutput: false },
  config_fields: { subject: 'operation', auth: 'apply', redactOutput: false },
  sample_output: { subject: 'operation', auth: 'apply', redactOutput: false },
  description: { subject: 'operation', auth: 'apply', redactOutput: false },
  help: { subject: 'operation', auth: 'apply', redactOutput: false },
  object_definition: { subject: 'object_definition', auth: 'apply', redactOutput: false },
  pick_list: { subject: 'pick_list', auth: 'apply', redactOutput: false },
  method: { subject: 'method', auth: 'apply', redactOutput: false },
  stream: { subject: 'stream', auth: 'apply', redactOutput: false },
  test: { subject: 'connector', auth: 'apply', redactOutput: false },
  identity: { subject: 'connector', auth: 'apply', redactOutput: false },
  base_uri: { subject: 'connector', auth: 'apply', redactOutput: false },
  acquire: { subject: 'connector', auth: 'skip', redactOutput: true },
  refresh: { subject: 'connector', auth: 'skip', redactOutput: true },
  apply: { subject: 'connector', auth: 'apply', redactOutput: true },
  authorization_start: { subject: 'connector', auth: 'skip', redactOutput: false },
} as const;

export type OperationKind = keyof typeof OPERATION_KINDS;

/** Every kind, in table order. */
export const OPERATION_KIND_NAMES = Object.keys(OPERATION_KINDS) as OperationKind[];

/** The kinds that read one field list or text of an action or a trigger. */
export type DescribeKind =
  | 'input_fields'
  | 'output_fields'
  | 'config_fields'
  | 'sample_output'
  | 'description'
  | 'help';

/** The kinds of one trigger's webhook lifecycle that get the webhook request context. */
export type WebhookLifecycleKind = 'webhook_subscribe' | 'webhook_unsubscribe' | 'webhook_refresh' | 'webhook_key';

/** An inbound webhook request as plain data (header names in any case). */
export interface WebhookRequest {
  payload?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  rawBody?: string;
}

/** `ctx.resume` of an action running again after `waitForResume`. */
export type ResumeData = { payload: unknown; headers: Record<string, string> } | { timedOut: true };

/** What most operations that run a definition's lambdas take. */
interface WithInput {
  input?: unknown;
  /** Values of the operation's config fields (they may also be given inside `input`). */
  configFields?: Record<string, unknown>;
}

export interface ActionOperation extends WithInput {
  kind: 'action';
  action: string;
  /** The `continue` value of a multistep action's next step. */
  continue?: unknown;
  resume?: ResumeData;
}

export interface PollOperation extends WithInput {
  kind: 'poll';
  trigger: string;
  closure?: unknown;
}

export interface DedupOperation {
  kind: 'dedup';
  trigger: string;
  /** One event or an array of events. */
  input?: unknown;
}

export interface WebhookNotificationOperation extends WithInput {
  kind: 'webhook_notification';
  trigger: string;
  webhook?: WebhookRequest;
  webhookUrl?: string;
  subscription?: unknown;
  closure?: unknown;
}

export interface WebhookLifecycleOperation extends WithInput {
  kind: WebhookLifecycleKind;
  trigger: string;
  webhook?: WebhookRequest;
  webhookUrl?: string;
  /** What `webhook_subscribe` returned (for unsubscribe and refresh). */
  subscription?: unknown;
  closure?: unknown;
}

export interface WebhookKeysOperation {
  kind: 'webhook_keys';
  webhook?: WebhookRequest;
  webhookUrl?: string;
}

/** A field list or text of an action or a trigger (forms, `weft exec`). */
export interface DescribeOperation extends WithInput {
  kind: DescribeKind;
  of: 'action' | 'trigger';
  name: string;
}

export interface ObjectDefinitionOperation {
  kind: 'object_definition';
  name: string;
  configFields?: Record<string, unknown>;
}

export interface PickListOperation {
  kind: 'pick_list';
  name: string;
  /** The pick list's arguments (an object). */
  args?: unknown;
}

export interface MethodOperation {
  kind: 'method';
  name: string;
  /** The method's arguments (an array). */
  args?: unknown;
}

export interface StreamOperation {
  kind: 'stream';
  name: string;
  args?: unknown;
}

export interface ConnectionOperation {
  kind: 'test' | 'identity' | 'base_uri' | 'apply' | 'refresh';
}

export interface AcquireOperation {
  kind: 'acquire';
  /**
   * For the authorization-code grant: the code from the redirect, the redirect URI it was sent
   * to and the PKCE verifier.
   */
  authorizationCode?: { code: string; redirectUri: string; codeVerifier?: string };
}

/**
 * The start of an OAuth2 authorization-code flow for the connection: the authorization URL (with
 * a fresh state and, when the connector asks, PKCE), built from the connector's settings, which
 * may be lambdas of the connection.
 */
export interface AuthorizationStartOperation {
  kind: 'authorization_start';
  redirectUri: string;
}

export type Operation =
  | ActionOperation
  | PollOperation
  | DedupOperation
  | WebhookNotificationOperation
  | WebhookLifecycleOperation
  | WebhookKeysOperation
  | DescribeOperation
  | ObjectDefinitionOperation
  | PickListOperation
  | MethodOperation
  | StreamOperation
  | ConnectionOperation
  | AcquireOperation
  | AuthorizationStartOperation;

/** The operation of one kind (an interface shared by several kinds, narrowed to this one). */
export type OperationOf<K extends OperationKind> = Operation extends infer O
  ? O extends { kind: infer J }
    ? K extends J
      ? O & { kind: K }
      : never
    : never
  : never;
