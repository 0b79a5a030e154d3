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
 * - Redirects: up to 5, followed by the pipeline's redirect step; credentials are not sent to another origin; 303 (and
 *   POST after 301/302) becomes GET.
 */
import type { HttpHelpers } from '../types.js';
import { HttpRequest } from './builder.js';
import { createPipeline } from './pipeline/compose.js';
import type { HttpEnv } from './types.js';

export { HttpError } from '../errors.js';
export { HttpRequest } from './builder.js';
export { redactUrl } from './redact-url.js';
export { matchesResponse, parseRetryAfter, retryDelay } from './retry.js';
export { closeHttp } from './transport.js';

/**
 * The environment's pipeline is composed here, once, on the first request: every request of
 * these helpers goes through it, and runs that send none (most webhook deliveries) skip it.
 */
export function createHttpHelpers(env: HttpEnv): HttpHelpers {
  let composed: ReturnType<typeof createPipeline> | undefined;
  const pipeline = () => {
    composed ??= createPipeline(env);
    return composed;
  };
  return {
    get: (url, params) => new HttpRequest(pipeline(), 'GET', url, params),
    delete: (url, params) => new HttpRequest(pipeline(), 'DELETE', url, params),
    options: (url, params) => new HttpRequest(pipeline(), 'OPTIONS', url, params),
    head: (url, params) => new HttpRequest(pipeline(), 'HEAD', url, params),
    post: (url, payload) => new HttpRequest(pipeline(), 'POST', url, payload),
    put: (url, payload) => new HttpRequest(pipeline(), 'PUT', url, payload),
    patch: (url, payload) => new HttpRequest(pipeline(), 'PATCH', url, payload),
  };
}
