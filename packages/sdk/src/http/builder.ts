/**
 * The request builder (SPEC §3): lazy, thenable, chainable. Nothing is sent until it is awaited
 * (or `.then`/`.send()` is called); the result is memoized, so awaiting twice sends once.
 *
 * One `send` = resolve the URL once, then attempts: each attempt applies the authorization
 * afresh, builds URL, headers and body, sends, and decides between returning, retrying
 * (retry policy), resending once after an auth failure, or failing.
 */
import type { Readable } from 'node:stream';
import { HttpError, isWeftError, WeftError } from '../errors.js';
import type { ResponseMatcher } from '../types.js';
import { type AppliedFormats, mergePayload, requestFormatOf } from './apply-merge.js';
import { meaningfulPart } from './excerpt.js';
import { encodeForm, FORM_CONTENT_TYPE } from './formats/form.js';
import { isStreamLike, multipartBody } from './formats/multipart.js';
import { assertNoPromise } from './formats/pending.js';
import { type HeaderMap, headerValue, plainHeaders, setDefaultHeader, setHeaders, toFlatHeaders } from './headers.js';
import { describeBytes, describeText, redactHeaderList, redactHeaderObject, truncate } from './log.js';
import { redactUrl } from './redact-url.js';
import { AUTHORIZE_BASE_ORIGIN_ONLY, appliedCredentials, onOriginOf, withoutAuth } from './redirect.js';
import { type BodyFormat, decodeText, kindOf, loadXml, parseBody, parseBodyLenient } from './response.js';
import { IDEMPOTENT_METHODS, matchesResponse, normalizeRetry, retryDelay, sleep } from './retry.js';
import { discard, dispatcherFor, MAX_REDIRECTS, transmit, type WireRequest, type WireResponse } from './transport.js';
import type {
  AfterErrorResponse,
  AfterResponse,
  AppliedAuth,
  HttpEnv,
  HttpMethod,
  RawResponseOptions,
  RequestBuilder,
  RequestFormat,
  ResponseFormat,
  TlsClientCert,
  XmlResponseOptions,
} from './types.js';
import { appendQuery, encodeParams, encodeQueryComponent, isAbsoluteUrl, isPlainObject, resolveUrl } from './url.js';

type RawBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

interface ErrorHandler {
  match: readonly ResponseMatcher[];
  fn: AfterErrorResponse;
}

interface PreparedBody {
  body: WireRequest['body'];
  contentType?: string;
  /** Whether the same body can be sent again (retries, auth resend). */
  replayable: boolean;
  /** For the verbose log. */
  describe: () => string | undefined;
}

const NO_BODY: PreparedBody = { body: undefined, replayable: true, describe: () => undefined };
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH']);
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([300, 301, 302, 303, 307, 308]);
const ERROR_EXCERPT_LIMIT = 300;
/** Some APIs (GitHub, ...) refuse requests without a User-Agent; a request may set its own. */
const USER_AGENT = 'weft';
const DEFAULT_HEADERS: string[] = ['user-agent', USER_AGENT];
const DEFAULT_AUTH_FAILURE: readonly ResponseMatcher[] = [401];

function merge(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined) {
  if (!a || Object.keys(a).length === 0) return b;
  if (!b || Object.keys(b).length === 0) return a;
  return { ...a, ...b };
}

export class HttpRequest<T = any> implements RequestBuilder<T> {
  private paramsValue: Record<string, unknown> | undefined;
  private payloadValue: unknown;
  private hasPayload = false;
  private headerMap: HeaderMap | undefined;
  private rawBody: RawBody | undefined;
  private tls: TlsClientCert | undefined;
  private follow = true;
  private timeoutMs: number | undefined;
  private requestFormat: RequestFormat | undefined;
  private xmlRoot = '';
  private xmlNamespaces: Record<string, string> | undefined;
  private responseFormat: ResponseFormat = 'auto';
  private xmlOptions: XmlResponseOptions | undefined;
  private rawOptions: RawResponseOptions | undefined;
  /** The response format `apply` chose, for a request that chose none. */
  private appliedResponse: AppliedFormats['response'];
  private after: AfterResponse | undefined;
  private errorHandlers: ErrorHandler[] | undefined;
  private promise: Promise<T> | undefined;
  private baseOriginOnly = false;

