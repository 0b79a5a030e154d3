/**
 * The connector model (SPEC §1–7) as TypeScript types. A connector author gets completion and
 * errors from these; the runtime uses the same names.
 */
import type { AwsSignatureOptions } from './auth/aws.js';
import type { DecodedJwt, JwtAlgorithm, JwtDecodeOptions, JwtEncodeOptions, JwtKey } from './auth/jwt.js';
import type { RawResponseOptions, RequestBuilder, XmlResponseOptions } from './http/types.js';
import type { ControlType, FieldType } from './model/fields.js';
import type {
  HmacAlgorithm,
  HmacOptions,
  SignatureEncoding,
  StripeSignatureOptions,
  TimestampedHmacOptions,
} from './triggers/signature.js';

export type { AwsSignatureOptions, DecodedJwt, JwtAlgorithm, JwtDecodeOptions, JwtEncodeOptions, JwtKey };

// ---------------------------------------------------------------------------------------------
// Schema fields (SPEC §2)

// The vocabularies come from the model module, which the console imports too.
export type { ControlType, FieldType };

/** Named conversions for `convertInput` / `convertOutput`. Any other string names a method. */
export type NamedConversion =
  | 'integer_conversion'
  | 'float_conversion'
  | 'boolean_conversion'
  | 'date_conversion'
  | 'date_time_conversion'
  | 'render_iso8601_timestamp'
  | 'parse_iso8601_timestamp'
  | 'string_conversion';

export type PickListOption = readonly [label: string, value: unknown];
export type TreeOption = readonly [label: string, value: unknown, childPath?: string | null, hasChildren?: boolean];

export interface Field {
  name: string;
  label?: string;
  hint?: string;
  type?: FieldType;
  /** Element type of an array (`type: 'array'`). Defaults to `object` when `properties` is set, else `string`. */
  of?: Exclude<FieldType, 'array'>;
  /** Fields of an object, or of each element of an array of objects. */
  properties?: readonly Field[];
  optional?: boolean;
  controlType?: ControlType;
  /** Name of a pick list of the connector, or an inline list of `[label, value]` pairs. */
  pickList?: string | readonly PickListOption[];
  /** For dependent pick lists: pick-list argument name → name of the sibling field whose value it takes. */
  pickListParams?: Readonly<Record<string, string>>;
  /** Static options, e.g. for connection fields. */
  options?: readonly PickListOption[];
  /** Separator of a multiselect value sent as one string. */
  delimiter?: string;
  toggleHint?: string;
  /** The alternative input for the same key (e.g. type an ID instead of picking). */
  toggleField?: Field;
  default?: unknown;
  sticky?: boolean;
  /** Changing this field's value changes the schema (the console re-resolves fields). */
  extendsSchema?: boolean;
  /** Shown (and accepted) only when this expression holds, e.g. `input.kind == "person"`. */
  ngIf?: string;
  convertInput?: NamedConversion | (string & {});
  convertOutput?: NamedConversion | (string & {});
  listMode?: 'static' | 'dynamic';
  itemLabel?: string;
  custom?: boolean;
  supportPills?: boolean;
  /** Extra JSON Schema keywords merged into the generated schema (e.g. `format`, `pattern`). */
  schema?: Readonly<Record<string, unknown>>;
}

/** A field list, either literal or computed from the context (may call the API). */
export type Fields<C = ConnectorContext> =
  | readonly Field[]
  | ((ctx: C) => readonly Field[] | Promise<readonly Field[]>);

// ---------------------------------------------------------------------------------------------
// Type inference of `ctx.input` from literal input fields

type ScalarOf<T extends FieldType | undefined> = T extends 'integer' | 'number' | 'timestamp'
  ? number
  : T extends 'boolean'
    ? boolean
    : T extends 'object'
      ? Record<string, any>
      : string;

type ValueOf<F> = F extends { type: 'array'; properties: infer P extends readonly Field[] }
  ? Array<InputOf<P>>
  : F extends { type: 'array'; of: infer O extends FieldType }
    ? Array<ScalarOf<O>>
    : F extends { type: 'array' }
      ? unknown[]
      : F extends { type: 'object'; properties: infer P extends readonly Field[] }
        ? InputOf<P>
        : F extends { type: infer T extends FieldType }
          ? ScalarOf<T>
          : string;

type IsOptional<F> = F extends { optional: true } ? true : false;
type NameOf<F> = F extends { name: infer N extends string } ? N : never;

/** The shape of `ctx.input` inferred from a literal field list (`as const` or `defineFields`). */
export type InputOf<Fs> = Fs extends readonly Field[]
  ? string extends Fs[number]['name']
    ? Record<string, any>
    : {
        [I in keyof Fs as I extends `${number}`
          ? IsOptional<Fs[I]> extends true
            ? never
            : NameOf<Fs[I]>
          : never]: ValueOf<Fs[I]>;
      } & {
        [I in keyof Fs as I extends `${number}`
          ? IsOptional<Fs[I]> extends true
            ? NameOf<Fs[I]>
            : never
          : never]?: ValueOf<Fs[I]>;
      }
  : Record<string, any>;

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

