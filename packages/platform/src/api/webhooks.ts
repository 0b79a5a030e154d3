/**
 * The webhook routes, public and outside `/api` (no token: the URL's secret is the credential):
 *
 * - `/webhooks/recipes/:recipeId/:secret`: one recipe's own URL.
 * - `/webhooks/static/:connector`: one URL per connector (its `webhookKeys` picks the recipes).
 *
 * Bodies are read raw whatever their type (signatures cover the exact bytes), must be UTF-8 text
 * sent uncompressed, and JSON bodies may not nest too deep. What a request does is
 * runtime/ingress.ts; the sender is answered once its events are committed.
 */
import { isUtf8 } from 'node:buffer';
import type { WebhookReply, WebhookRequest } from '@weft/sdk';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UnsupportedError } from '../errors.js';
import type { ServerContext } from '../runtime/context.js';
import { NOT_RUNNING, WebhookIngress } from '../runtime/ingress.js';
import { errorBody, handleError } from './errors.js';
import { checkNesting } from './nesting.js';

/**
 * Methods a sender may use: POST for deliveries, GET for verification handshakes, PUT, PATCH.
 * HEAD (reachability checks) only answers whether the URL is live: it never runs a lambda.
 */
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];

/** Headers of a shaped reply that Fastify or the connection own. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

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
  const encoding = request.headers['content-encoding']?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new UnsupportedError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${encoding}" is not supported for webhooks: send the body uncompressed`,
    );
  }
  const body = request.body;
  let rawBody = '';
  if (Buffer.isBuffer(body) && body.length > 0) {
    if (!isUtf8(body)) {
      throw new UnsupportedError(
        'UNSUPPORTED_MEDIA_TYPE',
        'The webhook body is not UTF-8 text: Weft receives text bodies (JSON, forms, XML, plain text)',
      );
    }
    rawBody = body.toString('utf8');
    if (parsedAsJson(request.headers['content-type'])) checkNesting(rawBody, 'The webhook body');
  }
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

export async function webhookRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const ingress = new WebhookIngress(context);
  const limit = context.options.webhookBodyLimit;

  await app.register(async (scope) => {
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
      handleError(error, request, reply);
    });

    scope.route<{ Params: { recipeId: string; secret: string } }>({
      method: METHODS,
      url: '/webhooks/recipes/:recipeId/:secret',
      bodyLimit: limit,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const recipe = ingress.recipeAt(request.params.recipeId, request.params.secret);
        if (!recipe) return send(reply, NOT_RUNNING());
        if (request.method === 'HEAD') return reply.code(200).send();
        const delivery = await ingress.deliver(recipe, webhookRequest(request));
        return send(reply, delivery.reply);
      },
    });

    scope.route<{ Params: { connector: string } }>({
      method: METHODS,
      url: '/webhooks/static/:connector',
      bodyLimit: limit,
      exposeHeadRoute: false,
      handler: async (request, reply) => {
        const found = ingress.staticConnector(request.params.connector);
        if (!found.ok) return send(reply, found.reply);
        if (request.method === 'HEAD') return reply.code(200).send();
        const shaped = await ingress.receiveStatic(request.params.connector, webhookRequest(request));
        return shaped ? send(reply, shaped) : reply.code(200).send();
      },
    });
  });
}
