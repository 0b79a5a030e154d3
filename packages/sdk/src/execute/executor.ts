/**
 * The executor: resolve a path (`actions.x.execute`, `pick_lists.y`, ...) on a loaded connector
 * and run it with one connection. The CLI, the tests and the platform all run connector code
 * through `execute`, so what `weft exec` shows is what a job does.
 */
import { applyAuthorization, selectAuthorization } from '../auth/apply.js';
import { isLearnedKey } from '../auth/learned.js';
import { obtainCredentials } from '../auth/obtain.js';
import { isWeftError, UsageError, WeftError } from '../errors.js';
import { holdableListener } from '../http/exchange-hold.js';
import type { HttpExchangeLog, RetryPolicy } from '../http/types.js';
import { Redactor } from '../redact.js';
import {
  buildWebhookReply,
  resolvePayload,
  type SignatureState,
  type WebhookReply,
  webhookSignatureHelpers,
} from '../triggers/reply.js';
import type {
  ActionDefinition,
  ConnectorContext,
  ConnectorDefinition,
  PollResult,
  ResumeValue,
  TriggerDefinition,
} from '../types.js';
import {
  callMethod,
  configScope,
  createBaseContext,
  extend,
  type LogLevel,
  ReinvokeSignal,
  type RunEnvironment,
  runLambda,
  WaitForResumeSignal,
  withFields,
} from './context.js';
import {
  asObject,
  convertOutput,
  fieldsOnly,
  operationText,
  prepareInput,
  resolveOutputFields,
  sampleOutput,
} from './fields.js';
import { type ExecTarget, identityOf, parseExecPath } from './paths.js';

export interface WebhookRequest {
  payload?: unknown;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  rawBody?: string;
}

export interface ExecuteOptions {
  /** The connection's values (from settings or the store). Refreshed values are merged in place. */
  connection?: Record<string, unknown>;
  input?: unknown;
  closure?: unknown;
  /** A method's arguments (array), or a pick list's arguments (object). */
  args?: unknown;
  configFields?: Record<string, unknown>;
  /** The `continue` value of a multistep action's next step. */
  continue?: unknown;
  /**
   * `ctx.resumeUrl` of an action: the URL that resumes it after `waitForResume`. A function is
   * called on first use only (the runtime mints a token only for actions that ask).
   */
  resumeUrl?: string | (() => string);
  /** `ctx.resume` of an action running again after `waitForResume`. */
  resume?: ResumeValue;
  webhook?: WebhookRequest;
  webhookUrl?: string;
  /** The subscription returned by `webhook_subscribe`, for unsubscribe and refresh. */
  subscription?: unknown;
  /** `interactive` (40 s per request, the default) or `job` (3 min). */
  mode?: 'interactive' | 'job';
  now?: () => Date;
  retryBaseMs?: number;
  onExchange?: (log: HttpExchangeLog) => void;
  onLog?: (level: LogLevel, message: string, data?: unknown) => void;
  dispatcher?: RunEnvironment['dispatcher'];
  /** Values known to be secret beyond what the connection fields say. */
  secrets?: Iterable<string>;
  /**
   * For `connection.authorization.acquire` of the authorization-code grant: the code from the
   * redirect, the redirect URI it was sent to and the PKCE verifier (given to a connector's own
   * `acquire` as `ctx.code`, `ctx.redirectUri`, `ctx.codeVerifier`).
   */
  authorizationCode?: { code: string; redirectUri: string; codeVerifier?: string };
  /**
   * Told about the values a refresh (or a re-run `acquire`) merged into `connection`, once per
   * refresh by the run that performed it: store them. A failure here is logged, not raised.
   */
  onConnectionUpdate?: (values: Record<string, unknown>) => void | Promise<void>;
}

