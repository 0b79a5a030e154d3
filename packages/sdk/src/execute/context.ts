/**
 * Builds the one context object every lambda receives (SPEC §1). The base context carries the
 * connection and the helpers; operation contexts add `input`, `closure`, `payload`, ...
 */
import { applyAuthorization, type SingleAuthorization, selectAuthorization } from '../auth/apply.js';
import type { JwtDecodeOptions, JwtEncodeOptions, JwtKey } from '../auth/jwt.js';
import {
  canRefresh,
  failureMatchers,
  generationOf,
  type RefreshGate,
  type RefreshHost,
  reauthorizeError,
  refreshConnection,
  refreshIfExpiring,
} from '../auth/refresh.js';
import { ConnectorError, isWeftError, messageOf, WeftError } from '../errors.js';
import { createHttpHelpers } from '../http/index.js';
import type { HttpEnv, HttpExchangeLog, RetryPolicy } from '../http/types.js';
import type { Redactor } from '../redact.js';
import { createObjectDefinitions } from '../schema/index.js';
import type { AwsSignatureOptions } from '../types/contexts.js';
import type {
  Authorization,
  AwsAuthorization,
  ConnectorContext,
  ConnectorDefinition,
  Field,
  HttpHelpers,
  Logger,
  ObjectDefinitionsAccessor,
  ReinvokeRequest,
  StreamReadOptions,
  WaitForResumeRequest,
} from '../types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface RunEnvironment {
  connector: ConnectorDefinition;
  /** Mutable: refreshed tokens are merged in place. */
  connection: Record<string, unknown>;
  redactor: Redactor;
  timeoutMs: number;
  retryBaseMs?: number;
  now: () => Date;
  onExchange?: (log: HttpExchangeLog) => void;
  onLog?: (level: LogLevel, message: string, data?: unknown) => void;
  dispatcher?: HttpEnv['dispatcher'];
  /** Connection values of `test`, acquire and refresh run without `apply`. */
  skipAuth?: boolean;
  /** Told about values a refresh merged into the connection (to store them). */
  onConnectionUpdate?: (values: Record<string, unknown>) => void | Promise<void>;
  /** Where a refresh runs when processes share the stored connection. */
  refreshGate?: RefreshGate;
  /** What all contexts of this run share, built on first use (kept here, not in a module map). */
  shared?: RunShared;
}

/** Thrown by `ctx.reinvokeAfter`; the executor turns it into a suspended result. */
export class ReinvokeSignal {
  constructor(readonly request: ReinvokeRequest) {}
}

/** Thrown by `ctx.waitForResume`; the executor turns it into a waiting result. */
export class WaitForResumeSignal {
  constructor(readonly request: WaitForResumeRequest) {}
}

/** Wraps a lambda so that anything it throws becomes one clear WeftError naming where. */
export async function runLambda<T>(where: string, redactor: Redactor, fn: () => T | Promise<T>): Promise<Awaited<T>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ReinvokeSignal || error instanceof WaitForResumeSignal || isWeftError(error)) throw error;
    throw new WeftError('LAMBDA_FAILED', `${where} failed: ${redactor.redact(messageOf(error))}`, { cause: error });
  }
}

/** What all contexts of one run share, built once per run (this is on the hot path of jobs). */
export interface RunShared {
  http: Map<RetryPolicy | undefined, HttpHelpers>;
  log: Logger;
  objectDefinitions?: ObjectDefinitionsAccessor;
  /** Object definitions that see a run's config fields, one accessor (and memo) per config value. */
  configured?: WeakMap<object, ObjectDefinitionsAccessor>;
  /** The first context of the run: what `baseUri` and `selected` receive. */
  root?: ConnectorContext;
  /** Helpers that need the run (redactor, clock, authorization), built once per run. */
  authHelpers: AuthHelpers;
  /** Where refresh and acquire run: the same run without `apply` (built on first refresh). */
  refreshHost?: RefreshHost;
}

interface AuthHelpers {
  awsSignature: ConnectorContext['awsSignature'];
  jwtEncode: ConnectorContext['jwtEncode'];
  jwtDecode: ConnectorContext['jwtDecode'];
}

function sharedOf(env: RunEnvironment): RunShared {
  if (!env.shared) {
    const log = createLogger(env);
    const partial: Omit<RunShared, 'authHelpers'> = { http: new Map(), log };
    env.shared = Object.assign(partial, { authHelpers: createAuthHelpers(env, partial) });
  }
  return env.shared;
}

/** What an authorization needs per request, worked out once per authorization object. */
interface AuthPlan {
  /** Some option can refresh: failures and expiry are watched. */
  refreshable: boolean;
  /** Some option is `aws_auth`: requests are signed. */
  signs: boolean;
}

const plans = new WeakMap<object, AuthPlan>();

function planOf(authorization: Authorization): AuthPlan {
  let plan = plans.get(authorization);
  if (!plan) {
    const options: SingleAuthorization[] =
      authorization.type === 'multi'
        ? Object.values((authorization as { options?: Record<string, SingleAuthorization> }).options ?? {})
        : [authorization as SingleAuthorization];
    plan = {
      refreshable: options.some((o) => canRefresh(o)),
      signs: options.some((o) => o?.type === 'aws_auth'),
    };
    plans.set(authorization, plan);
  }
  return plan;
}

