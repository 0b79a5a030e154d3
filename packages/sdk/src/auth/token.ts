/**
 * One request to an OAuth2 token endpoint (RFC 6749 §3.2) and its answer as connection values.
 *
 * oauth4webapi builds and sends the request (client authentication, form body, headers). The
 * answer is read here, more leniently than oauth4webapi's own processing: real providers omit
 * `token_type`, answer errors with HTTP 200 or send form-encoded bodies, and an `id_token` is
 * kept as a value of the connection, not validated (Weft stores tokens; it does not log users in).
 */
import * as oauth from 'oauth4webapi';
import type { Dispatcher } from 'undici';
import { isWeftError, messageOf, WeftError } from '../errors.js';
import { redactUrl } from '../http/redact-url.js';
import type { HttpExchangeLog } from '../http/types.js';
import { REDACTED, type Redactor, SECRET_HEADER_PATTERN } from '../redact.js';

export type TokenAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** Where and as whom tokens are requested. */
export interface OAuth2Client {
  tokenUrl: string;
  clientId: string;
  /** Without a secret the client is public: only `client_id` is sent (use PKCE). */
  clientSecret?: string;
  /** How the secret is sent: HTTP Basic (default) or in the form body. */
  tokenAuthMethod?: TokenAuthMethod;
}

/** What a token request needs from its surroundings (the executor's run environment fits). */
export interface TokenRequestEnv {
  /** Secrets sent or received are added to it; messages and logs go through it. */
  redactor?: Redactor;
  now?: () => Date;
  /** Per request; default 40 s. */
  timeoutMs?: number;
  onExchange?: (log: HttpExchangeLog) => void;
  dispatcher?: Dispatcher;
}

/** Token values as they are stored in a connection. */
export interface OAuth2Tokens {
  access_token: string;
  refresh_token?: string;
  /** ISO time, computed from `expires_in` when the server sends it. */
  expires_at?: string;
  token_type?: string;
  scope?: string;
  id_token?: string;
  /** Other fields of the answer are kept as they came. */
  [key: string]: unknown;
}

export type TokenGrant = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'password';

const DEFAULT_TIMEOUT_MS = 40_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Request parameters whose values are secrets. */
const SECRET_PARAMS = ['code', 'code_verifier', 'refresh_token', 'password', 'client_secret'];
/** Answer fields that describe a token rather than being one: never redacted. */
export const TOKEN_METADATA_KEYS = new Set(['token_type', 'expires_in', 'expires_at', 'scope']);

/**
 * A token URL must be HTTPS; plain HTTP only on the loopback interface (local test servers).
 * Returns the URL and whether plain HTTP must be allowed for it.
 */
export function checkTokenUrl(value: string, what = 'connection.authorization.tokenUrl'): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WeftError('DEFINITION_INVALID', `${what} is not an absolute URL: "${value}"`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url;
  if (url.protocol === 'http:') {
    throw new WeftError(
      'DEFINITION_INVALID',
      `${what}: token URL must use HTTPS (got ${url.origin}); plain HTTP is allowed only for 127.0.0.1 and localhost`,
    );
  }
  throw new WeftError('DEFINITION_INVALID', `${what} must be an https:// URL, got "${value}"`);
}

function clientAuthentication(client: OAuth2Client): oauth.ClientAuth {
  if (!client.clientSecret) return oauth.None();
  if (client.tokenAuthMethod === 'client_secret_post') return oauth.ClientSecretPost(client.clientSecret);
  return clientSecretBasic(client.clientSecret);
}

/**
 * HTTP Basic client authentication (RFC 6749 §2.3.1). The id and secret are form-encoded, but
 * characters that form decoding leaves alone (`-`, `.`, `_`, `~`, ...) stay as they are:
 * oauth4webapi escapes them too, and many servers compare the credentials without decoding.
 */
function clientSecretBasic(secret: string): oauth.ClientAuth {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return (_as, client, _body, headers) => {
    const credentials = Buffer.from(`${encode(client.client_id)}:${encode(secret)}`).toString('base64');
    headers.set('authorization', `Basic ${credentials}`);
  };
}