export type ExecuteResult =
  | {
      kind: 'output';
      output: unknown;
      dropped: string[];
      /** `webhook_notification`: the reply to send (webhookResponseStatus/Body/Headers). */
      reply?: WebhookReply;
    }
  | { kind: 'suspended'; reinvokeAfter: { seconds: number; continue: unknown } }
  /** `ctx.waitForResume`: run again when the resume URL is called, or after the timeout. */
  | { kind: 'waiting'; waitForResume: { timeoutSeconds: number; continue: unknown } }
  | { kind: 'stream'; stream: AsyncIterable<Uint8Array> };

const INTERACTIVE_TIMEOUT_MS = 40_000;
const JOB_TIMEOUT_MS = 180_000;

/** Connection keys whose values are secret whatever the field list says. */
const SECRET_CONNECTION_KEYS =
  /^(password|passphrase|secret|client_secret|access_token|refresh_token|id_token|api_key|apikey|token|session_token|secret_access_key|private_key)$/i;

const passwordFieldCache = new WeakMap<ConnectorDefinition, Set<string>>();

/** Names of password-type connection fields, worked out once per connector (every run asks). */
function passwordFieldsOf(connector: ConnectorDefinition): Set<string> {
  let names = passwordFieldCache.get(connector);
  if (!names) {
    names = new Set(
      (connector.connection?.fields ?? []).filter((f) => f.controlType === 'password').map((f) => f.name),
    );
    passwordFieldCache.set(connector, names);
  }
  return names;
}

export function connectionSecrets(connector: ConnectorDefinition, connection: Record<string, unknown>): string[] {
  const secrets: string[] = [];
  const passwordFields = passwordFieldsOf(connector);
  for (const [key, value] of Object.entries(connection)) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    if (passwordFields.has(key) || SECRET_CONNECTION_KEYS.test(key) || isLearnedKey(connector, key)) {
      secrets.push(String(value));
    }
  }
  // The Basic-auth form of a user name with a secret password.
  const user = connection.username ?? connection.user ?? connection.email;
  if (typeof user === 'string' && secrets.length > 0) {
    for (const secret of [...secrets]) secrets.push(Buffer.from(`${user}:${secret}`).toString('base64'));
  }
  return secrets;
}

const parsedPaths = new WeakMap<ConnectorDefinition, Map<string, ExecTarget>>();

/** Parsed paths are cached per connector: jobs run the same few paths many times. */
function targetOf(connector: ConnectorDefinition, path: string): ExecTarget {
  let paths = parsedPaths.get(connector);
  if (!paths) {
    paths = new Map();
    parsedPaths.set(connector, paths);
  }
  let target = paths.get(path);
  if (!target) {
    target = parseExecPath(path, connector);
    if (paths.size < 1000) paths.set(path, target);
  }
  return target;
}

/** Runs one operation of a connector. */
export async function execute(
  connector: ConnectorDefinition,
  path: string,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  const target = targetOf(connector, path);
  const connection = options.connection ?? {};
  const redactor = new Redactor([...connectionSecrets(connector, connection), ...(options.secrets ?? [])]);
  const env: RunEnvironment = {
    connector,
    connection,
    redactor,
    timeoutMs: options.mode === 'job' ? JOB_TIMEOUT_MS : INTERACTIVE_TIMEOUT_MS,
    retryBaseMs: options.retryBaseMs,
    now: options.now ?? (() => new Date()),
    onExchange: holdableListener(options.onExchange, redactor),
    onLog: options.onLog,
    dispatcher: options.dispatcher,
    onConnectionUpdate: options.onConnectionUpdate,
    skipAuth: target.kind === 'authorization' && target.operation !== 'apply',
  };
  try {
    const result = await run(target, env, options);
    // Redaction is for diagnostics and never rewrites data (SPEC §4): only what an authorization
    // operation prints (what `apply` set, what `acquire` obtained) is redacted.
    if (result.kind === 'output' && target.kind === 'authorization')
      result.output = redactor.redactValue(result.output);
    return result;
  } catch (error) {
    if (error instanceof ReinvokeSignal) return suspended(error);
    if (error instanceof WaitForResumeSignal) {
      const { timeoutSeconds, continue: next } = error.request;
      return { kind: 'waiting', waitForResume: { timeoutSeconds, continue: next } };
    }
    throw error;
  }
}