  constructor(
    private readonly env: HttpEnv,
    private readonly method: HttpMethod,
    private readonly url: string,
    data?: unknown,
  ) {
    if (data === undefined || data === null) return;
    if (BODY_METHODS.has(method)) {
      this.payloadValue = data;
      this.hasPayload = true;
    } else if (isPlainObject(data)) {
      this.paramsValue = data;
    }
  }

  private mutable(): this {
    if (this.promise) {
      throw new WeftError(
        'REQUEST_INVALID',
        `${this.method} ${this.url}: the request was already sent; set its options before awaiting it`,
      );
    }
    return this;
  }

  params(params: Record<string, unknown>): this {
    this.mutable().paramsValue = merge(this.paramsValue, params);
    return this;
  }

  payload(payload: unknown): this {
    this.mutable();
    this.payloadValue =
      isPlainObject(this.payloadValue) && isPlainObject(payload) ? { ...this.payloadValue, ...payload } : payload;
    this.hasPayload = true;
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
    this.mutable();
    this.headerMap ??= new Map();
    return this.headerMap;
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
    this.mutable().requestFormat = 'xml';
    this.xmlRoot = rootElement;
    this.xmlNamespaces = namespaces;
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
    this.mutable().responseFormat = 'xml';
    this.xmlOptions = options;
    return this;
  }

  responseFormatRaw(options?: RawResponseOptions): this {
    this.mutable().responseFormat = 'raw';
    this.rawOptions = options;
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
    this.mutable();
    this.errorHandlers ??= [];
    this.errorHandlers.push({ match: list, fn });
    return this as unknown as RequestBuilder<T | U>;
  }

  [AUTHORIZE_BASE_ORIGIN_ONLY](): this {
    this.mutable().baseOriginOnly = true;
    return this;
  }

