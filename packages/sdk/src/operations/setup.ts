/**
 * The per-run setup every operation shares: the connection, the redactor seeded with its
 * secrets, the HTTP timeouts, the exchange and log listeners. Built once per run and passed
 * explicitly; what the contexts of the run share lazily lives on this object too.
 */
import { isLearnedKey } from '../auth/learned.js';
import type { RunEnvironment } from '../execute/context.js';
import { holdableListener } from '../http/exchange-hold.js';
import { OPERATION_KINDS, type OperationKind } from '../model/operations.js';
import { Redactor } from '../redact.js';
import type { ConnectorDefinition } from '../types.js';
import type { RunOptions } from './types.js';

const INTERACTIVE_TIMEOUT_MS = 40_000;
const JOB_TIMEOUT_MS = 180_000;

/** Connection keys whose values are secret whatever the field list says. */
const SECRET_CONNECTION_KEYS =
  /^(password|passphrase|secret|client_secret|access_token|refresh_token|id_token|api_key|apikey|token|session_token|secret_access_key|private_key)$/i;

// A cache of the (immutable) definition, not per-run state: every run asks.
const passwordFieldCache = new WeakMap<ConnectorDefinition, Set<string>>();

/** Names of password-type connection fields, worked out once per connector. */
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

/** The environment of one run of an operation of `kind`. */
export function createRun(connector: ConnectorDefinition, kind: OperationKind, options: RunOptions): RunEnvironment {
  const connection = options.connection ?? {};
  const redactor = new Redactor([...connectionSecrets(connector, connection), ...(options.secrets ?? [])]);
  return {
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
    refreshGate: options.refreshGate,
    skipAuth: OPERATION_KINDS[kind].auth === 'skip',
  };
}
