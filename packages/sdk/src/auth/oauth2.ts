/**
 * OAuth 2.0 for connectors (SPEC §4): the authorization-code grant (with or without PKCE),
 * client credentials and resource-owner password, and refresh. The executor calls
 * `defaultAcquire` / `defaultRefresh` when the connector defines no `acquire` / `refresh` of its own.
 *
 * Decisions (for the docs):
 * - `clientId` and `clientSecret` of the definition win; when the definition leaves one out, the
 *   connection's `client_id` / `client_secret` value is used (so each user can bring an app).
 * - Without a client secret the client is public: only `client_id` is sent (pair it with PKCE).
 * - `scope` is sent with the authorization request and the client credentials and password
 *   grants; a refresh asks for the scope granted before (no `scope` parameter).
 * - Query parameters already in `authorizationUrl` (`prompt=consent`, `access_type=offline`, ...)
 *   are kept; Weft adds `response_type`, `client_id`, `redirect_uri`, `scope`, `state` and the
 *   PKCE challenge.
 */
import { isWeftError, messageOf, WeftError } from '../errors.js';
import type { ConnectorContext, OAuth2Authorization, Setting } from '../types.js';
import { createPkcePair, createState } from './pkce.js';
import {
  checkTokenUrl,
  type OAuth2Client,
  type OAuth2Tokens,
  requestToken,
  type TokenAuthMethod,
  type TokenRequestEnv,
} from './token.js';

export { createPkcePair, createState, type PkcePair } from './pkce.js';
export {
  checkTokenUrl,
  type OAuth2Client,
  type OAuth2Tokens,
  type TokenAuthMethod,
  type TokenRequestEnv,
} from './token.js';

export type GrantType = 'authorization_code' | 'client_credentials' | 'password';

/** An oauth2 authorization's settings with every lambda evaluated. */
export interface OAuth2Settings {
  grantType: GrantType;
  authorizationUrl?: string;
  /** Empty only when resolved with `tokenUrl: 'optional'` and the connector sets none. */
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  scope?: string;
  pkce: boolean;
  tokenAuthMethod: TokenAuthMethod;
}

const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'client_credentials', 'password'];
const AUTH_METHODS: readonly TokenAuthMethod[] = ['client_secret_basic', 'client_secret_post'];
const WHERE = 'connection.authorization';

async function evaluate(
  name: string,
  setting: Setting | undefined,
  ctx: ConnectorContext,
): Promise<string | undefined> {
  if (setting === undefined || setting === null) return undefined;
  let value: unknown = setting;
  if (typeof setting === 'function') {
    try {
      value = await (setting as (c: ConnectorContext) => unknown)(ctx);
    } catch (error) {
      if (isWeftError(error)) throw error;
      throw new WeftError('LAMBDA_FAILED', `${WHERE}.${name} failed: ${messageOf(error)}`, { cause: error });
    }
  }
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new WeftError('DEFINITION_INVALID', `${WHERE}.${name} must be a string (or a lambda returning one)`);
  }
  return value;
}

function connectionString(ctx: ConnectorContext, key: string): string | undefined {
  const value = (ctx.connection as Record<string, unknown> | undefined)?.[key];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Evaluates the settings of an oauth2 authorization with the connection in `ctx`. The browser
 * step (`tokenUrl: 'optional'`) needs no token endpoint: a connector's own `acquire` may exchange
 * the code without one.
 */
export async function resolveOAuth2Settings(
  authorization: OAuth2Authorization,
  ctx: ConnectorContext,
  options: { tokenUrl?: 'required' | 'optional' } = {},
): Promise<OAuth2Settings> {
  const grantType = authorization.grantType ?? 'authorization_code';
  if (!GRANT_TYPES.includes(grantType)) {
    throw new WeftError(
      'DEFINITION_INVALID',
      `${WHERE}.grantType must be one of ${GRANT_TYPES.join(', ')}, got "${String(grantType)}"`,
    );
  }
  const tokenAuthMethod = authorization.tokenAuthMethod ?? 'client_secret_basic';
  if (!AUTH_METHODS.includes(tokenAuthMethod)) {
    throw new WeftError(
      'DEFINITION_INVALID',
      `${WHERE}.tokenAuthMethod must be one of ${AUTH_METHODS.join(', ')}, got "${String(tokenAuthMethod)}"`,
    );
  }
  const [authorizationUrl, tokenUrl, clientId, clientSecret, scope] = await Promise.all([
    evaluate('authorizationUrl', authorization.authorizationUrl, ctx),
    evaluate('tokenUrl', authorization.tokenUrl, ctx),
    evaluate('clientId', authorization.clientId, ctx),
    evaluate('clientSecret', authorization.clientSecret, ctx),
    evaluate('scope', authorization.scope, ctx),
  ]);
  if (!tokenUrl && options.tokenUrl !== 'optional') {
    throw new WeftError('DEFINITION_INVALID', `${WHERE}.tokenUrl is not set: oauth2 needs the token endpoint's URL`);
  }
  if (tokenUrl) checkTokenUrl(tokenUrl);
  const id = clientId ?? connectionString(ctx, 'client_id');
  if (!id) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `No OAuth2 client id: set ${WHERE}.clientId in the connector or client_id in the connection settings`,
    );
  }
  return {
    grantType,
    authorizationUrl,
    tokenUrl: tokenUrl ?? '',
    clientId: id,
    clientSecret: clientSecret ?? connectionString(ctx, 'client_secret'),
    scope,
    pkce: authorization.pkce === true,
    tokenAuthMethod,
  };
}

