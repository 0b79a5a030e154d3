/**
 * Builds the one context object every lambda receives (SPEC §1). The base context carries the
 * connection and the helpers; operation contexts add `input`, `closure`, `payload`, ...
 */
import { applyAuthorization, selectAuthorization } from '../auth/apply.js';
import { ConnectorError, isWeftError, messageOf, WeftError } from '../errors.js';
import { createHttpHelpers } from '../http/index.js';
import type { HttpEnv, HttpExchangeLog, RetryPolicy } from '../http/types.js';
import type { Redactor } from '../redact.js';
import { createObjectDefinitions } from '../schema/index.js';
import type {
  ConnectorContext,
  ConnectorDefinition,
  Field,
  Logger,
  ObjectDefinitionsAccessor,
  ReinvokeRequest,
  StreamReadOptions,
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
}

/** Thrown by `ctx.reinvokeAfter`; the executor turns it into a suspended result. */
export class ReinvokeSignal {
  constructor(readonly request: ReinvokeRequest) {}
}

/** Wraps a lambda so that anything it throws becomes one clear WeftError naming where. */
export async function runLambda<T>(where: string, redactor: Redactor, fn: () => T | Promise<T>): Promise<Awaited<T>> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ReinvokeSignal || isWeftError(error)) throw error;
    throw new WeftError('LAMBDA_FAILED', `${where} failed: ${redactor.redact(messageOf(error))}`, { cause: error });
  }
}

export function createBaseContext(env: RunEnvironment, retry?: RetryPolicy): ConnectorContext {
  const { connector, redactor } = env;
  let ctx!: ConnectorContext;

  const httpEnv: HttpEnv = {
    async baseUri() {
      const fn = connector.connection?.baseUri;
      if (!fn) return undefined;
      const uri = await runLambda('connection.baseUri', redactor, () => fn(ctx));
      if (typeof uri !== 'string' || uri === '') {
        throw new WeftError('DEFINITION_INVALID', 'connection.baseUri must return a non-empty string URL');
      }
      return uri;
    },
    applyAuth: env.skipAuth
      ? undefined
      : async () =>
          applyAuthorization(selectAuthorization(connector.connection?.authorization, ctx), env.connection, redactor),
    timeoutMs: env.timeoutMs,
    retry,
    retryBaseMs: env.retryBaseMs,
    onExchange: env.onExchange,
    redact: (text) => redactor.redact(text),
    dispatcher: env.dispatcher,
  };

  const http = createHttpHelpers(httpEnv);
  const log = createLogger(env);
  let objectDefinitions: ObjectDefinitionsAccessor | undefined;

  ctx = {
    ...http,
    get connection() {
      return env.connection as Record<string, any>;
    },
    async call<T = any>(methodName: string, ...args: unknown[]): Promise<T> {
      return (await callMethod(env, ctx, methodName, args)) as T;
    },
    error(message: string): never {
      throw new ConnectorError(redactor.redact(String(message)));
    },
    now: env.now,
    checkpoint(label: string, data?: unknown) {
      env.onLog?.('info', `checkpoint: ${label}`, data === undefined ? undefined : redactor.redactValue(data));
    },
    log,
    get objectDefinitions() {
      objectDefinitions ??= createObjectDefinitions(connector.objectDefinitions, (accessor) =>
        withFields(ctx, { objectDefinitions: accessor, configFields: {} }),
      );
      return objectDefinitions;
    },
    streams: {
      read: (name: string, options?: StreamReadOptions) => readStream(env, ctx, name, options),
    },
  };
  return ctx;
}

/** A derived context: same helpers, extra operation-specific values. */
export function withFields<T extends object>(base: ConnectorContext, extra: T): ConnectorContext & T {
  const ctx = Object.create(base) as ConnectorContext & T;
  for (const [key, value] of Object.entries(extra)) {
    Object.defineProperty(ctx, key, { value, enumerable: true, writable: false });
  }
  return ctx;
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
