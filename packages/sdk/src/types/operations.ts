/** Actions (SPEC §5) and triggers (SPEC §6). */
import type { ResponseMatcher } from './auth.js';
import type { ActionContext, Fields, FieldsContext, PollContext, WebhookContext } from './contexts.js';
import type { Field, InputOf } from './fields.js';

// ---------------------------------------------------------------------------------------------
// Actions (SPEC §5)

export interface ActionDefinition<InFs = readonly Field[]> {
  title?: string;
  subtitle?: string;
  description?: string | ((ctx: FieldsContext) => string);
  help?: string | ((ctx: FieldsContext) => string | { body: string; learnMoreUrl?: string });
  configFields?: readonly Field[];
  inputFields?: InFs | ((ctx: FieldsContext) => readonly Field[] | Promise<readonly Field[]>);
  execute: (ctx: ActionContext<InputOf<InFs>>) => unknown;
  outputFields?: Fields<FieldsContext>;
  sampleOutput?: unknown | ((ctx: FieldsContext) => unknown);
  retryOnResponse?: readonly ResponseMatcher[];
  retryOnRequest?: readonly string[];
  maxRetries?: number;
  summarizeInput?: readonly string[];
  summarizeOutput?: readonly string[];
  batch?: boolean;
  bulk?: boolean;
  deprecated?: boolean;
  displayPriority?: number;
}

// ---------------------------------------------------------------------------------------------
// Triggers (SPEC §6)

export interface PollResult<Closure = unknown> {
  events: unknown[];
  nextPoll?: Closure | null;
  canPollMore?: boolean;
  /**
   * When the next poll should run, if sooner than the recipe's poll interval (a `Date` or an ISO
   * 8601 time): a trigger that fires at set times (a cron tick) asks to be polled at that time.
   * The runtime never polls later than the interval because of it; a time in the past means at once.
   */
  nextPollAt?: Date | string | null;
}

/** A poll's result as the `poll` operation answers it: defaults filled in, `nextPollAt` as ISO text. */
export interface PollOutput<Closure = unknown> {
  events: unknown[];
  nextPoll: Closure | null;
  canPollMore: boolean;
  /** Only present when the poll asked for a time. */
  nextPollAt?: string;
}

/** A static reply value, or a function of the request's webhook context (e.g. to echo a challenge). */
export type WebhookResponseValue<T, InFs = readonly Field[]> = T | ((ctx: WebhookContext<InputOf<InFs>>) => T);

/**
 * A trigger. `InFs` is its literal input field list (typing `ctx.input`, see `defineTrigger`);
 * `Event` is the type of the events it emits, as `dedup` receives them (default `any`).
 */
export interface TriggerDefinition<InFs = readonly Field[], Event = any> {
  title?: string;
  subtitle?: string;
  description?: string | ((ctx: FieldsContext) => string);
  help?: string | ((ctx: FieldsContext) => string | { body: string; learnMoreUrl?: string });
  configFields?: readonly Field[];
  inputFields?: InFs | ((ctx: FieldsContext) => readonly Field[] | Promise<readonly Field[]>);
  outputFields?: Fields<FieldsContext>;
  sampleOutput?: unknown | ((ctx: FieldsContext) => unknown);
  poll?: (ctx: PollContext<InputOf<InFs>>) => PollResult | Promise<PollResult>;
  /** The signature of one event: events with a signature seen before are not emitted again. */
  dedup?: (record: Event) => string;
  /** Static webhooks: the key this recipe listens for; may call the API (a number becomes a string). */
  webhookKey?: (ctx: PollContext<InputOf<InFs>>) => string | number | Promise<string | number>;
  webhookSubscribe?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  webhookUnsubscribe?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  webhookRefresh?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  /**
   * Runs `webhookRefresh` this often (seconds) for APIs whose registrations lapse after a known
   * time. A subscription whose data carries `expires_at` is refreshed before that time instead.
   */
  webhookRefreshSeconds?: number;
  webhookNotification?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  /** `raw`: `ctx.payload` is the body string, unparsed. Otherwise JSON and forms are parsed. */
  webhookPayloadType?: 'json' | 'raw';
  /** The reply to each request (handshakes): a value, or computed from the request. */
  webhookResponseStatus?: WebhookResponseValue<number, InFs>;
  webhookResponseBody?: WebhookResponseValue<string | number | boolean | object | null | undefined, InFs>;
  webhookResponseHeaders?: WebhookResponseValue<Record<string, string>, InFs>;
  summarizeOutput?: readonly string[];
  deprecated?: boolean;
  displayPriority?: number;
}
