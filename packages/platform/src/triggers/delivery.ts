/**
 * Delivery of one webhook request to one recipe (SPEC §6): the trigger's `webhookNotification`
 * shapes the reply and the events, the events are deduplicated against the recipe's seen
 * signatures in the transaction that creates the jobs (group commit), and only once that
 * transaction has committed is the delivery accepted. The HTTP routes (runtime/ingress.ts)
 * find the recipes and send the reply; this module knows nothing of HTTP.
 */
import { isWeftError, messageOf } from '@weft/sdk';
import { runWebhookNotification, type WebhookReply, type WebhookRequest, webhookErrorReply } from '@weft/sdk/runtime';
import type { Connections } from '../connections.js';
import { runOperation, signEvents } from '../connector-runtime.js';
import { ConnectorHostError, RETRYABLE_HOST_FAILURES } from '../isolation/host-errors.js';
import type { Log } from '../log.js';
import { StoreError } from '../store/store.js';
import type { GroupCommit } from './commit.js';
import type { WebhookRecipe } from './webhook-recipes.js';

/** What one recipe made of one request. */
export interface Delivery {
  /** True when the notification accepted the request (and its jobs are committed). */
  accepted: boolean;
  reply: WebhookReply;
  created: number;
  duplicates: number;
}

export interface DeliveryDeps {
  connections: Pick<Connections, 'live'>;
  commits: Pick<GroupCommit, 'commit'>;
  log: Log;
}

export function jsonReply(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): WebhookReply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    // The API's error shape: a webhook sender reads the same `{ error: { code, message } }`.
    body: JSON.stringify({ error: { code, message } }),
  };
}

export const NOT_RUNNING = () =>
  jsonReply(404, 'NOT_FOUND', 'No running recipe receives webhooks at this URL; nothing was created');

/**
 * The connector's host ended the notification (a limit, a crash): 503 when trying again may
 * work (the sender's retry), 500 for what the connector may not do.
 */
function hostFailureReply(error: unknown): WebhookReply | undefined {
  if (!(error instanceof ConnectorHostError)) return undefined;
  return jsonReply(RETRYABLE_HOST_FAILURES.has(error.code) ? 503 : 500, error.code, error.message);
}

const FAULTS: Readonly<Record<number, string>> = {
  500: "The connector failed on this request (a fault in its code or in what it may do, in the server's log)",
  502: "The connector's call to its own API failed (in the server's log)",
  503: 'The connector could not run just now',
};

/**
 * The reply a sender gets for an error: a refusal (4xx) keeps the connector's words, meant for
 * the sender; a fault (5xx) keeps its code and status but not its message, which may name the
 * connector's code, its API's answer or the server's limits. The sender is anyone who knows the
 * URL; the message is in the server's log (logged by the caller).
 */
export function errorReplyForSender(reply: WebhookReply): WebhookReply {
  if (reply.status < 500) return reply;
  let code = 'INTERNAL_ERROR';
  try {
    code = String(JSON.parse(reply.body).error.code ?? code);
  } catch {
    // Not the error shape: the generic code.
  }
  const fault = FAULTS[reply.status] ?? FAULTS[500];
  return jsonReply(reply.status, code, `${fault}; nothing was created: send it again later`, {
    ...(reply.headers['retry-after'] ? { 'retry-after': reply.headers['retry-after'] } : {}),
  });
}

/** Runs one recipe's notification for a request and commits its events. */
export async function deliver(deps: DeliveryDeps, recipe: WebhookRecipe, request: WebhookRequest): Promise<Delivery> {
  let events: unknown[];
  let signatures: string[] | undefined;
  let shaped: WebhookReply;
  try {
    const live = recipe.connection ? await deps.connections.live(recipe.connection) : undefined;
    const outcome = await runWebhookNotification({
      connector: recipe.definition,
      trigger: recipe.triggerName,
      request,
      connection: live?.values ?? {},
      input: recipe.input,
      subscription: recipe.subscription,
      webhookUrl: recipe.webhookUrl,
      executeOptions: { mode: 'interactive', refreshGate: live?.refreshGate, dispatcher: live?.dispatcher },
      runner: runOperation,
    });
    events = outcome.events;
    shaped = outcome.reply;
    if (typeof recipe.trigger.dedup === 'function' && events.length > 0) {
      signatures = await signEvents(recipe.definition, recipe.triggerName, events, {
        mode: 'interactive',
        connection: live?.values ?? {},
      });
    }
  } catch (error) {
    const reply = errorReplyForSender(hostFailureReply(error) ?? webhookErrorReply(error));
    // The executor's messages are redacted: they carry no connection secret.
    deps.log(
      reply.status >= 500 ? 'error' : 'warn',
      `Webhook of recipe "${recipe.name}" refused with ${reply.status}`,
      {
        recipeId: recipe.id,
        code: isWeftError(error) ? error.code : 'INTERNAL_ERROR',
        error: messageOf(error),
        ...(isWeftError(error) && error.details?.reason ? { reason: error.details.reason } : {}),
      },
    );
    return { accepted: false, reply, created: 0, duplicates: 0 };
  }
  if (events.length === 0) return { accepted: true, reply: shaped, created: 0, duplicates: 0 };
  // A recipe still subscribing has answered its handshake; its events wait for the start.
  if (recipe.state === 'starting' && !(await recipe.ready)) {
    return { accepted: false, reply: NOT_RUNNING(), created: 0, duplicates: 0 };
  }
  try {
    const committed = await deps.commits.commit({ recipeId: recipe.id, events, signatures });
    return { accepted: true, reply: shaped, created: committed.jobs.length, duplicates: committed.duplicates };
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NOT_FOUND') {
      return { accepted: false, reply: NOT_RUNNING(), created: 0, duplicates: 0 };
    }
    deps.log('error', `The events of a webhook of recipe "${recipe.name}" could not be stored`, {
      recipeId: recipe.id,
      error: messageOf(error),
    });
    return {
      accepted: false,
      reply: jsonReply(503, 'STORE_UNAVAILABLE', 'The event could not be stored; send it again', {
        'retry-after': '1',
      }),
      created: 0,
      duplicates: 0,
    };
  }
}