  send(): Promise<T> {
    this.promise ??= this.run();
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

  // -------------------------------------------------------------------------------------------

  private async run(): Promise<T> {
    const { method } = this;
    const absolute = isAbsoluteUrl(this.url);
    const base = absolute ? undefined : await this.env.baseUri();
    const target = resolveUrl(this.url, base, this.env.redact);
    // An absolute URL elsewhere than the base URI's origin goes out without the authorization.
    const env =
      this.baseOriginOnly && absolute && !onOriginOf(target, await this.env.baseUri())
        ? withoutAuth(this.env)
        : this.env;
    const policy = normalizeRetry(env.retry);
    const timeoutMs = this.timeoutMs ?? env.timeoutMs;
    const stream = this.responseFormat === 'stream';
    const dispatcher = dispatcherFor({ env: env.dispatcher, tls: this.tls });
    const hasBody = this.rawBody !== undefined || this.hasPayload || BODY_METHODS.has(method);
    let retries = 0;
    let authResent = false;

    for (let attempt = 1; ; attempt++) {
      const auth = env.applyAuth ? await env.applyAuth() : undefined;
      this.appliedResponse = auth?.formats?.response;
      const url = this.buildUrl(target, auth);
      const body = hasBody ? await this.prepareBody(auth) : NO_BODY;
      const headers = env.sign
        ? await signedHeaders(env.sign, method, new URL(url), this.buildHeaders(auth, body), body.body)
        : this.buildHeaders(auth, body);
      let shownUrl: string | undefined;
      const where = () => {
        shownUrl ??= redactUrl(url, env.redact);
        return `${method} ${shownUrl}`;
      };
      const started = env.onExchange ? performance.now() : 0;

      let res: WireResponse;
      try {
        res = await transmit(
          {
            method,
            url,
            headers,
            body: body.body,
            replayable: body.replayable,
            dispatcher,
            timeoutMs,
            follow: this.follow,
            stream,
            credentials: auth && appliedCredentials(auth),
            resign: env.sign ? (m, u, h, b) => signedHeaders(env.sign!, m, u, h, b, true) : undefined,
          },
          where,
        );
      } catch (error) {
        const err = isWeftError(error)
          ? error
          : new WeftError('HTTP_CONNECTION_FAILED', `${where()}: ${String(error)}`);
        if (env.onExchange) this.log(attempt, url, headers, body, started, undefined, err.message);
        if (
          err.code === 'HTTP_CONNECTION_FAILED' &&
          retries < policy.maxRetries &&
          IDEMPOTENT_METHODS.has(method) &&
          body.replayable
        ) {
          retries++;
          await sleep(retryDelay({ retry: retries, baseMs: env.retryBaseMs ?? 1000 }));
          continue;
        }
        throw err;
      }

      const status = res.status;
      // Error bodies are small and needed whole (matching, messages): buffer them even when streaming.
      if (res.stream && status >= 400) res = { ...res, bytes: await readAll(res.stream), stream: undefined };
      const bytes = res.bytes;
      let text: string | undefined;
      const bodyText = () => {
        text ??= bytes ? decodeText(bytes, headerValue(res.headers, 'content-type')) : '';
        return text;
      };
      if (env.onExchange) this.log(attempt, url, headers, body, started, res);

      if (env.onAuthFailure && body.replayable && (!authResent || env.onAuthRejected)) {
        const matchers = env.authFailureOn ?? DEFAULT_AUTH_FAILURE;
        if (status === 401 || matchesResponse(matchers, status, bodyText)) {
          const parsed = bytes
            ? await parseBodyLenient(bytes, headerValue(res.headers, 'content-type'), this.format(), env.redact)
            : null;
          if (authResent) {
            // The fresh credentials failed too: let the environment decide (it may throw).
            await env.onAuthRejected!(status, parsed, plainHeaders(res.headers));
          } else if (await env.onAuthFailure(status, parsed, plainHeaders(res.headers), auth?.tag)) {
            authResent = true;
            if (res.stream) discard(res.stream);
            continue;
          }
        }
      }

      if (
        retries < policy.maxRetries &&
        policy.methods.has(method) &&
        body.replayable &&
        matchesResponse(policy.matchers, status, bodyText)
      ) {
        retries++;
        if (res.stream) discard(res.stream);
        await sleep(
          retryDelay({
            retry: retries,
            baseMs: env.retryBaseMs ?? 1000,
            retryAfter: headerValue(res.headers, 'retry-after'),
          }),
        );
        continue;
      }

      return this.finish(res, where);
    }
  }

  private format(): BodyFormat {
    const applied = this.responseFormat === 'auto' ? this.appliedResponse : undefined;
    if (applied) return { format: applied.format, xml: applied.xml, raw: applied.raw };
    return { format: this.responseFormat, xml: this.xmlOptions, raw: this.rawOptions };
  }

  private async finish(res: WireResponse, where: () => string): Promise<T> {
    const { status } = res;
    const contentType = headerValue(res.headers, 'content-type');
    const redact = this.env.redact;

    if (status >= 400) {
      const bytes = res.bytes ?? Buffer.alloc(0);
      const body = await parseBodyLenient(bytes, contentType, this.format(), redact);
      const headers = plainHeaders(res.headers);
      const error = new HttpError({
        method: this.method,
        url: where().slice(this.method.length + 1), // the redacted URL
        status,
        headers,
        body,
        bodyExcerpt: errorExcerpt(bytes, contentType, redact),
      });
      if (this.errorHandlers) {
        let text: string | undefined;
        const bodyText = () => {
          text ??= decodeText(bytes, contentType);
          return text;
        };
        for (const handler of this.errorHandlers) {
          if (matchesResponse(handler.match, status, bodyText)) return handler.fn(status, body, headers, error.message);
        }
      }
      throw error;
    }

    if (this.follow && REDIRECT_STATUSES.has(status) && res.headers.location) {
      if (res.stream) discard(res.stream);
      throw new HttpError({
        method: this.method,
        url: where().slice(this.method.length + 1), // the redacted URL
        status,
        headers: plainHeaders(res.headers),
        body: null,
        bodyExcerpt: `redirect to ${redactUrl(String(res.headers.location), redact)} not followed (more than ${MAX_REDIRECTS} redirects, a streamed body that cannot be sent again, or a body with the authorization's fields bound for another origin)`,
      });
    }

    const body = res.stream ?? (await parseBody(res.bytes!, contentType, this.format(), where, redact));
    return (this.after ? this.after(status, body, plainHeaders(res.headers)) : body) as T;
  }

  private buildUrl(target: string, auth: AppliedAuth | undefined): string {
    const params = merge(auth?.params, this.paramsValue);
    return params ? appendQuery(target, encodeParams([params], encodeQueryComponent)) : target;
  }

  private buildHeaders(auth: AppliedAuth | undefined, body: PreparedBody): string[] | undefined {
    const authHeaders = auth?.headers;
    const hasAuth =
      auth && (auth.user !== undefined || auth.password !== undefined || Object.keys(authHeaders ?? {}).length > 0);
    if (!hasAuth && !this.headerMap && !body.contentType) return DEFAULT_HEADERS;
    const map: HeaderMap = new Map();
    if (authHeaders) setHeaders(map, authHeaders, false);
    if (this.headerMap) for (const [lower, entry] of this.headerMap) map.set(lower, entry);
    if (body.contentType) {
      // A multipart body's boundary is ours: its content type always wins.
      if (this.requestFormat === 'multipart' && this.rawBody === undefined)
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

  private async prepareBody(auth: AppliedAuth | undefined): Promise<PreparedBody> {
    const redact = this.env.redact;
    if (this.rawBody !== undefined) return rawBody(this.rawBody, this.contentTypeHeader(), redact);
    if (!this.hasPayload && !BODY_METHODS.has(this.method)) return NO_BODY;
    let payload = this.payloadValue;
    const authPayload = auth?.payload;
    if (authPayload && Object.keys(authPayload).length > 0) payload = mergePayload(authPayload, payload);
    if (payload === undefined) return NO_BODY;
    assertNoPromise(payload);
    const own = { format: this.requestFormat, root: this.xmlRoot, namespaces: this.xmlNamespaces };
    const { format, root, namespaces } = requestFormatOf(own, auth);

    switch (format) {
      case 'xml': {
        const { buildXml } = await loadXml();
        const text = buildXml(root, payload, namespaces);
        return { body: text, contentType: 'application/xml', replayable: true, describe: () => truncate(redact(text)) };
      }
      case 'multipart': {
        if (!isPlainObject(payload))
          throw new WeftError('REQUEST_INVALID', 'requestFormatMultipart: the payload must be an object of fields');
        const mp = multipartBody(payload);
        return {
          body: mp.body,
          contentType: mp.contentType,
          replayable: mp.replayable,
          describe: () => mp.description,
        };
      }
      case 'form': {
        const text = isPlainObject(payload) ? encodeForm(payload) : String(payload);
        return {
          body: text,
          contentType: FORM_CONTENT_TYPE,
          replayable: true,
          describe: () => describeText(text, FORM_CONTENT_TYPE, redact),
        };
      }
      case 'json':
        return jsonBody(payload, redact);
      default:
        // No format chosen: strings, bytes and streams go as they are, everything else as JSON.
        if (typeof payload === 'string' || payload instanceof Uint8Array || isStreamLike(payload)) {
          return rawBody(payload as RawBody, this.contentTypeHeader(), redact);
        }
        return jsonBody(payload, redact);
    }
  }

  private contentTypeHeader(): string | undefined {
    return this.headerMap?.get('content-type')?.[1];
  }

  private log(
    attempt: number,
    url: string,
    headers: string[] | undefined,
    body: PreparedBody,
    started: number,
    res: WireResponse | undefined,
    error?: string,
  ): void {
    const redact = this.env.redact;
    try {
      this.env.onExchange!({
        method: this.method,
        url: redactUrl(url, redact),
        requestHeaders: redactHeaderList(headers, redact),
        requestBody: body.describe(),
        status: res?.status,
        responseHeaders: res ? redactHeaderObject(plainHeaders(res.headers), redact) : undefined,
        responseBody: res
          ? res.stream
            ? '<stream>'
            : describeBytes(res.bytes!, headerValue(res.headers, 'content-type'), redact)
          : undefined,
        durationMs: Math.round(performance.now() - started),
        attempt,
        error,
      });
    } catch {
      // A failing log listener must not fail the request.
    }
  }
}

/** Headers a signature sets: dropped before signing again for a redirect hop. */
const SIGNATURE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
]);

/**
 * The flat header list with the headers of `env.sign` added (replacing same-named ones). For a
 * redirect hop (`again`), the previous signature is removed first.
 */
async function signedHeaders(
  sign: NonNullable<HttpEnv['sign']>,
  method: HttpMethod,
  url: URL,
  flat: string[] | undefined,
  body: WireRequest['body'],
  again = false,
): Promise<string[]> {
  const plain: Record<string, string> = {};
  const kept: string[] = [];
  if (flat) {
    for (let i = 0; i < flat.length; i += 2) {
      const lower = flat[i].toLowerCase();
      if (again && SIGNATURE_HEADERS.has(lower)) continue;
      plain[lower] = flat[i + 1];
      kept.push(flat[i], flat[i + 1]);
    }
  }
  const bytes = typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
  const added = await sign({ method, url, headers: plain, body: bytes, streaming: body !== undefined && !bytes });
  const names = Object.keys(added);
  const replaced = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    if (!replaced.has(kept[i].toLowerCase())) out.push(kept[i], kept[i + 1]);
  }
  for (const name of names) out.push(name.toLowerCase(), String(added[name]));
  return out;
}

