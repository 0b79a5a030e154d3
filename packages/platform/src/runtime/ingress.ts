/**
 * Webhook ingress (SPEC §6, §10): what happens to a request sent to the public URLs applications
 * deliver events to (their routes are api/webhooks.ts).
 *
 * - `/webhooks/recipes/:recipeId/:secret`: one recipe's own URL (dynamic webhooks and any
 *   webhook trigger). The recipe must be running and the secret must match (compared in
 *   constant time); otherwise 404 and nothing is created.
 * - `/webhooks/static/:connector`: one URL per connector; the connector's `webhookKeys` gives
 *   the request's key and every running recipe listening for that key receives the request.
 *
 * Each recipe runs its trigger's `webhookNotification` (the raw body is kept for signature
 * checks; JSON and forms are parsed unless the trigger wants the raw text), its events are
 * deduplicated against the recipe's seen signatures in the transaction that creates the jobs,
 * and only once that transaction has committed is the sender answered, with the reply the
 * trigger shaped. Commits of concurrent requests are grouped (commit.ts). Running recipes are
 * looked up in memory (webhook-recipes.ts), never in the store.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  isWeftError,
  messageOf,
  runWebhookNotification,
  signaturesOf,
  type WebhookReply,
  type WebhookRequest,
  webhookErrorReply,
  webhookKeyOfRequest,
} from '@weft/sdk';
import { StoreError } from '../store/store.js';
import { GroupCommit } from './commit.js';
import type { ServerContext } from './context.js';
import { type WebhookRecipe, type WebhookRecipes, webhookRecipesOf } from './webhook-recipes.js';

/** What one recipe made of one request. */
export interface Delivery {
  /** True when the notification accepted the request (and its jobs are committed). */
  accepted: boolean;
  reply: WebhookReply;
  created: number;
  duplicates: number;
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
    body: JSON.stringify({ error: { code, message } }),
  };
}

export const NOT_RUNNING = () =>
  jsonReply(404, 'NOT_FOUND', 'No running recipe receives webhooks at this URL; nothing was created');

function secretMatches(expected: Buffer, given: string): boolean {
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/**
 * What the webhook routes (api/webhooks.ts) call: a request for a recipe's URL or a connector's
 * static URL in, the reply to send out once its events are committed.
 */
export class WebhookIngress {
  private readonly recipes: WebhookRecipes;
  private readonly commits: GroupCommit;

  constructor(private readonly context: ServerContext) {
    this.recipes = webhookRecipesOf(context);
    this.commits = new GroupCommit({ store: context.store, runtime: context.runtime, log: context.log });
  }

  /** The running recipe listening at this URL, or undefined (a wrong secret is no recipe). */
  recipeAt(recipeId: string, secret: string): WebhookRecipe | undefined {
    const recipe = this.recipes.get(recipeId);
    return recipe && secretMatches(recipe.secret, secret) ? recipe : undefined;
  }

  /** The connector's static webhook URL: the reply, or undefined when no such URL exists (404 sent). */
  staticConnector(name: string): { ok: true } | { ok: false; reply: WebhookReply } {
    const connector = this.context.registry.get(name);
    if (connector && typeof connector.definition.webhookKeys === 'function') return { ok: true };
    return {
      ok: false,
      reply: jsonReply(
        404,
        'NOT_FOUND',
        connector
          ? `The connector "${name}" has no static webhooks (no webhookKeys); nothing was created`
          : `No connector named "${name}"; nothing was created`,
      ),
    };
  }

  /** Runs the static webhook of a connector (checked by `staticConnector`) for every recipe its key matches. */
  async receiveStatic(name: string, webhook: WebhookRequest): Promise<WebhookReply | undefined> {
    const { context } = this;
    const connector = context.registry.get(name)!;
    let key: string;
    try {
      key = await webhookKeyOfRequest(connector.definition, webhook, { mode: 'interactive' });
    } catch (error) {
      context.log('warn', `A static webhook of "${name}" was refused: webhookKeys failed`, {
        connector: name,
        error: messageOf(error),
      });
      return webhookErrorReply(error);
    }
    const matches = this.recipes.matching(name, key);
    if (matches.length === 0) {
      // Applications send the events of every account to this URL; nobody listening for
      // this one is normal, and a 2xx keeps the sender from retrying.
      context.log('info', `A static webhook of "${name}" matched no running recipe`, { connector: name, key });
      return undefined;
    }
    const deliveries = await Promise.all(matches.map((recipe) => this.deliver(recipe, webhook)));
    return (deliveries.find((d) => d.accepted) ?? deliveries[0]).reply;
  }

  /** Runs one recipe's notification for a request and commits its events. */
  async deliver(recipe: WebhookRecipe, request: WebhookRequest): Promise<Delivery> {
    const { context, commits } = this;
    const where = `triggers.${recipe.triggerName}`;
    let events: unknown[];
    let signatures: string[] | undefined;
    let shaped: WebhookReply;
    try {
      const live = recipe.connection ? await context.connections.live(recipe.connection) : undefined;
      const outcome = await runWebhookNotification({
        connector: recipe.definition,
        trigger: recipe.triggerName,
        request,
        connection: live?.values ?? {},
        input: recipe.input,
        subscription: recipe.subscription,
        webhookUrl: recipe.webhookUrl,
        executeOptions: { mode: 'interactive', onConnectionUpdate: live?.onConnectionUpdate },
      });
      events = outcome.events;
      shaped = outcome.reply;
      if (typeof recipe.trigger.dedup === 'function' && events.length > 0) {
        signatures = signaturesOf(recipe.trigger.dedup, events, where);
      }
    } catch (error) {
      const reply = webhookErrorReply(error);
      // The executor's messages are redacted: they carry no connection secret.
      context.log(
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
      const committed = await commits.commit({ recipeId: recipe.id, events, signatures });
      return { accepted: true, reply: shaped, created: committed.jobs.length, duplicates: committed.duplicates };
    } catch (error) {
      if (error instanceof StoreError && error.code === 'NOT_FOUND') {
        return { accepted: false, reply: NOT_RUNNING(), created: 0, duplicates: 0 };
      }
      context.log('error', `The events of a webhook of recipe "${recipe.name}" could not be stored`, {
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
}
