/**
 * Encode: the wire form of one attempt — the URL with its query, the body, the headers — from
 * the call and what `apply` contributed. A request's own params, headers and payload fields win
 * over the authorization's.
 */
import { type HeaderMap, setDefaultHeader, setHeaders, toFlatHeaders } from '../headers.js';
import type { AppliedAuth } from '../types.js';
import { appendQuery, encodeParams, encodeQueryComponent } from '../url.js';
import { hasBody, prepareBody } from './body.js';
import { encoded, type HttpCall, NO_BODY, type Outgoing, type PreparedBody, type Step } from './types.js';

/** Some APIs (GitHub, ...) refuse requests without a User-Agent; a request may set its own. */
const USER_AGENT = 'weft';
const DEFAULT_HEADERS: string[] = ['user-agent', USER_AGENT];

export function merge(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) {
  if (!a || Object.keys(a).length === 0) return b;
  if (!b || Object.keys(b).length === 0) return a;
  return { ...a, ...b };
}

export function encode(redact: (text: string) => string): Step {
  return (next) => (request) => {
    const { call, auth } = request;
    const url = buildUrl(request.target, call, auth);
    if (!hasBody(call)) return next(wireForm(request, url, NO_BODY));
    return prepareBody(call, auth, redact).then((body) => next(wireForm(request, url, body)));
  };
}

function wireForm(request: Outgoing, url: string, body: PreparedBody): Outgoing {
  return encoded(request, url, buildHeaders(request.call, request.auth, body), body);
}

function buildUrl(target: string, call: HttpCall, auth: AppliedAuth | undefined): string {
  const params = merge(auth?.params, call.params);
  return params ? appendQuery(target, encodeParams([params], encodeQueryComponent)) : target;
}

function buildHeaders(call: HttpCall, auth: AppliedAuth | undefined, body: PreparedBody): string[] | undefined {
  const authHeaders = auth?.headers;
  const hasAuth =
    auth && (auth.user !== undefined || auth.password !== undefined || Object.keys(authHeaders ?? {}).length > 0);
  if (!hasAuth && !call.headers && !body.contentType) return DEFAULT_HEADERS;
  const map: HeaderMap = new Map();
  if (authHeaders) setHeaders(map, authHeaders, false);
  if (call.headers) for (const [lower, entry] of call.headers) map.set(lower, entry);
  if (body.contentType) {
    // A multipart body's boundary is ours: its content type always wins.
    if (call.requestFormat === 'multipart' && call.rawBody === undefined)
      map.set('content-type', ['content-type', body.contentType]);
    else setDefaultHeader(map, 'content-type', body.contentType);
  }
  if (auth && (auth.user !== undefined || auth.password !== undefined)) {
    const credentials = Buffer.from(`${auth.user ?? ''}:${auth.password ?? ''}`).toString('base64');
    setDefaultHeader(map, 'authorization', `Basic ${credentials}`);
  }
  setDefaultHeader(map, 'user-agent', USER_AGENT);
  return toFlatHeaders(map);
}
