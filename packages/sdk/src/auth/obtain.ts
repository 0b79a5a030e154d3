/**
 * Acquire and refresh for every authorization type: the connector's own `acquire` / `refresh`
 * when it defines one, else the OAuth2 defaults. The result is merged into the connection (the
 * caller stores it) and every secret value in it goes to the redactor first.
 */
import { isWeftError, messageOf, WeftError } from '../errors.js';
import { holdingExchanges } from '../http/exchange-hold.js';
import type { Redactor } from '../redact.js';
import type { ConnectorContext, OAuth2Authorization } from '../types.js';
import type { SingleAuthorization } from './apply.js';
import {
  browserSignInNeeded,
  type CodeExchange,
  defaultAcquire,
  defaultRefresh,
  needsAuthorizationCode,
} from './oauth2.js';
import { TOKEN_METADATA_KEYS, type TokenRequestEnv, withExpiry } from './token.js';

export type CredentialOperation = 'acquire' | 'refresh';

export interface CredentialEnv extends TokenRequestEnv {
  /** Mutable: the result is merged in. */
  connection: Record<string, unknown>;
  redactor: Redactor;
}

/**
 * Runs `acquire` or `refresh` once and merges what it returns into `env.connection`.
 * `ctx` should be a context whose requests skip `apply` (they obtain the credentials `apply` uses).
 */
export function obtainCredentials(
  operation: CredentialOperation,
  authorization: SingleAuthorization | undefined,
  ctx: ConnectorContext,
  env: CredentialEnv,
  code?: CodeExchange,
): Promise<Record<string, unknown>> {
  // The exchanges of a login carry what it obtains: they are shown once those values are secrets.
  return holdingExchanges(env.onExchange, () => obtain(operation, authorization, ctx, env, code));
}

/** `obtainCredentials` without the hold on its exchanges (same arguments). */
async function obtain(
  ...[operation, authorization, ctx, env, code]: Parameters<typeof obtainCredentials>
): Promise<Record<string, unknown>> {
  const where = `connection.authorization.${operation}`;
  const own = (authorization as Record<string, unknown> | undefined)?.[operation];
  let result: unknown;
  if (typeof own === 'function') {
    // Without a code the connector's exchange could only fail in a confusing way.
    if (operation === 'acquire' && authorization && needsAuthorizationCode(authorization) && !code?.code) {
      throw browserSignInNeeded();
    }
    // What AcquireContext / RefreshContext (types/auth.ts) add to the connection's context.
    const extra =
      operation === 'acquire'
        ? { code: code?.code, redirectUri: code?.redirectUri, codeVerifier: code?.codeVerifier }
        : { refreshToken: storedRefreshToken(env.connection) };
    try {
      result = await (own as (c: unknown) => unknown)({ ...ctx, ...extra });
    } catch (error) {
      if (isWeftError(error)) throw error;
      throw new WeftError('LAMBDA_FAILED', `${where} failed: ${env.redactor.redact(messageOf(error))}`, {
        cause: error,
      });
    }
    if (result === undefined || result === null) result = {};
    if (typeof result !== 'object' || Array.isArray(result)) {
      throw new WeftError('LAMBDA_FAILED', `${where} must return an object of connection values to store`);
    }
    result = withExpiry(result as Record<string, unknown>, env.now?.() ?? new Date(), env.connection);
  } else if (authorization?.type === 'oauth2') {
    const oauth2 = authorization as OAuth2Authorization;
    result =
      operation === 'acquire' ? await defaultAcquire(oauth2, ctx, env, code) : await defaultRefresh(oauth2, ctx, env);
  } else {
    throw new WeftError('UNKNOWN_PATH', `connection.authorization defines no ${operation}.`);
  }
  mergeCredentials(env, result as Record<string, unknown>);
  return result as Record<string, unknown>;
}

/** The stored refresh token as `RefreshContext.refreshToken` has it: a string (a number from a settings file is one). */
function storedRefreshToken(connection: Record<string, unknown>): string | undefined {
  const token = connection.refresh_token;
  if (typeof token === 'string') return token;
  return typeof token === 'number' ? String(token) : undefined;
}

/**
 * Everything obtained is secret except the token's description (`token_type`, `scope`,
 * `expires_at`, `expires_in`); a missing or empty `refresh_token` keeps the stored one.
 */
export function mergeCredentials(env: CredentialEnv, result: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(result)) {
    if (!TOKEN_METADATA_KEYS.has(key)) addDeep(env.redactor, value);
  }
  for (const [key, value] of Object.entries(result)) {
    if (value === undefined) continue;
    if (key === 'refresh_token' && (value === null || value === '')) continue;
    env.connection[key] = value;
  }
}

function addDeep(redactor: Redactor, value: unknown): void {
  if (typeof value === 'string' || typeof value === 'number') redactor.add(value);
  else if (Array.isArray(value)) for (const v of value) addDeep(redactor, v);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) addDeep(redactor, v);
}
