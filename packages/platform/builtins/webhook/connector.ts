/**
 * Webhook (built in): a trigger that catches any POST (or other request) at the recipe's own
 * URL (`webhookUrl`): JSON, form (urlencoded) and XML bodies are parsed, anything else is kept
 * as text. Optionally every request must carry an HMAC signature of its raw body, made with the
 * connection's signing secret: a request without a good one is answered 401 and makes no job.
 * The reply (status, body, content type) is the recipe's to choose.
 *
 * The secret lives in the connection, so the vault seals it and the run's redactor knows it:
 * it never appears in logs or in the job's history (the event holds the body and headers only).
 */
import { defineConnector, defineTrigger, isWeftError, parseXml, type WebhookContext } from '@weft/sdk';

/** Request headers not copied into the event: credentials of the sender. */
const HIDDEN_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie']);

function mediaType(headers: Record<string, string>): string {
  return (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

function isXml(type: string): boolean {
  return type === 'application/xml' || type === 'text/xml' || type.endsWith('+xml');
}

/** The body as the event carries it: JSON and forms as the SDK parsed them, XML parsed here. */
async function bodyOf(ctx: WebhookContext): Promise<unknown> {
  const type = mediaType(ctx.headers);
  if (!isXml(type) || typeof ctx.payload !== 'string') return ctx.payload;
  if (ctx.payload.trim() === '') return {};
  try {
    return await parseXml(ctx.payload);
  } catch (error) {
    ctx.error(`The request body is not well-formed XML: ${isWeftError(error) ? error.message : String(error)}`);
  }
}

/** The reply's content type: the one chosen, else JSON when the body is JSON, else plain text. */
function replyType(body: string, chosen: string | undefined): string {
  if (chosen) return chosen;
  try {
    JSON.parse(body);
    return 'application/json';
  } catch {
    return 'text/plain; charset=utf-8';
  }
}

const catchHook = defineTrigger({
  title: 'Catch a webhook',
  description: 'Fires for every request sent to the recipe’s webhook URL (JSON, form or XML).',
  help:
    'Send requests to the recipe’s webhook URL (shown once the recipe is saved). To require ' +
    'signed requests, set a signing secret in the connection and name the header that carries ' +
    'the signature here.',
  inputFields: [
    {
      name: 'signature_header',
      label: 'Signature header',
      hint: 'The header carrying the HMAC of the raw body, e.g. x-hub-signature-256 (used when the connection has a signing secret)',
      optional: true,
      default: 'x-signature',
    },
    {
      name: 'algorithm',
      controlType: 'select',
      pickList: [
        ['HMAC-SHA256', 'sha256'],
        ['HMAC-SHA1', 'sha1'],
        ['HMAC-SHA512', 'sha512'],
      ],
      optional: true,
      default: 'sha256',
    },
    {
      name: 'encoding',
      label: 'Signature encoding',
      controlType: 'select',
      pickList: [
        ['Hex', 'hex'],
        ['Base64', 'base64'],
      ],
      optional: true,
      default: 'hex',
    },
    { name: 'prefix', label: 'Signature prefix', hint: 'e.g. sha256= (GitHub)', optional: true },
    {
      name: 'response_status',
      label: 'Reply status',
      type: 'integer',
      optional: true,
      default: 200,
      hint: 'The HTTP status answered once the job is saved (2xx)',
    },
    { name: 'response_body', label: 'Reply body', controlType: 'text-area', optional: true },
    {
      name: 'response_content_type',
      label: 'Reply content type',
      optional: true,
      hint: 'Default: application/json when the body is JSON, else text/plain',
    },
  ] as const,
  webhookNotification: async (ctx) => {
    const secret = ctx.connection.signing_secret as string | undefined;
    if (secret) {
      const signed = ctx.verifyHmac({
        secret,
        signatureHeader: ctx.input.signature_header || 'x-signature',
        algorithm: (ctx.input.algorithm || 'sha256') as 'sha1' | 'sha256' | 'sha512',
        encoding: (ctx.input.encoding || 'hex') as 'hex' | 'base64',
        prefix: ctx.input.prefix || undefined,
      });
      if (!signed) ctx.error('The request is not signed with the connection’s signing secret');
    }
    const status = ctx.input.response_status ?? 200;
    if (!Number.isInteger(status) || status < 200 || status > 299) {
      ctx.error(`The reply status must be a 2xx status, not ${status}`);
    }
    const headers = Object.fromEntries(Object.entries(ctx.headers).filter(([name]) => !HIDDEN_HEADERS.has(name)));
    return {
      body: await bodyOf(ctx),
      content_type: mediaType(ctx.headers),
      headers,
      query: ctx.params,
      received_at: ctx.now().toISOString(),
    };
  },
  webhookResponseStatus: (ctx) => ctx.input.response_status ?? 200,
  webhookResponseBody: (ctx) => ctx.input.response_body ?? undefined,
  webhookResponseHeaders: (ctx): Record<string, string> =>
    ctx.input.response_body
      ? { 'content-type': replyType(ctx.input.response_body, ctx.input.response_content_type) }
      : {},
  outputFields: [
    {
      name: 'body',
      type: 'object',
      hint: 'The parsed body: JSON, a form as an object, XML as in Data formats, else text',
    },
    { name: 'content_type', label: 'Content type' },
    { name: 'headers', type: 'object', hint: 'Request headers (lower-case names), without credentials' },
    { name: 'query', type: 'object', hint: 'Query string parameters' },
    { name: 'received_at', type: 'date_time' },
  ],
  sampleOutput: {
    body: { order_id: 1042, status: 'paid' },
    content_type: 'application/json',
    headers: { 'content-type': 'application/json', 'user-agent': 'shop/1.0' },
    query: {},
    received_at: '2026-12-07T08:00:00.000Z',
  },
});

export default defineConnector({
  title: 'Webhook',
  description: 'Start recipes from any HTTP request sent to their own URL (built in).',
  connection: {
    fields: [
      {
        name: 'signing_secret',
        label: 'Signing secret',
        controlType: 'password',
        optional: true,
        hint: 'When set, every request must carry an HMAC signature of its body made with this secret',
      },
    ],
  },
  triggers: { catch_hook: catchHook },
});