function output(value: unknown, dropped: string[] = []): ExecuteResult {
  return { kind: 'output', output: value === undefined ? null : value, dropped };
}

function suspended(signal: ReinvokeSignal): ExecuteResult {
  const { seconds, continue: next } = signal.request;
  return { kind: 'suspended', reinvokeAfter: { seconds, continue: next } };
}

async function run(target: ExecTarget, env: RunEnvironment, options: ExecuteOptions): Promise<ExecuteResult> {
  const { connector, redactor } = env;
  switch (target.kind) {
    case 'test': {
      if (typeof connector.test !== 'function') {
        throw new WeftError(
          'UNKNOWN_PATH',
          'This connector defines no `test`: add `test: async (ctx) => ...` to check a connection.',
        );
      }
      const ctx = createBaseContext(env);
      return output(await runLambda('test', redactor, () => connector.test!(ctx)));
    }
    case 'identity': {
      const fn = identityOf(connector);
      if (!fn) {
        throw new WeftError(
          'UNKNOWN_PATH',
          'This connector defines no `identity`: add `identity: (ctx) => ...` to name the account behind a connection.',
        );
      }
      const ctx = createBaseContext(env);
      const who = await runLambda('identity', redactor, () => fn(ctx as never));
      return output(who === undefined || who === null ? null : String(who));
    }
    case 'base_uri': {
      const fn = connector.connection?.baseUri;
      const ctx = createBaseContext(env);
      return output(fn ? await runLambda('connection.baseUri', redactor, () => fn(ctx)) : null);
    }
    case 'authorization':
      return output(await runAuthorization(target.operation, env, options));
    case 'pick_list':
      return output(await runPickList(target.name, env, options.args));
    case 'method': {
      const args = options.args === undefined ? [] : options.args;
      if (!Array.isArray(args)) {
        throw new UsageError(`methods.${target.name}: --args must be a JSON array of arguments`);
      }
      return output(await callMethod(env, createBaseContext(env), target.name, args));
    }
    case 'object_definition': {
      const ctx = withFields(createBaseContext(env), configScope(env, options.configFields ?? {}));
      if (!connector.objectDefinitions?.[target.name]) {
        const known = Object.keys(connector.objectDefinitions ?? {});
        throw new WeftError(
          'UNKNOWN_OBJECT_DEFINITION',
          `Unknown object definition "${target.name}". Object definitions of this connector: ${known.join(', ') || 'none'}`,
        );
      }
      return output(await ctx.objectDefinitions[target.name]);
    }
    case 'stream': {
      const ctx = createBaseContext(env);
      return { kind: 'stream', stream: ctx.streams.read(target.name, { args: asObject(options.args) }) };
    }
    case 'webhook_keys': {
      if (typeof connector.webhookKeys !== 'function') {
        throw new WeftError('UNKNOWN_PATH', 'This connector defines no `webhookKeys` (static webhooks).');
      }
      const ctx = webhookContext(createBaseContext(env), options, {});
      return output(await runLambda('webhookKeys', redactor, () => connector.webhookKeys!(ctx as never)));
    }
    case 'action':
      return runAction(target.name, target.operation, env, options);
    case 'trigger':
      return runTrigger(target.name, target.operation, env, options);
  }
}

function findAction(connector: ConnectorDefinition, name: string): ActionDefinition {
  const action = connector.actions?.[name];
  if (!action) {
    const known = Object.keys(connector.actions ?? {});
    throw new WeftError(
      'UNKNOWN_PATH',
      `Unknown action "${name}". Actions of this connector: ${known.join(', ') || 'none'}`,
    );
  }
  return action;
}