export interface WebhookContext<Input = Record<string, any>, Connection = Record<string, any>>
  extends ConnectorContext<Connection>,
    WebhookSignatureHelpers {
  readonly input: Input;
  readonly payload: any;
  readonly headers: Record<string, string>;
  readonly params: Record<string, string>;
  readonly rawBody: string | undefined;
  readonly webhookUrl: string | undefined;
  readonly subscription: any;
  readonly configFields: Record<string, unknown>;
  /** `webhookNotification` only: the input fields as resolved for the recipe. */
  readonly extendedInputSchema: Field[];
  /** `webhookNotification` only: the output fields as resolved for the recipe (with its config fields). */
  readonly extendedOutputSchema: Field[];
}

export interface PickListContext<Connection = Record<string, any>> extends ConnectorContext<Connection> {}

// ---------------------------------------------------------------------------------------------
// Authorization (SPEC §4; the flows beyond `apply` arrive with the authentication work)

export interface ApplyContext<Connection = Record<string, any>> {
  readonly connection: Connection;
  readonly accessToken: string | undefined;
  /** Add headers to every request of the connection. */
  headers(headers: Record<string, string | number | boolean>): void;
  /** Add query parameters to every request of the connection. */
  params(params: Record<string, unknown>): void;
  /**
   * Merge fields into every payload of the connection (JSON, form or XML). Objects merge deeply
   * with the request's own payload; where both set a value, the request's wins.
   */
  payload(payload: Record<string, unknown>): void;
  user(name: string): void;
  password(secret: string): void;
  /** Request format of every request that sets none itself (as the request builder's methods). */
  requestFormatJson(): void;
  requestFormatXml(rootElement: string, namespaces?: Record<string, string>): void;
  requestFormatWwwFormUrlencoded(): void;
  /** Response format of every request that sets none itself. */
  responseFormatJson(): void;
  responseFormatXml(options?: XmlResponseOptions): void;
  responseFormatRaw(options?: RawResponseOptions): void;
  /** Both: XML requests with this root element and XML responses (Workato's `format_xml`). */
  formatXml(rootElement: string, namespaces?: Record<string, string>, options?: XmlResponseOptions): void;
  /** Both: JSON requests and responses (Workato's `format_json`). */
  formatJson(): void;
}

export type ResponseMatcher = number | RegExp | string;

export interface AuthorizationBase {
  apply?: (ctx: ApplyContext) => void | Promise<void>;
  refreshOn?: readonly ResponseMatcher[];
  detectOn?: readonly ResponseMatcher[];
  [key: string]: unknown;
}

export interface NoAuthorization extends AuthorizationBase {
  type: 'none';
}
export interface BasicAuthorization extends AuthorizationBase {
  type: 'basic_auth';
}
export interface ApiKeyAuthorization extends AuthorizationBase {
  type: 'api_key';
}
export interface CustomAuthorization extends AuthorizationBase {
  type: 'custom_auth';
  acquire?: (ctx: ConnectorContext) => Promise<Record<string, unknown>> | Record<string, unknown>;
  refresh?: (ctx: ConnectorContext) => Promise<Record<string, unknown>> | Record<string, unknown>;
}
export type Setting<T = string> = T | ((ctx: ConnectorContext) => T);
export interface OAuth2Authorization extends AuthorizationBase {
  type: 'oauth2';
  authorizationUrl?: Setting;
  tokenUrl?: Setting;
  clientId?: Setting;
  clientSecret?: Setting;
  scope?: Setting;
  pkce?: boolean;
  grantType?: 'authorization_code' | 'client_credentials' | 'password';
  tokenAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  acquire?: (ctx: any) => Promise<Record<string, unknown>> | Record<string, unknown>;
  refresh?: (ctx: any) => Promise<Record<string, unknown>> | Record<string, unknown>;
}
export interface AwsAuthorization extends AuthorizationBase {
  type: 'aws_auth';
  service?: Setting;
  region?: Setting;
}
export interface MultiAuthorization {
  type: 'multi';
  selected: (ctx: ConnectorContext) => string;
  options: Record<string, Exclude<Authorization, MultiAuthorization>>;
  [key: string]: unknown;
}

export type Authorization =
  | NoAuthorization
  | BasicAuthorization
  | ApiKeyAuthorization
  | CustomAuthorization
  | OAuth2Authorization
  | AwsAuthorization
  | MultiAuthorization;

