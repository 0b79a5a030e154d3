/**
 * Webhook ingress (SPEC §6, §10): the public URLs applications deliver events to.
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
 * trigger shaped (triggers/delivery.ts). Commits of concurrent requests are grouped
 * (triggers/commit.ts). Running recipes are looked up in memory (triggers/webhook-recipes.ts),
 * never in the store.
 */
import { timingSafeEqual } from 'node:crypto';
import { messageOf } from '@weft/sdk';
import { type WebhookReply, type WebhookRequest, webhookErrorReply, webhookKeyOfRequest } from '@weft/sdk/runtime';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { runOperation } from '../connector-runtime.js';
import type { ServerContext } from '../runtime/context.js';
import { deliver, errorReplyForSender, jsonReply, NOT_RUNNING } from '../triggers/delivery.js';
import { errorBody, handleError } from './errors.js';
import { checkNesting } from './nesting.js';
import { utf8Text } from './text-body.js';

/**
 * Methods a sender may use: POST for deliveries, GET for verification handshakes, PUT, PATCH.
 * HEAD (reachability checks) only answers whether the URL is live: it never runs a lambda.
 */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** Headers of a shaped reply that Fastify or the connection own. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

function secretMatches(expected: Buffer, given: string): boolean {
  const candidate = Buffer.from(given);
  return candidate.length === expected.length && timingSafeEqual(candidate, expected);
}

/** The query string, first value of each name (as `weft listen` reads it). */
function queryOf(url: string): Record<string, string> {
  const at = url.indexOf('?');
  if (at < 0) return {};
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(url.slice(at + 1))) if (!(key in params)) params[key] = value;
  return params;
}

/** Bodies the SDK parses as JSON for `ctx.payload`: JSON types, and bodies without a type. */
function parsedAsJson(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === '' || type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

/** The request as webhook lambdas see it; the body must be UTF-8 text, sent uncompressed. */
function webhookRequest(request: FastifyRequest): WebhookRequest {
  const rawBody = utf8Text(request.headers, Buffer.isBuffer(request.body) ? request.body : undefined, {
    requests: 'webhooks',
    body: 'The webhook body',
    hint: 'Weft receives text bodies (JSON, forms, XML, plain text)',
  });
  if (rawBody && parsedAsJson(request.headers['content-type'])) checkNesting(rawBody, 'The webhook body');
  return {
    // Lower-case names already; the executor copies them for the lambda's context.
    headers: request.headers as Record<string, string>,
    params: queryOf(request.url),
    rawBody,
  };
}

function send(reply: FastifyReply, webhook: WebhookReply): FastifyReply {
  reply.code(webhook.status);
  for (const [name, value] of Object.entries(webhook.headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase())) reply.header(name, value);
  }
  return reply.send(webhook.body === '' ? undefined : webhook.body);
}

export function registerWebhookRoutes(app: FastifyInstance, context: ServerContext): void {
  const { recipes, delivery: deliveryDeps } = context.webhooks;
  const limit = context.options.webhookBodyLimit;

  app.register(async (scope) => {
    // Bodies are read raw, whatever their type: signatures are computed over the exact bytes.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: limit }, (_request, body, done) =>
      done(null, body),
    );
    scope.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        reply
          .status(413)
          .send(
            errorBody(
              'BODY_TOO_LARGE',
              `The webhook body is larger than this server accepts (${limit} bytes, set by WEFT_WEBHOOK_BODY_LIMIT); nothing was created`,
            ),
          );
        return;
      }
      if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        reply
          .status(415)
          .send(
            errorBody(
              'UNSUPPORTED_MEDIA_TYPE',
              `The Content-Type header "${String(request.headers['content-type'] ?? '')}" is not a valid media type`,
            ),
          );
        return;
      }
      if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') {
        reply
          .status(400)
          .send(
            errorBody('INVALID_REQUEST', 'The webhook body does not have the length its Content-Length header says'),
          );
        return;
      }
      handleError(error, request, reply, context.log);
    });

    scope.route<{ Params: { recipeId: string; secret: string } }>({
      method: METHODS,
      url: '/webhooks/recipes/:recipeId/:secret',
      bodyLimit: limit,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const recipe = recipes.get(request.params.recipeId);
        if (!recipe || !secretMatches(recipe.secret, request.params.secret)) return send(reply, NOT_RUNNING());
        if (request.method === 'HEAD') return reply.code(200).send();
        const delivery = await deliver(deliveryDeps, recipe, webhookRequest(request));
        return send(reply, delivery.reply);
      },
    });

    scope.route<{ Params: { connector: string } }>({
      method: METHODS,
      url: '/webhooks/static/:connector',
      bodyLimit: limit,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const name = request.params.connector;
        const connector = context.registry.get(name);
        if (!connector || typeof connector.definition.webhookKeys !== 'function') {
          return send(
            reply,
            jsonReply(
              404,
              'NOT_FOUND',
              connector
                ? `The connector "${name}" has no static webhooks (no webhookKeys); nothing was created`
                : `No connector named "${name}"; nothing was created`,
            ),
          );
        }
        if (request.method === 'HEAD') return reply.code(200).send();
        const webhook = webhookRequest(request);
        let key: string;
        try {
          key = await webhookKeyOfRequest(connector.definition, webhook, { mode: 'interactive', runner: runOperation });
        } catch (error) {
          context.log('warn', `A static webhook of "${name}" was refused: webhookKeys failed`, {
            connector: name,
            error: messageOf(error),
          });
          return send(reply, errorReplyForSender(webhookErrorReply(error)));
        }
        const matches = recipes.matching(name, key);
        if (matches.length === 0) {
          // Applications send the events of every account to this URL; nobody listening for
          // this one is normal, and a 2xx keeps the sender from retrying.
          context.log('info', `A static webhook of "${name}" matched no running recipe`, { connector: name, key });
          return reply.code(200).send();
        }
        const deliveries = await Promise.all(matches.map((recipe) => deliver(deliveryDeps, recipe, webhook)));
        return send(reply, (deliveries.find((d) => d.accepted) ?? deliveries[0]).reply);
      },
    });
  });
}