function findTrigger(connector: ConnectorDefinition, name: string): TriggerDefinition {
  const trigger = connector.triggers?.[name];
  if (!trigger) {
    const known = Object.keys(connector.triggers ?? {});
    throw new WeftError(
      'UNKNOWN_PATH',
      `Unknown trigger "${name}". Triggers of this connector: ${known.join(', ') || 'none'}`,
    );
  }
  return trigger;
}

function retryPolicy(action: ActionDefinition): RetryPolicy | undefined {
  if (!action.retryOnResponse?.length && !action.maxRetries) return undefined;
  return {
    retryOnResponse: action.retryOnResponse ?? [],
    retryOnRequest: (action.retryOnRequest ?? ['GET', 'HEAD']).map((m) => m.toUpperCase()),
    maxRetries: Math.min(3, Math.max(0, action.maxRetries ?? 3)),
  };
}

async function runAction(
  name: string,
  operation: string,
  env: RunEnvironment,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const action = findAction(env.connector, name);
  const where = `actions.${name}`;
  switch (operation) {
    case 'input_fields':
      return output(await fieldsOnly(where, action, 'inputFields', env, options));
    case 'output_fields':
      return output(await fieldsOnly(where, action, 'outputFields', env, options));
    case 'config_fields':
      return output(await fieldsOnly(where, action, 'configFields', env, options));
    case 'sample_output':
      return output(await sampleOutput(where, action, env, options));
    case 'description':
    case 'help':
      return output(await operationText(where, action, operation, env, options));
  }
  if (typeof action.execute !== 'function') {
    throw new WeftError('DEFINITION_INVALID', `${where}.execute must be a function`);
  }
  const prepared = await prepareInput(where, action, env, options, retryPolicy(action));
  const outputFields = await resolveOutputFields(where, action, prepared, env);
  const ctx = extend(prepared.ctx, {
    input: prepared.input,
    extendedInputSchema: prepared.inputFields,
    extendedOutputSchema: outputFields,
    continue: options.continue,
    reinvokeAfter(request: { seconds: number; continue: unknown }): never {
      if (!request || typeof request.seconds !== 'number' || request.seconds < 0) {
        throw new WeftError(
          'LAMBDA_FAILED',
          `${where}.execute: reinvokeAfter needs { seconds: number >= 0, continue }`,
        );
      }
      throw new ReinvokeSignal({ seconds: request.seconds, continue: request.continue });
    },
    resume: options.resume,
    waitForResume(request: { timeoutSeconds: number; continue: unknown }): never {
      if (
        !request ||
        typeof request.timeoutSeconds !== 'number' ||
        !Number.isFinite(request.timeoutSeconds) ||
        request.timeoutSeconds <= 0
      ) {
        throw new WeftError(
          'LAMBDA_FAILED',
          `${where}.execute: waitForResume needs { timeoutSeconds: number > 0, continue }`,
        );
      }
      throw new WaitForResumeSignal({ timeoutSeconds: request.timeoutSeconds, continue: request.continue });
    },
  });
  defineResumeUrl(ctx, options.resumeUrl);
  const result = await runLambda(`${where}.execute`, env.redactor, () => action.execute(ctx as never));
  const converted = await convertOutput(outputFields, result, env);
  return output(converted, prepared.dropped);
}

/** `ctx.resumeUrl`: a plain value, or minted on first read and then kept. */
function defineResumeUrl(ctx: object, source: ExecuteOptions['resumeUrl']): void {
  if (typeof source !== 'function') {
    Object.defineProperty(ctx, 'resumeUrl', { value: source, enumerable: true });
    return;
  }
  let url: string | undefined;
  Object.defineProperty(ctx, 'resumeUrl', {
    get: () => {
      url ??= source();
      return url;
    },
    enumerable: true,
  });
}

/**
 * The context of webhook lambdas: the request (payload parsed as the trigger asks, headers with
 * lower-cased names, query parameters, raw body) and the signature helpers bound to it.
 */