function clientOf(settings: OAuth2Settings): OAuth2Client {
  return {
    tokenUrl: settings.tokenUrl,
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    tokenAuthMethod: settings.tokenAuthMethod,
  };
}

// ---------------------------------------------------------------------------------------------
// The four token requests

export interface AuthorizationUrlOptions {
  authorizationUrl: string;
  clientId: string;
  redirectUri: string;
  state: string;
  scope?: string;
  /** S256 challenge of the PKCE verifier. */
  codeChallenge?: string;
  /** More query parameters (they replace same-named ones of `authorizationUrl`). */
  extraParams?: Record<string, string>;
}

/** The URL the user opens to grant access (RFC 6749 §4.1.1, RFC 7636 §4.3). */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions): string {
  let url: URL;
  try {
    url = new URL(options.authorizationUrl);
  } catch {
    throw new WeftError(
      'DEFINITION_INVALID',
      `${WHERE}.authorizationUrl is not an absolute URL: "${options.authorizationUrl}"`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WeftError('DEFINITION_INVALID', `${WHERE}.authorizationUrl must be an http(s) URL`);
  }
  const q = url.searchParams;
  q.set('response_type', 'code');
  q.set('client_id', options.clientId);
  q.set('redirect_uri', options.redirectUri);
  if (options.scope) q.set('scope', options.scope);
  q.set('state', options.state);
  if (options.codeChallenge) {
    q.set('code_challenge', options.codeChallenge);
    q.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(options.extraParams ?? {})) q.set(k, v);
  return url.href;
}

export interface CodeExchange {
  code: string;
  redirectUri: string;
  codeVerifier?: string;
}

/** Exchanges an authorization code for tokens; sends `redirect_uri` (and the PKCE verifier). */
export function exchangeCode(client: OAuth2Client, exchange: CodeExchange, env?: TokenRequestEnv) {
  return requestToken(
    client,
    'authorization_code',
    { code: exchange.code, redirect_uri: exchange.redirectUri, code_verifier: exchange.codeVerifier },
    env,
  );
}

export function clientCredentialsToken(client: OAuth2Client, options: { scope?: string } = {}, env?: TokenRequestEnv) {
  return requestToken(client, 'client_credentials', { scope: options.scope }, env);
}

export function passwordToken(
  client: OAuth2Client,
  options: { username: string; password: string; scope?: string },
  env?: TokenRequestEnv,
) {
  env?.redactor?.add(options.password);
  return requestToken(
    client,
    'password',
    { username: options.username, password: options.password, scope: options.scope },
    env,
  );
}

/** Uses a refresh token; an answer without a new refresh token keeps the old one. */
export async function refreshToken(client: OAuth2Client, token: string, env?: TokenRequestEnv): Promise<OAuth2Tokens> {
  const tokens = await requestToken(client, 'refresh_token', { refresh_token: token }, env);
  if (typeof tokens.refresh_token !== 'string' || tokens.refresh_token === '') tokens.refresh_token = token;
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// What the executor runs when the connector has no acquire/refresh of its own

export const REAUTHORIZE_HINT = 'Authorize the connection again (with the CLI: run `weft oauth2`).';

/** Whether acquiring needs the code of a browser sign-in (the authorization-code grant). */
export function needsAuthorizationCode(authorization: { type: string; grantType?: unknown }): boolean {
  return authorization.type === 'oauth2' && (authorization.grantType ?? 'authorization_code') === 'authorization_code';
}

/** `acquire` without the code that only a browser sign-in gives. */
export function browserSignInNeeded(): WeftError {
  return new WeftError(
    'REAUTHORIZE',
    'This connection uses the OAuth2 authorization-code grant: a user must grant access in a browser first (with the CLI: run `weft oauth2`).',
  );
}

/**
 * Obtains tokens for a connection. Authorization code: exchanges `code` (given by `weft oauth2`
 * or the platform's callback). Client credentials and password: asks the token endpoint directly.
 */
export async function defaultAcquire(
  authorization: OAuth2Authorization,
  ctx: ConnectorContext,
  env: TokenRequestEnv = {},
  code?: CodeExchange,
): Promise<OAuth2Tokens> {
  const settings = await resolveOAuth2Settings(authorization, ctx);
  const client = clientOf(settings);
  switch (settings.grantType) {
    case 'client_credentials':
      return forgetStaleExpiry(await clientCredentialsToken(client, { scope: settings.scope }, env), ctx);
    case 'password': {
      const username = connectionString(ctx, 'username') ?? connectionString(ctx, 'user');
      const password = connectionString(ctx, 'password');
      if (!username || !password) {
        throw new WeftError(
          'SETTINGS_INVALID',
          'The password grant needs username and password values in the connection settings',
        );
      }
      return forgetStaleExpiry(await passwordToken(client, { username, password, scope: settings.scope }, env), ctx);
    }
    case 'authorization_code':
      if (!code?.code) throw browserSignInNeeded();
      if (settings.pkce && !code.codeVerifier) {
        throw new WeftError('OAUTH2_ERROR', `${WHERE}.pkce is on but no PKCE code verifier was given for the exchange`);
      }
      return forgetStaleExpiry(await exchangeCode(client, code, env), ctx);
  }
}

/**
 * Renews the access token with the stored refresh token. Client credentials and password
 * connections without a refresh token simply acquire a new one.
 */
export async function defaultRefresh(
  authorization: OAuth2Authorization,
  ctx: ConnectorContext,
  env: TokenRequestEnv = {},
): Promise<OAuth2Tokens> {
  const settings = await resolveOAuth2Settings(authorization, ctx);
  const stored = connectionString(ctx, 'refresh_token');
  if (!stored) {
    if (settings.grantType !== 'authorization_code') return defaultAcquire(authorization, ctx, env);
    throw new WeftError(
      'REAUTHORIZE',
      `The connection has no refresh token, so its access cannot be renewed. ${REAUTHORIZE_HINT}`,
    );
  }
  return forgetStaleExpiry(await refreshToken(clientOf(settings), stored, env), ctx);
}

/** New tokens without `expires_in` must not inherit the old token's `expires_at`. */
function forgetStaleExpiry(tokens: OAuth2Tokens, ctx: ConnectorContext): OAuth2Tokens {
  const stored = (ctx.connection as Record<string, unknown> | undefined)?.expires_at;
  if (tokens.expires_at === undefined && stored !== undefined && stored !== null) {
    (tokens as Record<string, unknown>).expires_at = null;
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// The browser side of the authorization-code grant

export interface AuthorizationRequest {
  /** Open this in a browser. */
  url: string;
  state: string;
  redirectUri: string;
  /** Keep it for the code exchange (PKCE only). */
  codeVerifier?: string;
}

/** Builds an authorization request with a fresh `state` (and PKCE pair when `pkce: true`). */
export async function createAuthorizationRequest(
  authorization: OAuth2Authorization,
  ctx: ConnectorContext,
  redirectUri: string,
): Promise<AuthorizationRequest> {
  const settings = await resolveOAuth2Settings(authorization, ctx, { tokenUrl: 'optional' });
  if (settings.grantType !== 'authorization_code') {
    throw new WeftError(
      'USAGE',
      `This connection uses the ${settings.grantType} grant, which needs no browser: acquire its token with \`weft exec connection.authorization.acquire\`.`,
    );
  }
  if (!settings.authorizationUrl) {
    throw new WeftError(
      'DEFINITION_INVALID',
      `${WHERE}.authorizationUrl is not set: the authorization-code grant needs the URL where users grant access`,
    );
  }
  const state = createState();
  const pkce = settings.pkce ? await createPkcePair() : undefined;
  const url = buildAuthorizationUrl({
    authorizationUrl: settings.authorizationUrl,
    clientId: settings.clientId,
    redirectUri,
    scope: settings.scope,
    state,
    codeChallenge: pkce?.codeChallenge,
  });
  return { url, state, redirectUri, codeVerifier: pkce?.codeVerifier };
}

/**
 * Checks the redirect back from the authorization server (RFC 6749 §4.1.2): the `state` must
 * be ours, an `error` is reported in words, and the `code` is returned.
 */
export function parseAuthorizationCallback(params: URLSearchParams, expectedState: string): { code: string } {
  const state = params.get('state');
  if (state !== expectedState) {
    throw new WeftError(
      'OAUTH2_ERROR',
      state
        ? 'The authorization response carries a state that does not match this request (a stale or forged redirect). Nothing was stored; run `weft oauth2` again.'
        : 'The authorization response carries no state, so it cannot be tied to this request. Nothing was stored; run `weft oauth2` again.',
    );
  }
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description');
    const said = description ? `${error}: ${description}` : error;
    const what =
      error === 'access_denied'
        ? 'Access was denied at the authorization server'
        : 'The authorization server answered with an error';
    throw new WeftError(
      'OAUTH2_ERROR',
      `${what} (${said.slice(0, 300)}). Nothing was stored; run \`weft oauth2\` again to retry.`,
      {
        details: { error },
      },
    );
  }
  const code = params.get('code');
  if (!code) {
    throw new WeftError('OAUTH2_ERROR', 'The authorization response carries no code. Nothing was stored.');
  }
  return { code };
}
