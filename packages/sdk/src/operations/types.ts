/**
 * What a host gives a run besides the operation (the connection and its callbacks), and what
 * each operation kind returns. Operations and results are plain data; only `RunOptions` holds
 * functions, and it stays on the host's side of a future process boundary.
 */

import type { AuthorizationRequest } from '../auth/oauth2.js';
import type { RefreshGate } from '../auth/refresh.js';
import type { LogLevel, RunEnvironment } from '../execute/context.js';
import type { HelpText } from '../execute/fields.js';
import type { HttpExchangeLog } from '../http/types.js';
import type { Operation, OperationKind } from '../model/operations.js';
import type { WebhookReply } from '../triggers/reply.js';
import type { ConnectorDefinition, Field, PollOutput } from '../types.js';

export interface RunOptions {
  /** The connection's values (from settings or the store). Refreshed values are merged in place. */
  connection?: Record<string, unknown>;
  /** `interactive` (40 s per request, the default) or `job` (3 min). */
  mode?: 'interactive' | 'job';
  now?: () => Date;
  retryBaseMs?: number;
  onExchange?: (log: HttpExchangeLog) => void;
  onLog?: (level: LogLevel, message: string, data?: unknown) => void;
  dispatcher?: RunEnvironment['dispatcher'];
  /** Values known to be secret beyond what the connection fields say. */
  secrets?: Iterable<string>;
  /**
   * `ctx.resumeUrl` of an action: the URL that resumes it after `waitForResume`. A function is
   * called on first use only (the runtime mints a token only for actions that ask).
   */
  resumeUrl?: string | (() => string);
  /**
   * Told about the values a refresh (or a re-run `acquire`) merged into `connection`, once per
   * refresh by the run that performed it: store them. A failure here is logged, not raised.
   */
  onConnectionUpdate?: (values: Record<string, unknown>) => void | Promise<void>;
  /**
   * Where a refresh runs when several processes share the stored connection: the gate locks
   * it, hands back values another process stored meanwhile (no refresh then), or runs the
   * refresh and stores its values before it unlocks (see `RefreshGate`). `onConnectionUpdate`
   * is still told afterwards; with a gate it must not store the values again.
   */
  refreshGate?: RefreshGate;
  /**
   * The wall-time limit of this operation where a host enforces one (the platform's isolated
   * connector hosts); an in-process run has none beyond its requests' timeouts.
   */
  timeLimitMs?: number;
}

export type { RefreshGate, RefreshGateOutcome } from '../auth/refresh.js';

export interface OutputResult<T = unknown> {
  kind: 'output';
  output: T;
  /** Input keys no field declares (dropped by input processing). */
  dropped: string[];
  /** `webhook_notification`: the reply to send (webhookResponseStatus/Body/Headers). */
  reply?: WebhookReply;
}

export interface SuspendedResult {
  kind: 'suspended';
  reinvokeAfter: { seconds: number; continue: unknown };
}

/** `ctx.waitForResume`: run again when the resume URL is called, or after the timeout. */
export interface WaitingResult {
  kind: 'waiting';
  waitForResume: { timeoutSeconds: number; continue: unknown };
}

export interface StreamResult {
  kind: 'stream';
  stream: AsyncIterable<Uint8Array>;
}

/** The connection's grant type, and for the authorization-code grant the start of the flow. */
export interface AuthorizationStartResult {
  grantType: string;
  start?: AuthorizationRequest & { grantType: string; pkce: boolean };
}

export type OperationResult = OutputResult | SuspendedResult | WaitingResult | StreamResult;

/** The result of each kind. */
export interface OperationResults {
  action: OutputResult | SuspendedResult | WaitingResult;
  poll: OutputResult<PollOutput>;
  dedup: OutputResult<unknown[]>;
  webhook_notification: OutputResult & { reply: WebhookReply };
  webhook_subscribe: OutputResult;
  webhook_unsubscribe: OutputResult;
  webhook_refresh: OutputResult;
  webhook_key: OutputResult;
  webhook_keys: OutputResult;
  input_fields: OutputResult<Field[]>;
  output_fields: OutputResult<Field[]>;
  config_fields: OutputResult<Field[]>;
  sample_output: OutputResult;
  description: OutputResult<string | null>;
  help: OutputResult<HelpText | null>;
  object_definition: OutputResult<Field[]>;
  pick_list: OutputResult<unknown[][]>;
  method: OutputResult;
  stream: StreamResult;
  test: OutputResult;
  identity: OutputResult<string | null>;
  base_uri: OutputResult<string | null>;
  acquire: OutputResult;
  refresh: OutputResult;
  apply: OutputResult;
  authorization_start: OutputResult<AuthorizationStartResult>;
}

export type ResultOf<K extends OperationKind> = OperationResults[K];

export function output<T>(value: T, dropped: string[] = []): OutputResult<T> {
  return { kind: 'output', output: (value === undefined ? null : value) as T, dropped };
}

/**
 * Something that runs operations: `runOperation` itself (in this process), or a host that
 * sends them to an isolated connector process. Host helpers (`runPoll`, `runWebhookNotification`,
 * the webhook key helpers) take one so that the connector's code runs wherever the host decides.
 */
export type OperationRunner = <O extends Operation>(
  connector: ConnectorDefinition,
  operation: O,
  options?: RunOptions,
) => Promise<ResultOf<O['kind']>>;
