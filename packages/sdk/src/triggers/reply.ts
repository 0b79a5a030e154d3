/**
 * What happens around `webhookNotification` (SPEC §6), without I/O: reading a request body the
 * way the trigger asks (`webhookPayloadType`), normalizing what the lambda returned to a list
 * of events, shaping the reply (`webhookResponseStatus/Body/Headers`), mapping a failure to a
 * status, and the signature helpers of the webhook context. `weft exec`, `weft listen` and the
 * runtime's ingress all use these.
 */
import { isWeftError, WeftError } from '../errors.js';
import type { TriggerDefinition, WebhookContext, WebhookSignatureHelpers } from '../types.js';
import {
  checkHmac,
  checkStripeSignature,
  checkTimestampedHmac,
  computeHmac,
  type SignatureCheck,
} from './signature.js';

/** The HTTP reply to one webhook request: `body` is already serialized. */
export interface WebhookReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** The events a notification returned: one event, an array of events, or nothing (a handshake). */
export function normalizeEvents(output: unknown): unknown[] {
  if (output === undefined || output === null) return [];
  return Array.isArray(output) ? output : [output];
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const lower = name.toLowerCase();
  // Headers usually come with lower-case names already (Node's, the webhook context's copy).
  if (Object.hasOwn(headers, lower)) return headers[lower];
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** A form body as an object; a repeated key becomes an array of its values. */
export function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const prev = out[key];
    out[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/**
 * `ctx.payload` of a request: with `webhookPayloadType: 'raw'` the body string unchanged;
 * otherwise JSON bodies parsed (an invalid one is a WEBHOOK_REQUEST_INVALID error), forms
 * parsed into an object, other content types the body string. A body without a content type
 * is parsed as JSON when it is JSON. An empty body is `{}`.
 */
export function parseWebhookBody(
  rawBody: string,
  contentType: string | undefined,
  payloadType: 'json' | 'raw' | undefined,
): unknown {
  if (payloadType === 'raw') return rawBody;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (rawBody.trim() === '' && (type === '' || isJson(type) || type === 'application/x-www-form-urlencoded')) return {};
  if (isJson(type)) {
    try {
      return JSON.parse(rawBody);
    } catch (error) {
      throw new WeftError(
        'WEBHOOK_REQUEST_INVALID',
        `The webhook body is not valid JSON (${(error as Error).message}); content-type was ${type}`,
        { details: { replyStatus: 400 } },
      );
    }
  }
  if (type === 'application/x-www-form-urlencoded') return parseForm(rawBody);
  if (type === '') {
    try {
      return JSON.parse(rawBody);
    } catch {
      return rawBody;
    }
  }
  return rawBody;
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json') || type === 'text/json';
}

/** `ctx.payload` from what the caller has: a parsed payload, a raw body, or both. */
export function resolvePayload(
  request: { payload?: unknown; rawBody?: string; headers?: Record<string, string> },
  payloadType: 'json' | 'raw' | undefined,
): unknown {
  if (payloadType === 'raw') {
    if (request.rawBody !== undefined) return request.rawBody;
    if (request.payload === undefined) return '';
    return typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload);
  }
  if (request.payload !== undefined) return request.payload;
  if (request.rawBody !== undefined) {
    return parseWebhookBody(request.rawBody, headerOf(request.headers, 'content-type'), payloadType);
  }
  return {};
}

type ReplyContext = WebhookContext;

/** A reply setting, given as a value or a function of the request's context. Connector code: checked by the caller. */
async function resolveValue(value: unknown, ctx: ReplyContext): Promise<unknown> {
  return typeof value === 'function' ? await value(ctx) : value;
}

/**
 * The reply to a request the notification accepted: `webhookResponseStatus` (default 200),
 * `webhookResponseHeaders` and `webhookResponseBody` (a string is sent as text, anything else
 * as JSON; none is an empty body). Each may be a function of the request's context.
 */
export async function buildWebhookReply(
  trigger: Pick<TriggerDefinition, 'webhookResponseStatus' | 'webhookResponseBody' | 'webhookResponseHeaders'>,
  ctx: ReplyContext,
  where = 'trigger',
): Promise<WebhookReply> {
  if (
    trigger.webhookResponseStatus === undefined &&
    trigger.webhookResponseHeaders === undefined &&
    trigger.webhookResponseBody === undefined
  ) {
    return { status: 200, headers: {}, body: '' };
  }
  const status = (await resolveValue(trigger.webhookResponseStatus, ctx)) ?? 200;
  if (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599) {
    throw new WeftError(
      'LAMBDA_FAILED',
      `${where}.webhookResponseStatus must be an HTTP status code (100-599), got ${JSON.stringify(status)}`,
    );
  }
  const rawHeaders = (await resolveValue(trigger.webhookResponseHeaders, ctx)) ?? {};
  if (typeof rawHeaders !== 'object' || Array.isArray(rawHeaders)) {
    throw new WeftError(
      'LAMBDA_FAILED',
      `${where}.webhookResponseHeaders must be an object of header names to strings`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(rawHeaders as Record<string, unknown>)) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const body = await resolveValue(trigger.webhookResponseBody, ctx);
  let text = '';
  if (typeof body === 'string') {
    text = body;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (body !== undefined && body !== null) {
    text = JSON.stringify(body);
    headers['content-type'] ??= 'application/json';
  }
  return { status: status as number, headers, body: text };
}

/**
 * The reply to a request that failed: 400 for a bad request or a notification that refused it
 * (`ctx.error`), 401 when a signature check failed, 413 for a body over the limit, 502 when
 * the notification's own API call failed (the sender should retry), 500 for anything else.
 */
/**
 * Errors the JavaScript engine raises: a connector bug, not a verdict on the request. By name,
 * so that errors from another realm (a sandboxed connector) count too. Not SyntaxError: at run
 * time it comes from `JSON.parse` of a malformed body, which is the sender's to fix.
 */
const ENGINE_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'EvalError', 'URIError']);

/** Codes that say the definition is wrong (fixing the connector, not the request, helps). */
const DEFINITION_CODES = new Set([
  'DEFINITION_INVALID',
  'UNKNOWN_METHOD',
  'UNKNOWN_OBJECT_DEFINITION',
  'OBJECT_DEFINITION_CYCLE',
  'UNKNOWN_PATH',
]);

/**
 * A bug in the connector (a TypeError in `webhookNotification`, a broken definition) answers
 * 500, so the sender retries once it is fixed; a deliberate refusal (`ctx.error()`, a thrown
 * Error, bad input) stays 400.
 */
function isConnectorBug(error: WeftError): boolean {
  if (DEFINITION_CODES.has(error.code)) return true;
  const cause = error.cause as { name?: unknown } | null | undefined;
  return error.code === 'LAMBDA_FAILED' && typeof cause === 'object' && ENGINE_ERRORS.has(String(cause?.name));
}

export function webhookErrorReply(error: unknown): WebhookReply {
  let status = 500;
  let code = 'INTERNAL_ERROR';
  let message = 'The webhook could not be processed';
  if (isWeftError(error)) {
    code = error.code;
    message = error.message;
    const explicit = error.details?.replyStatus;
    if (typeof explicit === 'number') status = explicit;
    else if (code === 'WEBHOOK_SIGNATURE_INVALID') status = 401;
    else if (code === 'HTTP_ERROR' || code === 'HTTP_CONNECTION_FAILED' || code === 'HTTP_TIMEOUT') status = 502;
    else if (code === 'REAUTHORIZE') status = 502;
    else if (isConnectorBug(error)) status = 500;
    else status = 400;
  }
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error: { code, message } }),
  };
}