function refreshHostOf(env: RunEnvironment, s: RunShared): RefreshHost {
  if (!s.refreshHost) {
    const inner: RunEnvironment = { ...env, skipAuth: true, shared: undefined };
    let ctx: ConnectorContext | undefined;
    s.refreshHost = {
      connection: env.connection,
      redactor: env.redactor,
      now: env.now,
      context: () => {
        ctx ??= createBaseContext(inner);
        return ctx;
      },
      onConnectionUpdate: env.onConnectionUpdate,
      refreshGate: env.refreshGate,
      onLog: (level, message) => env.onLog?.(level, env.redactor.redact(message)),
      timeoutMs: env.timeoutMs,
      onExchange: env.onExchange,
      dispatcher: env.dispatcher,
    };
  }
  return s.refreshHost;
}

function httpHelpersFor(env: RunEnvironment, retry: RetryPolicy | undefined): HttpHelpers {
  const s = sharedOf(env);
  let helpers = s.http.get(retry);
  if (helpers) return helpers;
  const { connector, redactor } = env;
  const authorization = connector.connection?.authorization;
  const plan = env.skipAuth || !authorization ? undefined : planOf(authorization);
  const selected = () => selectAuthorization(authorization, s.root!);
  const httpEnv: HttpEnv = {
    async baseUri() {
      const fn = connector.connection?.baseUri;
      if (!fn) return undefined;
      const uri = await runLambda('connection.baseUri', redactor, () => fn(s.root!));
      if (typeof uri !== 'string' || uri === '') {
        throw new WeftError('DEFINITION_INVALID', 'connection.baseUri must return a non-empty string URL');
      }
      return uri;
    },
    applyAuth: !plan
      ? undefined
      : plan.refreshable
        ? async () => {
            const auth = selected();
            if (canRefresh(auth)) await refreshIfExpiring(refreshHostOf(env, s), auth!);
            const applied = await applyAuthorization(auth, env.connection, redactor);
            if (applied) applied.tag = generationOf(env.connection);
            return applied;
          }
        : async () => applyAuthorization(selected(), env.connection, redactor),
    timeoutMs: env.timeoutMs,
    retry,
    retryBaseMs: env.retryBaseMs,
    onExchange: env.onExchange,
    redact: (text) => redactor.redact(text),
    dispatcher: env.dispatcher,
  };
  if (plan?.refreshable) {
    // Only connectors that can refresh pay for watching responses.
    httpEnv.onAuthFailure = async (_status, _body, _headers, tag) => {
      const auth = selected();
      if (!canRefresh(auth)) return false;
      await refreshConnection(refreshHostOf(env, s), auth!, tag);
      return true;
    };
    httpEnv.onAuthRejected = (status) => {
      if (canRefresh(selected())) {
        throw reauthorizeError(`the API still rejects the credentials after a refresh (HTTP ${status})`);
      }
    };
    Object.defineProperty(httpEnv, 'authFailureOn', { get: () => failureMatchers(selected()), enumerable: true });
  }
  if (plan?.signs) {
    httpEnv.sign = async (request) => {
      const auth = selected();
      if (auth?.type !== 'aws_auth') return {};
      const { signForConnection } = await import('../auth/aws-connection.js');
      return signForConnection(auth as AwsAuthorization, s.root!, request, env.now());
    };
  }
  helpers = createHttpHelpers(httpEnv);
  s.http.set(retry, helpers);
  return helpers;
}

export function createBaseContext(env: RunEnvironment, retry?: RetryPolicy): ConnectorContext {
  const { connector, redactor } = env;
  const s = sharedOf(env);
  const http = httpHelpersFor(env, retry);
  s.objectDefinitions ??= createObjectDefinitions(connector.objectDefinitions, (accessor) =>
    withFields(ctx, { objectDefinitions: accessor, configFields: {} }),
  );
  // A plain object of fixed shape: cheap to build and to copy (see withFields).
  const ctx: ConnectorContext = {
    connection: env.connection as Record<string, any>,
    get: http.get,
    post: http.post,
    put: http.put,
    patch: http.patch,
    delete: http.delete,
    options: http.options,
    head: http.head,
    call: (methodName: string, ...args: unknown[]) => callMethod(env, ctx, methodName, args) as Promise<any>,
    error(message: string): never {
      throw new ConnectorError(redactor.redact(String(message)));
    },
    now: env.now,
    checkpoint(label: string, data?: unknown) {
      env.onLog?.('info', `checkpoint: ${label}`, data === undefined ? undefined : redactor.redactValue(data));
    },
    log: s.log,
    awsSignature: s.authHelpers.awsSignature,
    jwtEncode: s.authHelpers.jwtEncode,
    jwtDecode: s.authHelpers.jwtDecode,
    objectDefinitions: s.objectDefinitions,
    streams: {
      read: (name: string, options?: StreamReadOptions) => readStream(env, ctx, name, options),
    },
  };
  s.root ??= ctx;
  return ctx;
}