function webhookContext(
  base: ConnectorContext,
  options: ExecuteOptions,
  input: Record<string, unknown>,
  trigger?: TriggerDefinition,
  signatures: SignatureState = { rejected: false },
) {
  const webhook = options.webhook ?? {};
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(webhook.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const rawBody = webhook.rawBody;
  const helpers = webhookSignatureHelpers({ headers, rawBody }, base.now, signatures, (m) => base.log.debug(m));
  // `base` is this run's own context (as in runAction): extending it spares a copy per request.
  return extend(base, {
    input,
    payload: resolvePayload({ payload: webhook.payload, rawBody, headers }, trigger?.webhookPayloadType),
    headers,
    params: webhook.params ?? {},
    rawBody,
    webhookUrl: options.webhookUrl,
    subscription: options.subscription,
    closure: options.closure,
    ...helpers,
  });
}

async function runTrigger(
  name: string,
  operation: string,
  env: RunEnvironment,
  options: ExecuteOptions,
): Promise<ExecuteResult> {
  const trigger = findTrigger(env.connector, name);
  const where = `triggers.${name}`;
  switch (operation) {
    case 'input_fields':
      return output(await fieldsOnly(where, trigger, 'inputFields', env, options));
    case 'output_fields':
      return output(await fieldsOnly(where, trigger, 'outputFields', env, options));
    case 'config_fields':
      return output(await fieldsOnly(where, trigger, 'configFields', env, options));
    case 'sample_output':
      return output(await sampleOutput(where, trigger, env, options));
    case 'description':
    case 'help':
      return output(await operationText(where, trigger, operation, env, options));
    case 'dedup': {
      const dedup = trigger.dedup;
      if (typeof dedup !== 'function') throw new WeftError('UNKNOWN_PATH', `${where} defines no dedup`);
      const events = Array.isArray(options.input) ? options.input : [options.input];
      return output(await runLambda(`${where}.dedup`, env.redactor, () => events.map((e) => dedup(e))));
    }
  }
  const lambdaName = {
    poll: 'poll',
    webhook_notification: 'webhookNotification',
    webhook_subscribe: 'webhookSubscribe',
    webhook_unsubscribe: 'webhookUnsubscribe',
    webhook_refresh: 'webhookRefresh',
    webhook_key: 'webhookKey',
  }[operation] as keyof TriggerDefinition;
  const fn = trigger[lambdaName] as ((ctx: unknown) => unknown) | undefined;
  if (typeof fn !== 'function') {
    throw new WeftError('UNKNOWN_PATH', `${where} defines no ${lambdaName}.`);
  }
  const prepared = await prepareInput(where, trigger, env, options);
  if (operation === 'poll') {
    const ctx = withFields(prepared.ctx, {
      input: prepared.input,
      closure: options.closure ?? undefined,
      extendedInputSchema: prepared.inputFields,
    });
    const result = await runLambda(`${where}.poll`, env.redactor, () => fn(ctx));
    return output(checkPollResult(where, result), prepared.dropped);
  }
  const signatures: SignatureState = { rejected: false };
  const ctx = webhookContext(prepared.ctx, options, prepared.input, trigger, signatures);
  if (operation !== 'webhook_notification') {
    return output(await runLambda(`${where}.${lambdaName}`, env.redactor, () => fn(ctx)), prepared.dropped);
  }
  // Resolved before the lambda runs: Workato passes them to `webhook_notification` too.
  const outputFields = await resolveOutputFields(where, trigger, prepared, env);
  extend(ctx, { extendedInputSchema: prepared.inputFields, extendedOutputSchema: outputFields });
  let result: unknown;
  try {
    result = await runLambda(`${where}.${lambdaName}`, env.redactor, () => fn(ctx));
  } catch (error) {
    // A refusal right after a failed signature check is a signature failure (answered 401).
    if (signatures.rejected && isWeftError(error) && error.code !== 'WEBHOOK_SIGNATURE_INVALID') {
      throw new WeftError('WEBHOOK_SIGNATURE_INVALID', error.message, {
        cause: error,
        details: { reason: signatures.reason },
      });
    }
    throw error;
  }
  if (outputFields.length && result !== null && result !== undefined) {
    const events = Array.isArray(result) ? result : [result];
    const converted = await Promise.all(events.map((e) => convertOutput(outputFields, e, env)));
    result = Array.isArray(result) ? converted : converted[0];
  }
  const reply = await runLambda(`${where}.webhookResponse`, env.redactor, () =>
    buildWebhookReply(trigger, ctx as never, where),
  );
  return { ...output(result, prepared.dropped), reply } as ExecuteResult;
}

/** At most this many events per poll (SPEC §6). */
export const MAX_EVENTS_PER_POLL = 1000;

/** A poll must return `{ events: [...], nextPoll?, canPollMore? }` with at most 1,000 events. */
export function checkPollResult(where: string, result: unknown): Required<PollResult> {
  if (!result || typeof result !== 'object' || !Array.isArray((result as PollResult).events)) {
    throw new WeftError('LAMBDA_FAILED', `${where}.poll must return { events: [...], nextPoll, canPollMore }`);
  }
  const r = result as PollResult;
  if (r.events.length > MAX_EVENTS_PER_POLL) {
    throw new WeftError(
      'TOO_MANY_EVENTS',
      `${where}.poll returned ${r.events.length} events; at most ${MAX_EVENTS_PER_POLL} are allowed per poll. ` +
        'Return fewer and set canPollMore: true to fetch the rest at once.',
      { details: { count: r.events.length, limit: MAX_EVENTS_PER_POLL } },
    );
  }
  if (r.canPollMore !== undefined && typeof r.canPollMore !== 'boolean') {
    throw new WeftError('LAMBDA_FAILED', `${where}.poll: canPollMore must be a boolean`);
  }
  return { events: r.events, nextPoll: r.nextPoll ?? null, canPollMore: r.canPollMore ?? false };
}

async function runPickList(name: string, env: RunEnvironment, args: unknown) {
  const fn = env.connector.pickLists?.[name];
  if (typeof fn !== 'function') {
    const known = Object.keys(env.connector.pickLists ?? {});
    throw new WeftError(
      'UNKNOWN_PICK_LIST',
      `Unknown pick list "${name}". ${known.length ? `Pick lists of this connector: ${known.join(', ')}` : 'This connector defines no pick lists.'}`,
    );
  }
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new UsageError(`pick_lists.${name}: --args must be a JSON object of pick-list arguments`);
  }
  const ctx = createBaseContext(env);
  const result = await runLambda(`pickLists.${name}`, env.redactor, () => fn(ctx as never, (args ?? {}) as never));
  if (!Array.isArray(result) || result.some((pair) => !Array.isArray(pair) || pair.length < 2)) {
    throw new WeftError('LAMBDA_FAILED', `pickLists.${name} must return an array of [label, value] pairs`);
  }
  return result;
}

async function runAuthorization(operation: string, env: RunEnvironment, options: ExecuteOptions) {
  const ctx = createBaseContext(env);
  const auth = selectAuthorization(env.connector.connection?.authorization, ctx);
  if (operation === 'apply') {
    const applied = await applyAuthorization(auth, env.connection, env.redactor);
    return env.redactor.redactValue(applied ?? null);
  }
  if (operation !== 'acquire' && operation !== 'refresh') {
    throw new WeftError('UNKNOWN_PATH', `connection.authorization has no operation "${operation}".`);
  }
  // Requests inside acquire/refresh run without `apply` (env.skipAuth); the result is merged
  // into env.connection, which the caller stores.
  return obtainCredentials(operation, auth, ctx, env, options.authorizationCode);
}