interface Captured {
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one token request of `grant` with `parameters` and returns the tokens, or throws a
 * WeftError naming the server's error (see `tokenError`).
 */
export async function requestToken(
  client: OAuth2Client,
  grant: TokenGrant,
  parameters: Record<string, string | undefined>,
  env: TokenRequestEnv = {},
): Promise<OAuth2Tokens> {
  const url = checkTokenUrl(client.tokenUrl);
  const redactor = env.redactor;
  redactor?.add(client.clientSecret);
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || value === '') continue;
    params.set(key, value);
    if (SECRET_PARAMS.includes(key)) redactor?.add(value);
  }

  const as: oauth.AuthorizationServer = { issuer: url.origin, token_endpoint: url.href };
  const oauthClient: oauth.Client = { client_id: client.clientId };
  const auth = clientAuthentication(client);
  const timeoutMs = env.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let captured: Captured | undefined;
  const fetchImpl = await fetchFor(env.dispatcher);
  const options: oauth.TokenEndpointRequestOptions = {
    [oauth.allowInsecureRequests]: url.protocol === 'http:',
    [oauth.customFetch]: (input: string, init: oauth.CustomFetchOptions<'POST', URLSearchParams>) => {
      captured = { headers: { ...(init.headers as Record<string, string>) }, body: init.body.toString() };
      return fetchImpl(input, init);
    },
    signal: AbortSignal.timeout(timeoutMs),
  };

  const started = performance.now();
  const where = `POST ${redactUrl(url.href, (s) => redactor?.redact(s) ?? s)}`;
  let response: Response;
  let text: string;
  try {
    if (grant === 'refresh_token') {
      response = await oauth.refreshTokenGrantRequest(as, oauthClient, auth, params.get('refresh_token') ?? '', {
        ...options,
        additionalParameters: withoutKey(params, 'refresh_token'),
      });
    } else if (grant === 'client_credentials') {
      response = await oauth.clientCredentialsGrantRequest(as, oauthClient, auth, params, options);
    } else {
      response = await oauth.genericTokenEndpointRequest(as, oauthClient, auth, grant, params, options);
    }
    text = await response.text();
  } catch (error) {
    const failure = transportError(error, where, timeoutMs, redactor);
    log(env, url, captured, started, undefined, undefined, failure.message);
    throw failure;
  }

  const body = parseBody(text, response.headers.get('content-type'));
  // Tokens in the answer are secrets before anything prints them (an error answer holds none).
  if (body && typeof body.access_token === 'string') {
    for (const [key, value] of Object.entries(body)) {
      if (!TOKEN_METADATA_KEYS.has(key)) redactor?.add(value);
    }
  }
  log(env, url, captured, started, response, text);

  const errorCode = body && typeof body.error === 'string' && body.error ? body.error : undefined;
  if (errorCode && (!response.ok || typeof body?.access_token !== 'string')) {
    throw tokenError(grant, errorCode, body?.error_description, response.status, redactor);
  }
  if (!response.ok) {
    const excerpt = (redactor?.redact(text) ?? text).slice(0, 300);
    throw new WeftError(
      'OAUTH2_ERROR',
      `${where} (${grantLabel(grant)}) failed with HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`,
      { details: { status: response.status } },
    );
  }
  if (!body || typeof body.access_token !== 'string' || body.access_token === '') {
    throw new WeftError(
      'OAUTH2_ERROR',
      `${where} (${grantLabel(grant)}) answered without an access_token; check connection.authorization.tokenUrl`,
    );
  }
  return toTokens(body, env.now?.() ?? new Date());
}

function withoutKey(params: URLSearchParams, key: string): URLSearchParams {
  const copy = new URLSearchParams(params);
  copy.delete(key);
  return copy;
}

type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

async function fetchFor(dispatcher: Dispatcher | undefined): Promise<FetchLike> {
  if (!dispatcher) return fetch;
  // A caller's dispatcher (tests, cassettes) needs undici's own fetch.
  const undici = await import('undici');
  return (input, init) => undici.fetch(input, { ...(init as object), dispatcher }) as unknown as Promise<Response>;
}

function transportError(error: unknown, where: string, timeoutMs: number, redactor?: Redactor): WeftError {
  if (isWeftError(error)) return error;
  const name = (error as Error)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new WeftError('HTTP_TIMEOUT', `${where} timed out after ${Math.round(timeoutMs / 1000)} s`, {
      cause: error,
    });
  }
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? messageOf(error);
  return new WeftError(
    'HTTP_CONNECTION_FAILED',
    `${where}: could not reach the token endpoint (${redactor?.redact(why) ?? why})`,
    {
      cause: error,
    },
  );
}

function parseBody(text: string, contentType: string | null): Record<string, unknown> | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The answer as connection values: `expires_in` becomes `expires_at`; other fields stay. */
export function toTokens(body: Record<string, unknown>, now: Date): OAuth2Tokens {
  const { expires_in: expiresIn, ...rest } = body;
  const tokens = { ...rest } as OAuth2Tokens;
  const seconds = typeof expiresIn === 'string' ? Number.parseFloat(expiresIn) : expiresIn;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0) {
    tokens.expires_at = new Date(now.getTime() + seconds * 1000).toISOString();
  }
  return tokens;
}

