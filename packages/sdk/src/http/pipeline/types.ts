/**
 * The request pipeline's vocabulary. A request goes through a chain of steps, each a function
 * that takes the next `Send` and returns a new one (the way undici composes interceptors); the
 * chain is chosen once per HTTP environment (see compose.ts).
 */
import type { Readable } from 'node:stream';
import type { WeftError } from '../../errors.js';
import type { ResponseMatcher } from '../../types.js';
import type { HeaderMap } from '../headers.js';
import { redactUrl } from '../redact-url.js';
import type { Deadline, WireBody, WireResponse } from '../transport.js';
import type {
  AfterErrorResponse,
  AfterResponse,
  AppliedAuth,
  HttpMethod,
  RawResponseOptions,
  RequestFormat,
  ResponseFormat,
  TlsClientCert,
  XmlResponseOptions,
} from '../types.js';

export type RawBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface ErrorHandler {
  match: readonly ResponseMatcher[];
  fn: AfterErrorResponse;
}

/** What the request builder describes (SPEC §3): filled while chaining, read-only once sent. */
export interface HttpCall {
  method: HttpMethod;
  /** The URL as the connector wrote it (relative to the base URI, or absolute). */
  url: string;
  params?: Record<string, unknown>;
  payload?: unknown;
  hasPayload: boolean;
  headers?: HeaderMap;
  rawBody?: RawBody;
  tls?: TlsClientCert;
  follow: boolean;
  timeoutMs?: number;
  requestFormat?: RequestFormat;
  xmlRoot: string;
  xmlNamespaces?: Record<string, string>;
  responseFormat: ResponseFormat;
  xmlOptions?: XmlResponseOptions;
  rawOptions?: RawResponseOptions;
  after?: AfterResponse;
  errorHandlers?: ErrorHandler[];
  /** Authorize only when the URL is on the base URI's origin (custom actions). */
  baseOriginOnly: boolean;
  /** `.withoutAuthorization()`: nothing `apply` sets, no refresh, whatever the URL. */
  withoutAuthorization: boolean;
}

export interface PreparedBody {
  body: WireBody | undefined;
  contentType?: string;
  /** Whether the same body can be sent again (retries, auth resend). */
  replayable: boolean;
  /** For the verbose log. */
  describe: () => string | undefined;
}

export const NO_BODY: PreparedBody = { body: undefined, replayable: true, describe: () => undefined };

/** Counts shared by every attempt of one request (retries and auth resends). */
export interface Tally {
  attempts: number;
  authResent: boolean;
}

/** One attempt (or, below the redirect step, one hop) of a request. */
export interface Outgoing {
  readonly call: HttpCall;
  readonly tally: Tally;
  /** The absolute URL, before query parameters. */
  readonly target: string;
  /** What the authorization's `apply` contributed to this attempt. */
  readonly auth?: AppliedAuth;
  /** The wire request: set by the encode step (before it: the call's method and the target). */
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers: string[] | undefined;
  readonly body: PreparedBody;
  /** Where the next hop goes (set by the transport step, then by the redirect step per hop). */
  readonly hop?: Hop;
}

/** One hop on the wire: its parsed URL, under the attempt's deadline (which covers every hop). */
export interface Hop {
  readonly url: URL;
  readonly deadline: Deadline;
}

/** How an attempt ended: a response, or an error (connection, timeout) the parse step throws. */
export type Outcome =
  | { request: Outgoing; response: WireResponse; error?: undefined; value?: unknown }
  | { request: Outgoing; response?: undefined; error: WeftError; value?: unknown };

export type Send = (request: Outgoing) => Promise<Outcome>;
export type Step = (next: Send) => Send;

/** `GET <redacted url>`: how messages name a request. */
export function whereOf(request: Outgoing, redact: (text: string) => string): string {
  return `${request.method} ${redactUrl(request.url, redact)}`;
}

/**
 * A copy of `request` with some fields changed. Every Outgoing is built here with all its
 * fields in one order, so the engine sees one object shape on this hot path (spreads that add
 * fields give each step its own shape).
 */
export function amend(request: Outgoing, change: Partial<Omit<Outgoing, 'call' | 'tally' | 'target'>>): Outgoing {
  return copy(
    request,
    'auth' in change ? change.auth : request.auth,
    change.method ?? request.method,
    change.url ?? request.url,
    'headers' in change ? change.headers : request.headers,
    change.body ?? request.body,
    change.hop ?? request.hop,
  );
}

/** `request` encoded for the wire (the encode step, every request): `amend` without its argument object. */
export function encoded(request: Outgoing, url: string, headers: string[] | undefined, body: PreparedBody): Outgoing {
  return copy(request, request.auth, request.method, url, headers, body, request.hop);
}

/** `request` with its first hop (the transport step, every request). */
export function withHop(request: Outgoing, hop: Hop): Outgoing {
  return copy(request, request.auth, request.method, request.url, request.headers, request.body, hop);
}

/** The one place a copy of an Outgoing is built: every field, in one order. */
function copy(
  request: Outgoing,
  auth: Outgoing['auth'],
  method: Outgoing['method'],
  url: string,
  headers: Outgoing['headers'],
  body: Outgoing['body'],
  hop: Outgoing['hop'],
): Outgoing {
  return { call: request.call, tally: request.tally, target: request.target, auth, method, url, headers, body, hop };
}

/** The first form of a request: its target, nothing applied or encoded yet. */
export function outgoing(call: HttpCall, target: string): Outgoing {
  return {
    call,
    tally: { attempts: 0, authResent: false },
    target,
    auth: undefined,
    method: call.method,
    url: target,
    headers: undefined,
    body: NO_BODY,
    hop: undefined,
  };
}