/** Tracks the signature checks of one request: a failure just before an error makes it a 401. */
export interface SignatureState {
  rejected: boolean;
  reason?: string;
}

/**
 * The signature helpers of one webhook context, reading the request's headers, raw body and
 * the run's clock. A failed check is logged (debug) with its reason and remembered in `state`.
 */
export function webhookSignatureHelpers(
  request: { headers: Record<string, string>; rawBody: string | undefined },
  now: () => Date,
  state: SignatureState,
  log?: (message: string) => void,
): WebhookSignatureHelpers {
  const header = (name: string | undefined) => (name ? headerOf(request.headers, name) : undefined);
  const record = (check: SignatureCheck, what: string): boolean => {
    state.rejected = !check.valid;
    state.reason = check.reason;
    if (!check.valid) log?.(`${what}: ${check.reason}`);
    return check.valid;
  };
  const signatureOf = (o: { signature?: string | null; signatureHeader?: string }) =>
    o.signature !== undefined ? o.signature : header(o.signatureHeader);
  const payloadOf = (o: { payload?: string | Uint8Array }) => (o.payload !== undefined ? o.payload : request.rawBody);
  return {
    verifyHmac(options) {
      return record(
        checkHmac({ ...options, signature: signatureOf(options), payload: payloadOf(options) }),
        'HMAC signature rejected',
      );
    },
    verifyTimestampedHmac(options) {
      const timestamp = options.timestamp !== undefined ? options.timestamp : header(options.timestampHeader);
      return record(
        checkTimestampedHmac({
          ...options,
          signature: signatureOf(options),
          payload: payloadOf(options),
          timestamp,
          now: now(),
        }),
        'timestamped signature rejected',
      );
    },
    verifyStripeSignature(options) {
      const signature =
        options.signature !== undefined ? options.signature : header(options.signatureHeader ?? 'stripe-signature');
      return record(
        checkStripeSignature({ ...options, signature, payload: payloadOf(options), now: now() }),
        'Stripe signature rejected',
      );
    },
    computeHmac,
  };
}