/**
 * What a connector's own `acquire` or `refresh` returned, stored like a token endpoint's answer:
 * `expires_in` becomes `expires_at` (so the token is refreshed before it expires), and a new
 * `access_token` without either does not inherit the old token's `expires_at`.
 */
export function withExpiry(
  values: Record<string, unknown>,
  now: Date,
  stored: Record<string, unknown>,
): Record<string, unknown> {
  if (values.expires_at !== undefined) {
    const { expires_in: _ignored, ...rest } = values;
    return rest;
  }
  if (values.expires_in !== undefined) return toTokens(values, now);
  if (values.access_token !== undefined && stored.expires_at !== undefined && stored.expires_at !== null) {
    return { ...values, expires_at: null };
  }
  return values;
}

function grantLabel(grant: TokenGrant): string {
  switch (grant) {
    case 'authorization_code':
      return 'authorization code exchange';
    case 'refresh_token':
      return 'token refresh';
    case 'client_credentials':
      return 'client credentials grant';
    case 'password':
      return 'password grant';
  }
}

const RECONNECT = 'Authorize the connection again (with the CLI: run `weft oauth2`).';

/**
 * An error answer of the token endpoint, as one message for the person who must act: what was
 * refused, the server's own words, and what to do. Never contains a secret.
 */
export function tokenError(
  grant: TokenGrant,
  error: string,
  description: unknown,
  status: number,
  redactor?: Redactor,
): WeftError {
  const said = typeof description === 'string' && description ? `${error}: ${description}` : error;
  const server = (redactor?.redact(said) ?? said).slice(0, 300);
  const details = { error, status };
  switch (error) {
    case 'invalid_grant':
      if (grant === 'refresh_token') {
        return new WeftError(
          'REAUTHORIZE',
          `The authorization server refused the stored refresh token (${server}): it was revoked or has expired. ${RECONNECT}`,
          { details },
        );
      }
      if (grant === 'authorization_code') {
        return new WeftError(
          'OAUTH2_ERROR',
          `The authorization server refused the authorization code (${server}): it may have expired, been used already, or the redirect URI or PKCE verifier did not match. Run \`weft oauth2\` again.`,
          { details },
        );
      }
      if (grant === 'password') {
        return new WeftError(
          'OAUTH2_ERROR',
          `The authorization server refused the username or password (${server}): check the connection's username and password.`,
          { details },
        );
      }
      break;
    case 'invalid_client':
      return new WeftError(
        'OAUTH2_ERROR',
        `The token endpoint did not accept the client (${server}): check the client id and secret (connection.authorization.clientId/clientSecret, or client_id/client_secret in the settings) and tokenAuthMethod.`,
        { details },
      );
    case 'unauthorized_client':
    case 'unsupported_grant_type':
      return new WeftError(
        'OAUTH2_ERROR',
        `The authorization server does not allow this client the ${grantLabel(grant)} (${server}): check the grant types enabled for the client, or connection.authorization.grantType.`,
        { details },
      );
    case 'invalid_scope':
      return new WeftError(
        'OAUTH2_ERROR',
        `The authorization server refused the requested scope (${server}): check connection.authorization.scope.`,
        { details },
      );
  }
  return new WeftError(
    'OAUTH2_ERROR',
    `The token endpoint refused the ${grantLabel(grant)} (${server}).${grant === 'refresh_token' ? ` ${RECONNECT}` : ''}`,
    { details },
  );
}

function log(
  env: TokenRequestEnv,
  url: URL,
  captured: Captured | undefined,
  started: number,
  response?: Response,
  text?: string,
  error?: string,
): void {
  if (!env.onExchange) return;
  const redact = (s: string) => env.redactor?.redact(s) ?? s;
  const headers = (from: Iterable<[string, string]>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of from) out[k.toLowerCase()] = SECRET_HEADER_PATTERN.test(k) ? REDACTED : redact(v);
    return out;
  };
  env.onExchange({
    method: 'POST',
    url: redactUrl(url.href, redact),
    requestHeaders: headers(Object.entries(captured?.headers ?? {})),
    requestBody: captured ? redactForm(captured.body, redact) : undefined,
    status: response?.status,
    responseHeaders: response ? headers(response.headers.entries()) : undefined,
    responseBody: text === undefined ? undefined : redact(text),
    durationMs: performance.now() - started,
    attempt: 1,
    error,
  });
}

function redactForm(body: string, redact: (s: string) => string): string {
  const params = new URLSearchParams(body);
  const parts: string[] = [];
  for (const [k, v] of params) parts.push(`${k}=${SECRET_PARAMS.includes(k) ? REDACTED : redact(v)}`);
  return parts.join('&');
}