export interface ConnectionDefinition {
  fields?: readonly Field[];
  authorization?: Authorization;
  /** The API's base URI; relative request URLs resolve against it (treated as a directory). */
  baseUri?: (ctx: ConnectorContext) => string | Promise<string>;
  /** Same as the connector's `identity`; either place works. */
  identity?: (ctx: ConnectorContext) => string | Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// Actions (SPEC §5)

export interface ActionDefinition<InFs = readonly Field[]> {
  title?: string;
  subtitle?: string;
  description?: string | ((ctx: FieldsContext) => string);
  help?: string | ((ctx: FieldsContext) => string | { body: string; learnMoreUrl?: string });
  configFields?: readonly Field[];
  inputFields?: InFs | ((ctx: FieldsContext) => readonly Field[] | Promise<readonly Field[]>);
  execute: (ctx: ActionContext<InputOf<InFs>>) => unknown;
  outputFields?: Fields<FieldsContext>;
  sampleOutput?: unknown | ((ctx: FieldsContext) => unknown);
  retryOnResponse?: readonly ResponseMatcher[];
  retryOnRequest?: readonly string[];
  maxRetries?: number;
  summarizeInput?: readonly string[];
  summarizeOutput?: readonly string[];
  batch?: boolean;
  bulk?: boolean;
  deprecated?: boolean;
  displayPriority?: number;
}

// ---------------------------------------------------------------------------------------------
// Triggers (SPEC §6)

export interface PollResult<Closure = unknown> {
  events: unknown[];
  nextPoll?: Closure | null;
  canPollMore?: boolean;
}

/** A static reply value, or a function of the request's webhook context (e.g. to echo a challenge). */
export type WebhookResponseValue<T, InFs = readonly Field[]> = T | ((ctx: WebhookContext<InputOf<InFs>>) => T);

export interface TriggerDefinition<InFs = readonly Field[]> {
  title?: string;
  subtitle?: string;
  description?: string | ((ctx: FieldsContext) => string);
  help?: string | ((ctx: FieldsContext) => string | { body: string; learnMoreUrl?: string });
  configFields?: readonly Field[];
  inputFields?: InFs | ((ctx: FieldsContext) => readonly Field[] | Promise<readonly Field[]>);
  outputFields?: Fields<FieldsContext>;
  sampleOutput?: unknown | ((ctx: FieldsContext) => unknown);
  poll?: (ctx: PollContext<InputOf<InFs>>) => PollResult | Promise<PollResult>;
  dedup?: (record: any) => string;
  webhookKey?: (ctx: PollContext<InputOf<InFs>>) => string;
  webhookSubscribe?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  webhookUnsubscribe?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  webhookRefresh?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  /**
   * Runs `webhookRefresh` this often (seconds) for APIs whose registrations lapse after a known
   * time. A subscription whose data carries `expires_at` is refreshed before that time instead.
   */
  webhookRefreshSeconds?: number;
  webhookNotification?: (ctx: WebhookContext<InputOf<InFs>>) => unknown;
  /** `raw`: `ctx.payload` is the body string, unparsed. Otherwise JSON and forms are parsed. */
  webhookPayloadType?: 'json' | 'raw';
  /** The reply to each request (handshakes): a value, or computed from the request. */
  webhookResponseStatus?: WebhookResponseValue<number, InFs>;
  webhookResponseBody?: WebhookResponseValue<string | number | boolean | object | null | undefined, InFs>;
  webhookResponseHeaders?: WebhookResponseValue<Record<string, string>, InFs>;
  summarizeOutput?: readonly string[];
  deprecated?: boolean;
  displayPriority?: number;
}

// ---------------------------------------------------------------------------------------------
// The connector (SPEC §1)

export interface ObjectDefinition {
  fields: (
    ctx: FieldsContext & { configFields: Record<string, unknown> },
  ) => readonly Field[] | Promise<readonly Field[]>;
}

export type PickListFn = (
  ctx: PickListContext,
  args: Record<string, any>,
) => readonly (PickListOption | TreeOption)[] | Promise<readonly (PickListOption | TreeOption)[]>;

export type MethodFn = (ctx: ConnectorContext, ...args: any[]) => unknown;

export interface StreamChunk {
  data: Uint8Array | string;
  /** True when this chunk is the last one. */
  eof: boolean;
}
export type StreamProducer = (
  ctx: ConnectorContext & { args: Record<string, unknown> },
  from: number,
  to: number,
) => StreamChunk | Promise<StreamChunk>;

export interface ConnectorDefinition {
  /** Overrides the connector's name (default: its folder or package name). */
  name?: string;
  title: string;
  description?: string;
  version?: string;
  connection?: ConnectionDefinition;
  test?: (ctx: ConnectorContext) => unknown;
  /** Names the account behind a connection (e.g. the signed-in user's email), shown beside it. */
  identity?: (ctx: ConnectorContext) => string | Promise<string>;
  actions?: Record<string, ActionDefinition<any>>;
  triggers?: Record<string, TriggerDefinition<any>>;
  objectDefinitions?: Record<string, ObjectDefinition>;
  pickLists?: Record<string, PickListFn>;
  methods?: Record<string, MethodFn>;
  webhookKeys?: (ctx: WebhookContext) => string;
  streams?: Record<string, StreamProducer>;
  secureTunnel?: boolean;
  /** `true` (or options) adds `custom_action`, which calls any endpoint with the connection. */
  customAction?: boolean | CustomActionOptions;
}

export interface CustomActionOptions {
  /**
   * Send the connection's authorization also to absolute URLs on another origin than the
   * connection's base URI. Off by default: such a call goes out without credentials.
   */
  authorizeOtherOrigins?: boolean;
}
