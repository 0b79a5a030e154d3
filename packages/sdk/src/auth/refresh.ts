/**
 * Refresh coordination (SPEC §4). When a response means "the credentials expired" (`refreshOn`,
 * `detectOn`, or a 401), the authorization's `refresh` runs — for `oauth2` without one, the
 * default refresh; for `custom_auth` without one, `acquire` again — and the request is sent once
 * more with the new values.
 *
 * Single flight: exactly one refresh runs per connection at a time. The in-flight refresh is
 * kept per connection object (a WeakMap), so every run that holds the same connection object —
 * concurrent requests of one operation, or concurrent jobs in the runtime — waits for it
 * instead of starting another. A generation counter tells a late failure of credentials that
 * were already replaced from a real one: such a request is just sent again.
 *
 * Across processes: a host that runs several processes on one store gives a `RefreshGate`. The
 * refresh then runs inside it (the host's lock on the stored connection), and values another
 * process stored meanwhile are taken instead of refreshing again.
 */
import { isWeftError, messageOf, WeftError } from '../errors.js';
import type { Redactor } from '../redact.js';
import type { ConnectorContext, ResponseMatcher } from '../types.js';
import type { SingleAuthorization } from './apply.js';
import type { TokenRequestEnv } from './token.js';

/** Proactive refresh: a token whose `expires_at` is this close (or past) is refreshed before use. */
export const PROACTIVE_REFRESH_MS = 60_000;

/** Without `refreshOn`/`detectOn`, a 401 means "refresh". */
const DEFAULT_MATCHERS: readonly ResponseMatcher[] = [401];

interface ConnectionState {
  /** Bumped by every successful refresh. */
  generation: number;
  inFlight?: Promise<void>;
  /** The `expires_at` a proactive refresh was last tried for (tried once per value). */
  proactiveFor?: string;
}

const states = new WeakMap<object, ConnectionState>();

function stateOf(connection: object): ConnectionState {
  let state = states.get(connection);
  if (!state) {
    state = { generation: 0 };
    states.set(connection, state);
  }
  return state;
}

/** The generation of the connection's credentials (for `AppliedAuth.tag`). */
export function generationOf(connection: object): number {
  return states.get(connection)?.generation ?? 0;
}

/**
 * What a gate answers: it ran the refresh (and stored its values), or the stored values had
 * changed since the run read its own (another process refreshed) and the run takes them.
 */
export type RefreshGateOutcome = { refreshed: true } | { refreshed: false; values: Record<string, unknown> };

/**
 * Serialises the refresh of one connection among processes that share a store. Called, once per
 * in-process refresh, with a copy of the values the run holds. The gate takes its lock on the
 * stored connection and reads it: if the stored values differ from `held`, it answers them
 * without calling `refresh`; else it calls `refresh` (which obtains new credentials, merges
 * them into the run's connection and resolves to all of its values), stores what it resolves to,
 * and only then releases the lock. A failure of `refresh` must reach the caller unchanged.
 */
export type RefreshGate = (
  held: Record<string, unknown>,
  refresh: () => Promise<Record<string, unknown>>,
) => Promise<RefreshGateOutcome>;

/** What a refresh needs from the run that asks for it. */
export interface RefreshHost {
  /** Mutable: new values are merged in place. */
  connection: Record<string, unknown>;
  redactor: Redactor;
  now(): Date;
  /** A context for `refresh`/`acquire`: its requests run without `apply` and without refresh. */
  context(): ConnectorContext;
  /** Told about the new values (the runtime stores them; the CLI writes its settings file). */
  onConnectionUpdate?(values: Record<string, unknown>): void | Promise<void>;
  /** Where the refresh runs when processes share the connection (see `RefreshGate`). */
  refreshGate?: RefreshGate;
  onLog?(level: 'warn', message: string): void;
  /** For the token requests of the default OAuth2 refresh. */
  timeoutMs?: number;
  onExchange?: TokenRequestEnv['onExchange'];
  dispatcher?: TokenRequestEnv['dispatcher'];
}

/** Whether this authorization can obtain new credentials by itself. */
export function canRefresh(auth: SingleAuthorization | undefined): boolean {
  if (!auth) return false;
  if (typeof auth.refresh === 'function') return true;
  if (auth.type === 'oauth2') return true;
  return auth.type === 'custom_auth' && typeof auth.acquire === 'function';
}

/** Statuses and body patterns that mean "expired": `refreshOn` and `detectOn` together. */
export function failureMatchers(auth: SingleAuthorization | undefined): readonly ResponseMatcher[] {
  if (!auth) return DEFAULT_MATCHERS;
  let matchers = matchersCache.get(auth);
  if (!matchers) {
    const on = auth.refreshOn ?? [];
    const detect = auth.detectOn ?? [];
    matchers = on.length === 0 && detect.length === 0 ? DEFAULT_MATCHERS : [...on, ...detect];
    matchersCache.set(auth, matchers);
  }
  return matchers;
}