function jsonBody(payload: unknown, redact: (s: string) => string): PreparedBody {
  let text: string;
  try {
    text = JSON.stringify(payload);
  } catch (error) {
    throw new WeftError('REQUEST_INVALID', `The request payload cannot be sent as JSON: ${(error as Error).message}`);
  }
  return {
    body: text,
    contentType: 'application/json',
    replayable: true,
    describe: () => describeText(text, 'application/json', redact),
  };
}

function rawBody(body: RawBody, contentType: string | undefined, redact: (s: string) => string): PreparedBody {
  if (typeof body === 'string') {
    const type = contentType ?? 'text/plain; charset=utf-8';
    return {
      body,
      contentType: 'text/plain; charset=utf-8',
      replayable: true,
      describe: () => describeText(body, type, redact),
    };
  }
  if (body instanceof Uint8Array) {
    const type = contentType ?? 'application/octet-stream';
    return {
      body,
      contentType: 'application/octet-stream',
      replayable: true,
      describe: () => describeBytes(body, type, redact),
    };
  }
  return { body, contentType: 'application/octet-stream', replayable: false, describe: () => '<stream>' };
}

function errorExcerpt(bytes: Buffer, contentType: string | undefined, redact: (s: string) => string): string {
  if (bytes.length === 0) return '';
  if (kindOf(contentType) === 'binary' && contentType) return `<${bytes.length} bytes>`;
  const text = redact(decodeText(bytes, contentType));
  const flat = (meaningfulPart(text, kindOf(contentType)) ?? text).replace(/\s+/g, ' ').trim();
  return flat.length > ERROR_EXCERPT_LIMIT ? `${flat.slice(0, ERROR_EXCERPT_LIMIT - 1)}…` : flat;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