/**
 * What a context that knows its config fields adds: `configFields`, and object definitions
 * that receive them too (as Workato's do), so a definition can depend on the chosen object.
 */
export function configScope(
  env: RunEnvironment,
  configFields: Record<string, unknown>,
): { configFields: Record<string, unknown>; objectDefinitions: ObjectDefinitionsAccessor } {
  const s = sharedOf(env);
  s.configured ??= new WeakMap();
  let accessor = s.configured.get(configFields);
  if (!accessor) {
    accessor = createObjectDefinitions(env.connector.objectDefinitions, (inner) =>
      withFields(s.root ?? createBaseContext(env), { objectDefinitions: inner, configFields }),
    );
    s.configured.set(configFields, accessor);
  }
  return { configFields, objectDefinitions: accessor };
}

/** A derived context: same helpers, extra operation-specific values (a copy). */
export function withFields<B extends ConnectorContext, T extends object>(base: B, extra: T): B & T {
  // Not `{ ...base, ...extra }`: V8 copies a context this size an order of magnitude slower
  // with spreads (tens of µs per webhook request), and the result is the same own properties.
  return Object.assign({}, base, extra);
}

/** Adds operation-specific values to a context that no one else holds (cheaper than a copy). */
export function extend<B extends ConnectorContext, T extends object>(own: B, extra: T): B & T {
  return Object.assign(own, extra);
}

export async function callMethod(env: RunEnvironment, ctx: ConnectorContext, name: string, args: unknown[]) {
  const method = env.connector.methods?.[name];
  if (typeof method !== 'function') {
    const known = Object.keys(env.connector.methods ?? {});
    throw new WeftError(
      'UNKNOWN_METHOD',
      `Unknown method "${name}". ${known.length ? `Methods of this connector: ${known.join(', ')}` : 'This connector defines no methods.'}`,
    );
  }
  return runLambda(`methods.${name}`, env.redactor, () => method(ctx, ...args));
}

/** `ctx.awsSignature`, `ctx.jwtEncode`, `ctx.jwtDecode`: their modules load on first use. */
function createAuthHelpers(env: RunEnvironment, s: Pick<RunShared, 'root'>): AuthHelpers {
  const { redactor } = env;
  return {
    async awsSignature(options: AwsSignatureOptions) {
      const { awsSignature } = await import('../auth/aws-connection.js');
      const root = s.root!;
      const auth = selectAuthorization(env.connector.connection?.authorization, root);
      const signed = await awsSignature(
        auth?.type === 'aws_auth' ? (auth as AwsAuthorization) : undefined,
        root,
        options,
        env.now(),
      );
      // Signatures and presigned URLs are credentials: keep them out of logs and output.
      if (options?.secretAccessKey) redactor.add(options.secretAccessKey);
      if (options?.sessionToken) redactor.add(options.sessionToken);
      const signature = /Signature=([0-9a-f]{64})/i.exec(signed.authorization ?? signed.url ?? '');
      if (signature) redactor.add(signature[1]);
      return signed;
    },
    async jwtEncode(payload, key, alg = 'HS256', options?: JwtEncodeOptions) {
      const { jwtEncode } = await import('../auth/jwt.js');
      const token = await jwtEncode(payload, key, alg, options, env.now());
      redactor.add(token);
      if (typeof key === 'string') redactor.add(key);
      return token;
    },
    async jwtDecode(token, key?: JwtKey, options?: JwtDecodeOptions) {
      const { jwtDecode } = await import('../auth/jwt.js');
      return jwtDecode(token, key, options, env.now());
    },
  };
}

function createLogger(env: RunEnvironment): Logger {
  const emit = (level: LogLevel) => (message: string, data?: unknown) =>
    env.onLog?.(
      level,
      env.redactor.redact(String(message)),
      data === undefined ? undefined : env.redactor.redactValue(data),
    );
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

const DEFAULT_CHUNK = 1024 * 1024;

async function* readStream(
  env: RunEnvironment,
  base: ConnectorContext,
  name: string,
  options: StreamReadOptions = {},
): AsyncIterable<Uint8Array> {
  const producer = env.connector.streams?.[name];
  if (typeof producer !== 'function') {
    const known = Object.keys(env.connector.streams ?? {});
    throw new WeftError(
      'UNKNOWN_PATH',
      `Unknown stream "${name}". Streams of this connector: ${known.join(', ') || 'none'}`,
    );
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  const ctx = withFields(base, { args: options.args ?? {} });
  let from = 0;
  for (;;) {
    const chunk = await runLambda(`streams.${name}`, env.redactor, () => producer(ctx, from, from + chunkSize - 1));
    if (!chunk || typeof chunk !== 'object' || !('data' in chunk)) {
      throw new WeftError('LAMBDA_FAILED', `streams.${name} must return { data, eof }`);
    }
    const bytes = typeof chunk.data === 'string' ? Buffer.from(chunk.data) : chunk.data;
    if (bytes.length > 0) yield bytes;
    from += bytes.length;
    if (chunk.eof || bytes.length === 0) return;
  }
}

/** Fields the user sees in lists need an explicit type; helper for object definitions. */
export type { Field };
