/**
 * HTTP for connectors (SPEC §3): `createHttpHelpers(env)` gives `get/post/...` returning lazy,
 * thenable request builders; `closeHttp()` closes pooled connections.
 *
 * Decisions (for the docs):
 * - `.headers()` names are sent lower-cased; `.caseSensitiveHeaders()` keeps the spelling; a
 *   default `user-agent: weft` is sent unless the request sets one. A request's own headers,
 *   params and payload fields win over those set by the authorization's `apply`.
 * - Payload without a chosen format: objects and arrays are JSON; strings, bytes and streams are
 *   sent raw. Empty response bodies (and 204, HEAD) are null; binary bodies are Uint8Array.
 * - XML: see formats/xml.ts (`parseXml`, `buildXml`; imported from there so that fast-xml-parser
 *   loads only when XML is used).
 * - Retries: see retry.ts. Connection failures of idempotent methods (GET, HEAD, OPTIONS, PUT,
 *   DELETE) are retried too when `maxRetries` > 0; timeouts are not retried.
 * - Redirects: up to 5, followed here; credentials are not sent to another origin; 303 (and
 *   POST after 301/302) becomes GET.
 */
import type { HttpHelpers } from '../types.js';
import { HttpRequest } from './builder.js';
import type { HttpEnv } from './types.js';

export { HttpError } from '../errors.js';
export { HttpRequest } from './builder.js';
export { redactUrl } from './redact-url.js';
export { matchesResponse, parseRetryAfter, retryDelay } from './retry.js';
export { closeHttp } from './transport.js';

export function createHttpHelpers(env: HttpEnv): HttpHelpers {
  return {
    get: (url, params) => new HttpRequest(env, 'GET', url, params),
    delete: (url, params) => new HttpRequest(env, 'DELETE', url, params),
    options: (url, params) => new HttpRequest(env, 'OPTIONS', url, params),
    head: (url, params) => new HttpRequest(env, 'HEAD', url, params),
    post: (url, payload) => new HttpRequest(env, 'POST', url, payload),
    put: (url, payload) => new HttpRequest(env, 'PUT', url, payload),
    patch: (url, payload) => new HttpRequest(env, 'PATCH', url, payload),
  };
}
