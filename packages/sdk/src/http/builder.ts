/**
 * The request builder (SPEC §3): lazy, thenable, chainable. Nothing is sent until it is awaited
 * (or `.then`/`.send()` is called); the result is memoized, so awaiting twice sends once.
 *
 * The builder only describes the request (an `HttpCall`); the pipeline of its HTTP environment
 * (pipeline/compose.ts) sends it: base URI, auth, encoding, signing, retries, refresh-and-resend,
 * redirects, logging and parsing are its steps.
 */
import { WeftError } from '../errors.js';
import { isPlainObject } from '../schema/values.js';
import type { ResponseMatcher } from '../types.js';
import { type HeaderMap, setHeaders } from './headers.js';
import { BODY_METHODS } from './pipeline/body.js';
import type { Pipeline } from './pipeline/compose.js';
import { merge } from './pipeline/encode.js';
import type { HttpCall, RawBody } from './pipeline/types.js';
import { AUTHORIZE_BASE_ORIGIN_ONLY } from './redirect.js';
import type {
  AfterErrorResponse,
  AfterResponse,
  HttpMethod,
  RawResponseOptions,
  RequestBuilder,
  TlsClientCert,
  XmlResponseOptions,
} from './types.js';

export class HttpRequest<T = any> implements RequestBuilder<T> {
  /** What this request is; the pipeline reads it once the request is sent. */
  private readonly call: HttpCall;
  private promise: Promise<T> | undefined;

  constructor(
    private readonly pipeline: Pipeline,
    method: HttpMethod,
    url: string,
    data?: unknown,
  ) {
    this.call = {
      method,
      url,
      hasPayload: false,
      follow: true,
      xmlRoot: '',
      responseFormat: 'auto',
      baseOriginOnly: false,
      withoutAuthorization: false,
    };
    if (data === undefined || data === null) return;
    if (BODY_METHODS.has(method)) {
      this.call.payload = data;
      this.call.hasPayload = true;
    } else if (isPlainObject(data)) {
      this.call.params = data;
    }
  }

  /** The call, while it may still change (before the request is sent). */
  private mutable(): HttpCall {
    if (this.promise) {
      throw new WeftError(
        'REQUEST_INVALID',
        `${this.call.method} ${this.call.url}: the request was already sent; set its options before awaiting it`,
      );
    }
    return this.call;
  }

  params(params: Record<string, unknown>): this {
    const call = this.mutable();
    call.params = merge(call.params, params);
    return this;
  }

  payload(payload: unknown): this {
    const call = this.mutable();
    call.payload = isPlainObject(call.payload) && isPlainObject(payload) ? { ...call.payload, ...payload } : payload;
    call.hasPayload = true;
    return this;
  }

  headers(headers: Record<string, string | number | boolean | undefined>): this {
    setHeaders(this.headerMapForWrite(), headers, false);
    return this;
  }

  caseSensitiveHeaders(headers: Record<string, string | number | boolean>): this {
    setHeaders(this.headerMapForWrite(), headers, true);
    return this;
  }

  private headerMapForWrite(): HeaderMap {
    const call = this.mutable();
    call.headers ??= new Map();
    return call.headers;
  }

  requestBody(body: RawBody): this {
    this.mutable().rawBody = body;
    return this;
  }

  tlsClientCert(cert: TlsClientCert): this {
    this.mutable().tls = cert;
    return this;
  }

  ignoreRedirection(): this {
    this.mutable().follow = false;
    return this;
  }

  timeout(ms: number): this {
    if (!Number.isFinite(ms) || ms <= 0)
      throw new WeftError('REQUEST_INVALID', `timeout must be a positive number of milliseconds, got ${ms}`);
    this.mutable().timeoutMs = ms;
    return this;
  }

  requestFormatJson(): this {
    this.mutable().requestFormat = 'json';
    return this;
  }

  requestFormatXml(rootElement: string, namespaces?: Record<string, string>): this {
    const call = this.mutable();
    call.requestFormat = 'xml';
    call.xmlRoot = rootElement;
    call.xmlNamespaces = namespaces;
    return this;
  }

  requestFormatMultipart(): this {
    this.mutable().requestFormat = 'multipart';
    return this;
  }

  requestFormatWwwFormUrlencoded(): this {
    this.mutable().requestFormat = 'form';
    return this;
  }

  responseFormatJson(): this {
    this.mutable().responseFormat = 'json';
    return this;
  }

  responseFormatXml(options?: XmlResponseOptions): this {
    const call = this.mutable();
    call.responseFormat = 'xml';
    call.xmlOptions = options;
    return this;
  }

  responseFormatRaw(options?: RawResponseOptions): this {
    const call = this.mutable();
    call.responseFormat = 'raw';
    call.rawOptions = options;
    return this;
  }

  responseFormatStream(): this {
    this.mutable().responseFormat = 'stream';
    return this;
  }

  afterResponse<U>(fn: AfterResponse<U>): RequestBuilder<U> {
    this.mutable().after = fn;
    return this as unknown as RequestBuilder<U>;
  }

  afterErrorResponse<U>(
    match: ResponseMatcher | readonly ResponseMatcher[],
    fn: AfterErrorResponse<U>,
  ): RequestBuilder<T | U> {
    const list = Array.isArray(match) ? (match as readonly ResponseMatcher[]) : [match as ResponseMatcher];
    const call = this.mutable();
    call.errorHandlers ??= [];
    call.errorHandlers.push({ match: list, fn });
    return this as unknown as RequestBuilder<T | U>;
  }

  withoutAuthorization(): this {
    this.mutable().withoutAuthorization = true;
    return this;
  }

  [AUTHORIZE_BASE_ORIGIN_ONLY](): this {
    this.mutable().baseOriginOnly = true;
    return this;
  }

  send(): Promise<T> {
    this.promise ??= this.pipeline(this.call) as Promise<T>;
    return this.promise;
  }

  /** The builder is deliberately thenable (SPEC §3): awaiting it sends the request. */
  then<R1 = T, R2 = never>(
    onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: any) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    return this.send().then(onfulfilled, onrejected);
  }

  catch<R = never>(onrejected?: ((reason: any) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.send().catch(onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.send().finally(onfinally);
  }
}
