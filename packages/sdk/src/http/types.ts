/**
 * Types of the HTTP request builder (SPEC §3) and of the environment the executor hands it.
 */
import type { Readable } from 'node:stream';
import type { HttpExchangeLog, HttpMethod } from '../model/http.js';

export type { HttpExchangeLog, HttpMethod } from '../model/http.js';

export type ResponseMatcher = number | RegExp | string;

/** A file part of a multipart body: `[content, contentType, fileName]`. */
export type FilePart = readonly [
  content: string | Uint8Array | Readable | AsyncIterable<Uint8Array>,
  contentType?: string,
  fileName?: string,
];

export interface TlsClientCert {
  certificate: string;
  key: string;
  passphrase?: string;
  intermediates?: string | string[];
  /** Extra CA certificates to trust (PEM), e.g. a private CA in tests or on-prem. */
  ca?: string | string[];
}

export type RequestFormat = 'json' | 'xml' | 'multipart' | 'form' | 'raw';
export type ResponseFormat = 'auto' | 'json' | 'xml' | 'raw' | 'stream';

/** `afterResponse`: `T` is what it returns; `Body`, the parsed response body it reads (default `any`). */
export type AfterResponse<T = any, Body = any> = (code: number, body: Body, headers: Record<string, string>) => T;
/** `afterErrorResponse`: as `AfterResponse`, with the error's message. */
export type AfterErrorResponse<T = any, Body = any> = (
  code: number,
  body: Body,
  headers: Record<string, string>,
  message: string,
) => T;

export interface XmlResponseOptions {
  stripNamespaces?: boolean;
}

export interface RawResponseOptions {
  /** `bytes` yields a Uint8Array; `text` (default for textual content types) yields a string. */
  as?: 'text' | 'bytes';
}

/**
 * A lazy, thenable HTTP request. Nothing is sent until it is awaited (or `.then` is called);
 * awaiting it yields the parsed response body (or what `afterResponse` returns).
 */
export interface RequestBuilder<T = any> extends PromiseLike<T> {
  params(params: Record<string, unknown>): this;
  payload(payload: unknown): this;
  /**
   * Header names are case-insensitive: a later `Content-Type` replaces an earlier `content-type`.
   * Names are sent lower-cased; use `caseSensitiveHeaders` for servers that care about spelling.
   */
  headers(headers: Record<string, string | number | boolean | undefined>): this;
  /** Headers sent with exactly the given name spelling (still replacing same-named headers of any case). */
  caseSensitiveHeaders(headers: Record<string, string | number | boolean>): this;
  /**
   * Sends this body as is, ignoring the payload. Content type unless set in headers: `text/plain;
   * charset=utf-8` for a string, `application/octet-stream` for bytes and streams. A stream body
   * is never retried or resent.
   */
  requestBody(body: string | Uint8Array | Readable | AsyncIterable<Uint8Array>): this;
  tlsClientCert(cert: TlsClientCert): this;
  ignoreRedirection(): this;
  /**
   * Sends this request without the connection's authorization: nothing `apply` sets, and no
   * refresh on a 401. For a URL that must not see the credentials, or breaks with them: a
   * pre-signed download URL, a file on a CDN, another service's public endpoint.
   */
  withoutAuthorization(): this;
  timeout(ms: number): this;
  requestFormatJson(): this;
  requestFormatXml(rootElement: string, namespaces?: Record<string, string>): this;
  requestFormatMultipart(): this;
  requestFormatWwwFormUrlencoded(): this;
  responseFormatJson(): this;
  responseFormatXml(options?: XmlResponseOptions): this;
  responseFormatRaw(options?: RawResponseOptions): this;
  /**
   * Yield the body as a Node.js Readable without buffering it (large downloads). The timeout
   * covers the wait for headers; after that it applies to each pause in the body.
   */
  responseFormatStream(): this;
  afterResponse<U>(fn: AfterResponse<U>): RequestBuilder<U>;
  afterErrorResponse<U>(
    match: ResponseMatcher | readonly ResponseMatcher[],
    fn: AfterErrorResponse<U>,
  ): RequestBuilder<T | U>;
  /** Send now; same as awaiting. */
  send(): Promise<T>;
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R>;
}

