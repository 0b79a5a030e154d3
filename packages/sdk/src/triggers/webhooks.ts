/**
 * Webhook triggers (SPEC §6) through the executor: the static-webhook key match, and one
 * received request turned into events plus the reply to send. `weft listen` and the runtime's
 * ingress use these; the parsing and reply rules are in `reply.ts`.
 */
import { WeftError } from '../errors.js';
import type { ExecuteOptions, WebhookRequest } from '../execute/executor.js';
import { runOperation } from '../operations/run.js';
import type { OperationRunner } from '../operations/types.js';
import type { ConnectorDefinition } from '../types.js';
import { acceptWebhookEvents } from './dedup.js';
import { signerOf } from './poll.js';
import { normalizeEvents, type WebhookReply } from './reply.js';
import type { SeenStore } from './seen.js';

function keyString(value: unknown, where: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new WeftError(
    'LAMBDA_FAILED',
    `${where} must return a string key, got ${value === null ? 'null' : typeof value}`,
  );
}

/** The key a request carries: the connector's `webhookKeys(ctx)` over the request. */
export async function webhookKeyOfRequest(
  connector: ConnectorDefinition,
  request: WebhookRequest,
  options: ExecuteOptions & { runner?: OperationRunner } = {},
): Promise<string> {
  const operation = { kind: 'webhook_keys', webhook: request, webhookUrl: options.webhookUrl } as const;
  const result = await (options.runner ?? runOperation)(connector, operation, options);
  return keyString(result.kind === 'output' ? result.output : undefined, 'webhookKeys');
}

/** The key a recipe listens for: the trigger's `webhookKey(ctx)` from its connection and input. */
export async function webhookKeyOfRecipe(
  connector: ConnectorDefinition,
  trigger: string,
  options: ExecuteOptions & { runner?: OperationRunner } = {},
): Promise<string> {
  const { input, configFields, webhook, webhookUrl, subscription, closure } = options;
  const operation = {
    kind: 'webhook_key',
    trigger,
    input,
    configFields,
    webhook,
    webhookUrl,
    subscription,
    closure,
  } as const;
  const result = await (options.runner ?? runOperation)(connector, operation, options);
  return keyString(result.kind === 'output' ? result.output : undefined, `triggers.${trigger}.webhookKey`);
}

export interface StaticRecipe {
  /** The trigger of the recipe. */
  triggerName: string;
  /** The key its `webhookKey` computed when the recipe started. */
  key: string;
}

/**
 * Static webhooks: computes the request's key with the connector's `webhookKeys` and returns
 * the recipes (of webhook triggers of this connector) that listen for that key.
 */
export async function matchStaticWebhook<R extends StaticRecipe>(
  connector: ConnectorDefinition,
  request: WebhookRequest,
  recipes: readonly R[],
  options: ExecuteOptions = {},
): Promise<{ key: string; matches: R[] }> {
  const key = await webhookKeyOfRequest(connector, request, options);
  const matches = recipes.filter(
    (r) => r.key === key && typeof connector.triggers?.[r.triggerName]?.webhookNotification === 'function',
  );
  return { key, matches };
}

export interface WebhookRunOptions {
  connector: ConnectorDefinition;
  trigger: string;
  request: WebhookRequest;
  connection?: Record<string, unknown>;
  input?: unknown;
  /** What `webhookSubscribe` returned (dynamic webhooks): `ctx.subscription`. */
  subscription?: unknown;
  webhookUrl?: string;
  /** With a store, events are deduplicated (hybrid triggers share it with their polls) and recorded. */
  store?: SeenStore;
  recipeKey?: string;
  executeOptions?: ExecuteOptions;
  /** Where the connector's code runs (default: `runOperation`, in this process). */
  runner?: OperationRunner;
}

export interface WebhookOutcome {
  /** What `webhookNotification` returned, unchanged (after output conversion). */
  output: unknown;
  /** The new events, as a list. */
  events: unknown[];
  signatures: string[];
  duplicates: number;
  /** What to answer the sender. */
  reply: WebhookReply;
}

/**
 * Runs `webhookNotification` for one request. A failure throws (answer it with
 * `webhookErrorReply(error)`).
 */
export async function runWebhookNotification(options: WebhookRunOptions): Promise<WebhookOutcome> {
  const { connector, trigger } = options;
  const where = `triggers.${trigger}`;
  const data = options.executeOptions;
  const runOptions = { ...data, connection: options.connection ?? data?.connection };
  const result = await (options.runner ?? runOperation)(
    connector,
    {
      kind: 'webhook_notification',
      trigger,
      input: options.input ?? data?.input,
      configFields: data?.configFields,
      webhook: options.request,
      webhookUrl: options.webhookUrl ?? data?.webhookUrl,
      subscription: options.subscription ?? data?.subscription,
      closure: data?.closure,
    },
    runOptions,
  );
  if (result.kind !== 'output') {
    throw new WeftError('LAMBDA_FAILED', `${where}.webhookNotification must return events`);
  }
  const all = normalizeEvents(result.output);
  const fresh = options.store
    ? await acceptWebhookEvents(options.store, connector.triggers?.[trigger] ?? {}, all, {
        scope: options.recipeKey,
        where,
        sign: options.runner && signerOf(options.runner, connector, trigger, runOptions),
      })
    : { events: all, signatures: [], duplicates: 0 };
  return {
    output: result.output,
    events: fresh.events,
    signatures: fresh.signatures,
    duplicates: fresh.duplicates,
    reply: result.reply ?? { status: 200, headers: {}, body: '' },
  };
}
