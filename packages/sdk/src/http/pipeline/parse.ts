/**
 * Parse: the outermost step. Turns the final outcome into what awaiting the request yields —
 * the parsed body (or what `afterResponse` returns) — or throws: the attempt's error, an
 * HttpError for a 4xx/5xx (unless an `afterErrorResponse` handler matches), or a redirect that
 * could not be followed.
 */
import { HttpError } from '../../errors.js';
import { meaningfulPart } from '../excerpt.js';
import { headerValue, plainHeaders } from '../headers.js';
import { redactUrl } from '../redact-url.js';
import { type BodyFormat, decodeText, kindOf, parseBody, parseBodyLenient } from '../response.js';
import { matchesResponse } from '../retry.js';
import { discard, MAX_REDIRECTS, type WireResponse } from '../transport.js';
import type { AppliedAuth } from '../types.js';
import { REDIRECT_STATUSES } from './redirect.js';
import { type HttpCall, type Outcome, type Outgoing, type Step, whereOf } from './types.js';

type Redact = (text: string) => string;

const ERROR_EXCERPT_LIMIT = 300;

/** The response format: the call's own, else the one `apply` chose, else by content type. */
export function formatOf(call: HttpCall, auth: AppliedAuth | undefined): BodyFormat {
  const applied = call.responseFormat === 'auto' ? auth?.formats?.response : undefined;
  if (applied) return { format: applied.format, xml: applied.xml, raw: applied.raw };
  return { format: call.responseFormat, xml: call.xmlOptions, raw: call.rawOptions };
}

export function parse(redact: Redact): Step {
  return (next) => (request) => next(request).then((outcome) => finish(outcome, redact));
}

/** The outcome with its `value` set, or the error it ends in. */
async function finish(outcome: Outcome, redact: Redact): Promise<Outcome> {
  if (outcome.error) throw outcome.error;
  outcome.value = await yielded(outcome.request, outcome.response, redact);
  return outcome;
}

async function yielded(request: Outgoing, res: WireResponse, redact: Redact): Promise<unknown> {
  const { call } = request;
  const { status } = res;
  const contentType = headerValue(res.headers, 'content-type');
  const where = () => whereOf(request, redact);
  const format = formatOf(call, request.auth);

  if (status >= 400) {
    const bytes = res.bytes ?? Buffer.alloc(0);
    const body = await parseBodyLenient(bytes, contentType, format, redact);
    const headers = plainHeaders(res.headers);
    const error = new HttpError({
      method: call.method,
      url: where().slice(call.method.length + 1), // the redacted URL
      status,
      headers,
      body,
      bodyExcerpt: errorExcerpt(bytes, contentType, redact),
    });
    if (call.errorHandlers) {
      let text: string | undefined;
      const bodyText = () => {
        text ??= decodeText(bytes, contentType);
        return text;
      };
      for (const handler of call.errorHandlers) {
        if (matchesResponse(handler.match, status, bodyText)) return handler.fn(status, body, headers, error.message);
      }
    }
    throw error;
  }

  if (call.follow && REDIRECT_STATUSES.has(status) && res.headers.location) {
    if (res.stream) discard(res.stream);
    throw new HttpError({
      method: call.method,
      url: where().slice(call.method.length + 1), // the redacted URL
      status,
      headers: plainHeaders(res.headers),
      body: null,
      bodyExcerpt: `redirect to ${redactUrl(String(res.headers.location), redact)} not followed (more than ${MAX_REDIRECTS} redirects, a streamed body that cannot be sent again, or a body with the authorization's fields bound for another origin)`,
    });
  }

  const body = res.stream ?? (await parseBody(res.bytes!, contentType, format, where, redact));
  return call.after ? call.after(status, body, plainHeaders(res.headers)) : body;
}

/** The meaningful part of an error body, redacted and shortened, for messages. */
export function errorExcerpt(bytes: Buffer, contentType: string | undefined, redact: Redact): string {
  if (bytes.length === 0) return '';
  if (kindOf(contentType) === 'binary' && contentType) return `<${bytes.length} bytes>`;
  const text = redact(decodeText(bytes, contentType));
  const flat = (meaningfulPart(text, kindOf(contentType)) ?? text).replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_EXCERPT_LIMIT ? `${flat.slice(0, ERROR_EXCERPT_LIMIT - 1)}…` : flat;
}
