/**
 * Webhook operations: `webhook_notification` (one request in, events and a reply out), the
 * subscription lifecycle (`webhook_subscribe`, `webhook_unsubscribe`, `webhook_refresh`), the
 * trigger's `webhook_key` and the connector's `webhook_keys`.
 */
import { isWeftError, WeftError } from '../errors.js';
import { createBaseContext, extend, type RunEnvironment, runLambda } from '../execute/context.js';
import { convertOutput, prepareInput, resolveOutputFields } from '../execute/fields.js';
import type {
  WebhookKeysOperation,
  WebhookLifecycleOperation,
  WebhookNotificationOperation,
  WebhookRequest,
} from '../model/operations.js';
import {
  buildWebhookReply,
  resolvePayload,
  type SignatureState,
  type WebhookReply,
  webhookSignatureHelpers,
} from '../triggers/reply.js';
import type { ConnectorContext, TriggerDefinition, WebhookContext } from '../types.js';
import { findTrigger } from './poll.js';
import { type OutputResult, output } from './types.js';

interface RequestData {
  webhook?: WebhookRequest;
  webhookUrl?: string;
  subscription?: unknown;
  closure?: unknown;
}

/**
 * The context of webhook lambdas: the request (payload parsed as the trigger asks, headers with
 * lower-cased names, query parameters, raw body) and the signature helpers bound to it.
 */
function webhookContext(
  base: ConnectorContext,
  data: RequestData,
  input: Record<string, unknown>,
  trigger?: TriggerDefinition,
  signatures: SignatureState = { rejected: false },
): WebhookContext {
  const webhook = data.webhook ?? {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(webhook.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const rawBody = webhook.rawBody;
  const helpers = webhookSignatureHelpers({ headers, rawBody }, base.now, signatures, (m) => base.log.debug(m));
  // `base` is this run's own context: extending it spares a copy per request.
  const ctx: Omit<WebhookContext, 'configFields' | 'extendedInputSchema' | 'extendedOutputSchema'> = extend(base, {
    input,
    payload: resolvePayload({ payload: webhook.payload, rawBody, headers }, trigger?.webhookPayloadType),
    headers,
    params: webhook.params ?? {},
    rawBody,
    webhookUrl: data.webhookUrl,
    subscription: data.subscription,
    closure: data.closure,
    ...helpers,
  });
  // A trigger's `base` carries its config fields (`webhookKeys` has none); the resolved schemas
  // are set for `webhookNotification` only (as WebhookContext says).
  return ctx as WebhookContext;
}

const LIFECYCLE = {
  webhook_subscribe: 'webhookSubscribe',
  webhook_unsubscribe: 'webhookUnsubscribe',
  webhook_refresh: 'webhookRefresh',
  webhook_key: 'webhookKey',
} as const;

/** `webhook_subscribe`, `webhook_unsubscribe`, `webhook_refresh` and `webhook_key`. */
export async function runWebhookLifecycle(env: RunEnvironment, operation: WebhookLifecycleOperation) {
  const trigger = findTrigger(env.connector, operation.trigger);
  const where = `triggers.${operation.trigger}`;
  const lambdaName = LIFECYCLE[operation.kind];
  const fn = trigger[lambdaName] as ((ctx: WebhookContext) => unknown) | undefined;
  if (typeof fn !== 'function') throw new WeftError('UNKNOWN_PATH', `${where} defines no ${lambdaName}.`);
  const prepared = await prepareInput(where, trigger, env, operation);
  const ctx = webhookContext(prepared.ctx, operation, prepared.input, trigger);
  return output(await runLambda(`${where}.${lambdaName}`, env.redactor, () => fn(ctx)), prepared.dropped);
}

/** The connector's `webhookKeys` over a request (static webhooks). */
export async function runWebhookKeys(env: RunEnvironment, operation: WebhookKeysOperation): Promise<OutputResult> {
  const webhookKeys = env.connector.webhookKeys;
  if (typeof webhookKeys !== 'function') {
    throw new WeftError('UNKNOWN_PATH', 'This connector defines no `webhookKeys` (static webhooks).');
  }
  const ctx = webhookContext(createBaseContext(env), operation, {});
  return output(await runLambda('webhookKeys', env.redactor, () => webhookKeys(ctx)));
}

export async function runWebhookNotification(
  env: RunEnvironment,
  operation: WebhookNotificationOperation,
): Promise<OutputResult & { reply: WebhookReply }> {
  const trigger = findTrigger(env.connector, operation.trigger);
  const where = `triggers.${operation.trigger}`;
  const fn = trigger.webhookNotification;
  if (typeof fn !== 'function') throw new WeftError('UNKNOWN_PATH', `${where} defines no webhookNotification.`);
  const prepared = await prepareInput(where, trigger, env, operation);
  const signatures: SignatureState = { rejected: false };
  const ctx = webhookContext(prepared.ctx, operation, prepared.input, trigger, signatures);
  // Resolved before the lambda runs: Workato passes them to `webhook_notification` too.
  const outputFields = await resolveOutputFields(where, trigger, prepared, env);
  extend(ctx, { extendedInputSchema: prepared.inputFields, extendedOutputSchema: outputFields });
  let result: unknown;
  try {
    result = await runLambda(`${where}.webhookNotification`, env.redactor, () => fn(ctx));
  } catch (error) {
    // A refusal right after a failed signature check is a signature failure (answered 401).
    if (signatures.rejected && isWeftError(error) && error.code !== 'WEBHOOK_SIGNATURE_INVALID') {
      throw new WeftError('WEBHOOK_SIGNATURE_INVALID', error.message, {
        cause: error,
        details: { reason: signatures.reason },
      });
    }
    throw error;
  }
  if (outputFields.length && result !== null && result !== undefined) {
    const events = Array.isArray(result) ? result : [result];
    const converted = await Promise.all(events.map((e) => convertOutput(outputFields, e, env)));
    result = Array.isArray(result) ? converted : converted[0];
  }
  const reply = await runLambda(`${where}.webhookResponse`, env.redactor, () => buildWebhookReply(trigger, ctx, where));
  return { ...output(result, prepared.dropped), reply };
}