const matchersCache = new WeakMap<object, readonly ResponseMatcher[]>();

/** The error for credentials that cannot be renewed. Its message carries no secret. */
export function reauthorizeError(reason: string, cause?: unknown): WeftError {
  return new WeftError(
    'REAUTHORIZE',
    `The connection needs to be reconnected: ${reason}. Reconnect it (enter the credentials or sign in again), then retry.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Refreshes the connection's credentials, sharing one refresh among all callers. `tag` is the
 * generation the failed request used: if a refresh finished since, nothing runs again.
 */
export function refreshConnection(host: RefreshHost, auth: SingleAuthorization, tag?: unknown): Promise<void> {
  const state = stateOf(host.connection);
  if (state.inFlight) return state.inFlight;
  if (typeof tag === 'number' && tag !== state.generation) return Promise.resolve();
  const flight = (async () => {
    try {
      const values = host.refreshGate ? await gated(host, host.refreshGate, auth) : await obtain(host, auth);
      state.generation++;
      if (values) await notify(host, values);
    } finally {
      state.inFlight = undefined;
    }
  })();
  state.inFlight = flight;
  return flight;
}

/**
 * Before a request: refresh when `expires_at` is within PROACTIVE_REFRESH_MS. A failed proactive
 * refresh is tried once per `expires_at` value and only fails the request once the token has
 * actually expired (until then the current token is still good).
 */
export async function refreshIfExpiring(host: RefreshHost, auth: SingleAuthorization): Promise<void> {
  const expiresAt = host.connection.expires_at;
  if (typeof expiresAt !== 'string') return;
  const at = Date.parse(expiresAt);
  if (Number.isNaN(at)) return;
  const left = at - host.now().getTime();
  if (left > PROACTIVE_REFRESH_MS) return;
  const state = stateOf(host.connection);
  let flight = state.inFlight;
  const mine = !flight;
  if (!flight) {
    if (state.proactiveFor === expiresAt) return;
    state.proactiveFor = expiresAt;
    flight = refreshConnection(host, auth);
  }
  try {
    await flight;
  } catch (error) {
    if (left <= 0) throw error;
    if (mine) {
      host.onLog?.('warn', `proactive refresh failed; using the current token until it expires: ${messageOf(error)}`);
    }
  }
}

/**
 * The refresh through the gate: what it obtained, or undefined when the run took the values
 * another process stored (those are merged into the run's connection here).
 */
async function gated(
  host: RefreshHost,
  gate: RefreshGate,
  auth: SingleAuthorization,
): Promise<Record<string, unknown> | undefined> {
  let obtained: Record<string, unknown> | undefined;
  const outcome = await gate({ ...host.connection }, async () => {
    obtained = await obtain(host, auth);
    return { ...host.connection };
  });
  if (!outcome.refreshed) {
    await adopt(host, outcome.values);
    return undefined;
  }
  return obtained;
}

/** Replaces the run's values with stored ones; what changed is secret as obtained values are. */
async function adopt(host: RefreshHost, stored: Record<string, unknown>): Promise<void> {
  const { mergeCredentials } = await import('./obtain.js');
  const connection = host.connection;
  for (const key of Object.keys(connection)) if (!Object.hasOwn(stored, key)) delete connection[key];
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (JSON.stringify(connection[key]) !== JSON.stringify(value)) changed[key] = value;
  }
  mergeCredentials({ connection, redactor: host.redactor }, changed);
  Object.assign(connection, stored);
}

async function obtain(host: RefreshHost, auth: SingleAuthorization): Promise<Record<string, unknown>> {
  // Loaded on the first refresh only: the OAuth2 client is not needed before.
  const { obtainCredentials } = await import('./obtain.js');
  const operation = typeof auth.refresh === 'function' || auth.type === 'oauth2' ? 'refresh' : 'acquire';
  let values: Record<string, unknown>;
  try {
    values = await obtainCredentials(operation, auth, host.context(), {
      connection: host.connection,
      redactor: host.redactor,
      now: host.now,
      timeoutMs: host.timeoutMs,
      onExchange: host.onExchange,
      dispatcher: host.dispatcher,
    });
  } catch (error) {
    if (isWeftError(error) && error.code === 'REAUTHORIZE') throw error;
    // Messages of the SDK's errors are already redacted; anything else goes through the redactor.
    throw reauthorizeError(`the ${operation} failed: ${host.redactor.redact(messageOf(error))}`, error);
  }
  return values;
}

async function notify(host: RefreshHost, values: Record<string, unknown>): Promise<void> {
  if (!host.onConnectionUpdate) return;
  try {
    await host.onConnectionUpdate(values);
  } catch (error) {
    // The refresh worked and the request can go on; only storing the values failed.
    host.onLog?.('warn', `storing the refreshed connection values failed: ${host.redactor.redact(messageOf(error))}`);
  }
}
