/** The contexts an operation receives (SPEC §1), and field lists computed from them. */
import type { DecodedJwt, JwtAlgorithm, JwtDecodeOptions, JwtEncodeOptions, JwtKey } from '../auth/jwt.js';
import type { RequestBuilder } from '../http/types.js';
import type {
  HmacAlgorithm,
  HmacOptions,
  SignatureEncoding,
  StripeSignatureOptions,
  TimestampedHmacOptions,
} from '../triggers/signature.js';
import type { Field } from './fields.js';

/** Options of `ctx.awsSignature`. Credentials, region and service default to the connection's. */
export interface AwsSignatureOptions {
  method?: string;
  url: string | URL;
  headers?: Record<string, string | number | boolean>;
  body?: string | Uint8Array;
  service?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Sign the payload as `UNSIGNED-PAYLOAD` (S3 uploads of streams). */
  unsignedPayload?: boolean;
  /** Instead of headers, presign the URL (query-string authentication) for this many seconds. */
  presign?: number;
}

// ---------------------------------------------------------------------------------------------
// Contexts (SPEC §1)

export interface Logger {
  debug(message: string, data?: unknown): void;
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

export interface ReinvokeRequest {
  seconds: number;
  continue: unknown;
}

/** `ctx.waitForResume`: suspend until the resume URL is called, or until `timeoutSeconds` pass. */
export interface WaitForResumeRequest {
  /** How long to wait for the call before `execute` runs again with `ctx.resume.timedOut`. */
  timeoutSeconds: number;
  continue: unknown;
}

/**
 * What a waiting action finds in `ctx.resume` when it runs again: the call to its resume URL
 * (the request body, parsed when JSON, and its headers with lower-cased names), or `timedOut`.
 */
export type ResumeValue = { payload: unknown; headers: Record<string, string> } | { timedOut: true };

export type HttpMethodName = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'head';

/** The request-starting helpers every context carries. */
export interface HttpHelpers {
  get<T = any>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  delete<T = any>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  options<T = any>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  head<T = any>(url: string, params?: Record<string, unknown>): RequestBuilder<T>;
  post<T = any>(url: string, payload?: unknown): RequestBuilder<T>;
  put<T = any>(url: string, payload?: unknown): RequestBuilder<T>;
  patch<T = any>(url: string, payload?: unknown): RequestBuilder<T>;
}

/** Awaitable object definitions: `await ctx.objectDefinitions.contact` is a field list. */
export type ObjectDefinitionsAccessor = Readonly<Record<string, Promise<Field[]>>>;

export interface StreamReadOptions {
  /** Bytes per chunk asked of the producer (default 1 MiB). */
  chunkSize?: number;
  /** Extra arguments passed to the producer as `ctx.args`. */
  args?: Record<string, unknown>;
}

export interface StreamHelpers {
  /** Read a named stream of the connector chunk by chunk; nothing is buffered beyond one chunk. */
  read(name: string, options?: StreamReadOptions): AsyncIterable<Uint8Array>;
}

export interface ConnectorContext<Connection = Record<string, any>> extends HttpHelpers {
  /** The user's connection values (after authorization). */
  readonly connection: Connection;
  /** Run a method of the connector. */
  call<T = any>(methodName: string, ...args: unknown[]): Promise<T>;
  /** Fail this operation with a message for the user; not retried. */
  error(message: string): never;
  /** The clock (frozen in tests). */
  now(): Date;
  /** Progress marker for long operations (shown under --verbose, recorded in job steps). */
  checkpoint(label: string, data?: unknown): void;
  /** A logger whose output is redacted. */
  readonly log: Logger;
  readonly objectDefinitions: ObjectDefinitionsAccessor;
  readonly streams: StreamHelpers;
  /**
   * AWS Signature Version 4 for a request the connector sends itself: resolves to the headers
   * to send (the given ones plus `authorization`, `x-amz-date`, `x-amz-content-sha256` and, with a
   * session token, `x-amz-security-token`), or with `presign: seconds` to `{ url }`. Credentials,
   * region and service default to the connection's and the `aws_auth` authorization's.
   */
  awsSignature(options: AwsSignatureOptions): Promise<Record<string, string>>;
  /** Signs `payload` as a compact JWS (a JWT). `key`: a secret for HS*, a PEM private key for RS*, PS*, ES*. */
  jwtEncode(
    payload: Record<string, unknown>,
    key: JwtKey,
    alg?: JwtAlgorithm,
    options?: JwtEncodeOptions,
  ): Promise<string>;
  /**
   * Reads a JWT. With a key (a secret, or a PEM public key/certificate) it is verified first —
   * signature, `exp`, `nbf` — and a bad one is an error; without a key it is only decoded.
   */
  jwtDecode(token: string, key?: JwtKey, options?: JwtDecodeOptions): Promise<DecodedJwt>;
}

export interface ActionContext<Input = Record<string, any>, Connection = Record<string, any>>
  extends ConnectorContext<Connection> {
  readonly input: Input;
  readonly configFields: Record<string, unknown>;
  /** The input fields as resolved for this run (with its config fields), the static ones included. */
  readonly extendedInputSchema: Field[];
  /** The output fields as resolved for this run (with its config fields). */
  readonly extendedOutputSchema: Field[];
  /** The value passed to `reinvokeAfter` (or `waitForResume`) by the previous step of a multistep action. */
  readonly continue: unknown;
  /** Suspend this action; `execute` runs again after `seconds` with `ctx.continue`. */
  reinvokeAfter(request: ReinvokeRequest): never;
  /**
   * The URL that resumes this action after `waitForResume` (an HTTP POST from the outside
   * world: an approval, a callback). Undefined where nothing can resume (`weft exec`). Hand it
   * out before calling `waitForResume`.
   */
  readonly resumeUrl: string | undefined;
  /** When `execute` runs again after `waitForResume`: the call that resumed it, or `{ timedOut: true }`. */
  readonly resume: ResumeValue | undefined;
  /**
   * Suspend this action until its `resumeUrl` is called (or `timeoutSeconds` pass); `execute`
   * then runs again with `ctx.continue` and `ctx.resume`.
   */
  waitForResume(request: WaitForResumeRequest): never;
}

export interface FieldsContext<Connection = Record<string, any>> extends ConnectorContext<Connection> {
  readonly configFields: Record<string, unknown>;
}

export interface PollContext<Input = Record<string, any>, Closure = any, Connection = Record<string, any>>
  extends ConnectorContext<Connection> {
  readonly input: Input;
  readonly closure: Closure | undefined;
  readonly configFields: Record<string, unknown>;
  /** The input fields as resolved for this poll. */
  readonly extendedInputSchema: Field[];
}

/** Where a context signature helper finds the signature: a header name, or the value itself. */
interface SignatureSource {
  /** The (case-insensitive) name of the header that carries the signature. */
  signatureHeader?: string;
  /** The signature itself, when it is not in one header. */
  signature?: string | null;
  /** What was signed (default `ctx.rawBody`). */
  payload?: string | Uint8Array;
}

export type ContextHmacOptions = Omit<HmacOptions, 'signature' | 'payload'> & SignatureSource;

export type ContextTimestampedHmacOptions = Omit<
  TimestampedHmacOptions,
  'signature' | 'payload' | 'timestamp' | 'now'
> &
  SignatureSource & {
    /** The header that carries the timestamp, or give `timestamp` itself. */
    timestampHeader?: string;
    timestamp?: string | number | Date | null;
  };

export type ContextStripeSignatureOptions = Omit<StripeSignatureOptions, 'signature' | 'payload' | 'now'> &
  SignatureSource;

/** Signature checks on webhook contexts: they read `rawBody`, `headers` and `now()` of the request. */
export interface WebhookSignatureHelpers {
  /** HMAC of the raw body (GitHub: `{ secret, signatureHeader: 'x-hub-signature-256', prefix: 'sha256=' }`). */
  verifyHmac(options: ContextHmacOptions): boolean;
  /** HMAC of `timestamp.body` (or `signedPayload`), rejected outside the replay window (default 300 s). */
  verifyTimestampedHmac(options: ContextTimestampedHmacOptions): boolean;
  /** Stripe's `Stripe-Signature: t=...,v1=...` (header name defaults to `stripe-signature`). */
  verifyStripeSignature(options: ContextStripeSignatureOptions): boolean;
  computeHmac(
    algorithm: HmacAlgorithm,
    secret: string | Uint8Array,
    data: string | Uint8Array,
    encoding?: SignatureEncoding,
  ): string;
}

/**
 * The context of `webhookNotification`, `webhookSubscribe` and the other webhook lambdas.
 * `Payload` is the request body as parsed (JSON, form) or, with `webhookPayloadType: 'raw'`, the
 * body string; `Subscription` is what `webhookSubscribe` returned. Both default to `any` for
 * connectors that do not name them.
 */
export interface WebhookContext<
  Input = Record<string, any>,
  Connection = Record<string, any>,
  Payload = any,
  Subscription = any,
> extends ConnectorContext<Connection>,
    WebhookSignatureHelpers {
  readonly input: Input;
  readonly payload: Payload;
  readonly headers: Record<string, string>;
  readonly params: Record<string, string>;
  readonly rawBody: string | undefined;
  readonly webhookUrl: string | undefined;
  readonly subscription: Subscription;
  readonly configFields: Record<string, unknown>;
  /** `webhookNotification` only: the input fields as resolved for the recipe. */
  readonly extendedInputSchema: Field[];
  /** `webhookNotification` only: the output fields as resolved for the recipe (with its config fields). */
  readonly extendedOutputSchema: Field[];
}

export interface PickListContext<Connection = Record<string, any>> extends ConnectorContext<Connection> {}

/** A field list, either literal or computed from the context (may call the API). */
export type Fields<C = ConnectorContext> =
  | readonly Field[]
  | ((ctx: C) => readonly Field[] | Promise<readonly Field[]>);