/** Formats `apply` chose for every request of the connection. */
export interface AppliedFormats {
  request?: {
    format: Extract<RequestFormat, 'json' | 'xml' | 'form'>;
    root?: string;
    namespaces?: Record<string, string>;
  };
  response?: {
    format: Extract<ResponseFormat, 'json' | 'xml' | 'raw'>;
    xml?: XmlResponseOptions;
    raw?: RawResponseOptions;
  };
}

/** What the authorization's `apply` contributed to one request. */
export interface AppliedAuth {
  headers: Record<string, string>;
  params: Record<string, unknown>;
  payload: Record<string, unknown>;
  user?: string;
  password?: string;
  /** Request and response formats `apply` chose; a request's own choice wins. */
  formats?: AppliedFormats;
  /**
   * Opaque marker of the credentials this `apply` used (e.g. a token generation). The builder
   * hands it back to `onAuthFailure`, so a late failure of old credentials does not refresh twice.
   */
  tag?: unknown;
}

/** The final request as it goes on the wire, for `HttpEnv.sign`. */
export interface SignableRequest {
  method: HttpMethod;
  /** The full URL, query included. */
  url: URL;
  /** Request headers with lower-cased names (the host header is implied by `url`). */
  headers: Record<string, string>;
  /** The body; undefined when there is none or when it is a stream (see `streaming`). */
  body: string | Uint8Array | undefined;
  /** True when the body is a stream: it cannot be hashed (AWS: `UNSIGNED-PAYLOAD`). */
  streaming: boolean;
}

export interface RetryPolicy {
  retryOnResponse: readonly ResponseMatcher[];
  /** Upper-case method names; default GET and HEAD. */
  retryOnRequest: readonly string[];
  /** Retries, not attempts; at most 3. */
  maxRetries: number;
}

/**
 * Everything a request needs from its surroundings. The executor builds one per operation;
 * tests of the http module build their own.
 */
export interface HttpEnv {
  /** Resolves the connection's base URI (may be undefined: then URLs must be absolute). */
  baseUri(): Promise<string | undefined>;
  /** Runs the authorization's `apply` for one request (skipped inside acquire/refresh). */
  applyAuth?(): Promise<AppliedAuth | undefined>;
  /** Default per-request timeout in ms (40 s interactive, 3 min in jobs). */
  timeoutMs: number;
  retry?: RetryPolicy;
  /** Base delay for exponential back-off, in ms (default 1000). */
  retryBaseMs?: number;
  /** Receives each exchange when verbose logging is on. */
  onExchange?(log: HttpExchangeLog): void;
  /** Replaces every known secret value in a string by `[REDACTED]`. */
  redact(text: string): string;
  /**
   * Called for every 401 response and every response matching `authFailureOn` (authentication
   * work, e.g. a token refresh); returns true to resend the request once with freshly applied auth.
   */
  onAuthFailure?(status: number, body: unknown, headers: Record<string, string>, tag?: unknown): Promise<boolean>;
  /**
   * Called when the request resent after `onAuthFailure` fails the same way again. It may throw
   * (e.g. "reconnect the connection"); if it returns, the response is handled as usual.
   */
  onAuthRejected?(status: number, body: unknown, headers: Record<string, string>): Promise<void> | void;
  /**
   * Signs the final request (after params, `apply` and body format), once per attempt and per
   * redirect hop to the same origin; the returned headers are added (replacing same-named ones).
   */
  sign?(request: SignableRequest): Promise<Record<string, string>>;
  /**
   * Extra statuses or body patterns (`refreshOn`/`detectOn`) that also call `onAuthFailure`, even
   * on a 2xx response. 401 always does.
   */
  authFailureOn?: readonly ResponseMatcher[];
  /** For tests and cassettes: an undici dispatcher to use instead of the shared pool. */
  dispatcher?: import('undici').Dispatcher;
}
