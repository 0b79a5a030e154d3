import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isWeftError, type WeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { closeHttp } from '../http/index.js';
import type { HttpExchangeLog } from '../http/types.js';
import { Redactor } from '../redact.js';
import type { ConnectorContext, ConnectorDefinition, OAuth2Authorization } from '../types.js';
import { CLIENTS, startTestIssuer, type TestIssuer } from './__fixtures__/oidc-provider.js';
import { startAuthorization } from './flow.js';
import {
  buildAuthorizationUrl,
  checkTokenUrl,
  clientCredentialsToken,
  createAuthorizationRequest,
  createPkcePair,
  exchangeCode,
  parseAuthorizationCallback,
  passwordToken,
  refreshToken,
  resolveOAuth2Settings,
} from './oauth2.js';

const REDIRECT = 'http://127.0.0.1:45555/oauth/callback';
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer();
});

afterAll(async () => {
  await issuer.close();
  await closeHttp();
});

/** Runs `fn` and returns the WeftError it throws. */
async function failure(fn: () => unknown): Promise<WeftError> {
  try {
    await fn();
  } catch (error) {
    if (isWeftError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const ctxWith = (connection: Record<string, unknown> = {}) => ({ connection }) as unknown as ConnectorContext;

const confidential = () => ({
  tokenUrl: issuer.tokenUrl,
  clientId: CLIENTS.confidential.id,
  clientSecret: CLIENTS.confidential.secret,
});

/** Starts an authorization at the test issuer, lets it approve, and returns the code. */
async function codeFor(auth: OAuth2Authorization, connection: Record<string, unknown> = {}) {
  const request = await createAuthorizationRequest(auth, ctxWith(connection), REDIRECT);
  const callback = new URL(await issuer.authorize(request.url));
  expect(callback.origin + callback.pathname).toBe(REDIRECT);
  const { code } = parseAuthorizationCallback(callback.searchParams, request.state);
  return { code, request };
}

describe('authorization requests', () => {
  test('the authorization URL keeps its own parameters and adds state and the PKCE challenge', () => {
    const url = new URL(
      buildAuthorizationUrl({
        authorizationUrl: 'https://id.example.com/authorize?prompt=consent&access_type=offline',
        clientId: 'app 1',
        redirectUri: REDIRECT,
        scope: 'read write',
        state: 'st4te',
        codeChallenge: 'ch4llenge',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      prompt: 'consent',
      access_type: 'offline',
      response_type: 'code',
      client_id: 'app 1',
      redirect_uri: REDIRECT,
      scope: 'read write',
      state: 'st4te',
      code_challenge: 'ch4llenge',
      code_challenge_method: 'S256',
    });
  });

  test('the PKCE challenge is the base64url SHA-256 of the verifier', async () => {
    const pair = await createPkcePair();
    expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(pair.codeChallenge).toBe(createHash('sha256').update(pair.codeVerifier).digest('base64url'));
  });

  test('settings may be lambdas; client_id and client_secret may come from the connection', async () => {
    const settings = await resolveOAuth2Settings(
      {
        type: 'oauth2',
        authorizationUrl: (ctx) => `${ctx.connection.host}/auth`,
        tokenUrl: (ctx) => `${ctx.connection.host}/token`,
        scope: () => 'a b',
      },
      ctxWith({ host: 'https://id.example.com', client_id: 'from-settings', client_secret: 's3cret-value' }),
    );
    expect(settings).toEqual({
      grantType: 'authorization_code',
      authorizationUrl: 'https://id.example.com/auth',
      tokenUrl: 'https://id.example.com/token',
      clientId: 'from-settings',
      clientSecret: 's3cret-value',
      scope: 'a b',
      pkce: false,
      tokenAuthMethod: 'client_secret_basic',
    });
    const ownId = await resolveOAuth2Settings(
      { type: 'oauth2', tokenUrl: 'https://id.example.com/token', clientId: 'from-definition' },
      ctxWith({ client_id: 'from-settings' }),
    );
    expect(ownId.clientId).toBe('from-definition');
  });

  test('a missing client id names both places it can come from', async () => {
    const error = await failure(() =>
      resolveOAuth2Settings({ type: 'oauth2', tokenUrl: 'https://id.example.com/token' }, ctxWith()),
    );
    expect(error.message).toMatch(/clientId in the connector or client_id in the connection settings/);
  });

  test('token URLs must be HTTPS except on the loopback interface', () => {
    expect(checkTokenUrl('https://id.example.com/token').host).toBe('id.example.com');
    expect(checkTokenUrl('http://127.0.0.1:9000/token').port).toBe('9000');
    expect(checkTokenUrl('http://localhost/token').hostname).toBe('localhost');
    expect(() => checkTokenUrl('http://id.example.com/token')).toThrow(/token URL must use HTTPS/);
  });

  test('the callback must carry our state; a denial is reported in words', () => {
    expect(parseAuthorizationCallback(new URLSearchParams('code=abc&state=s1'), 's1')).toEqual({ code: 'abc' });
    expect(() => parseAuthorizationCallback(new URLSearchParams('code=abc&state=other'), 's1')).toThrow(
      /state that does not match/,
    );
    expect(() => parseAuthorizationCallback(new URLSearchParams('code=abc'), 's1')).toThrow(/no state/);
    expect(() =>
      parseAuthorizationCallback(
        new URLSearchParams('error=access_denied&error_description=User+said+no&state=s1'),
        's1',
      ),
    ).toThrow(/Access was denied at the authorization server \(access_denied: User said no\)/);
  });
});

describe('the grants against a real authorization server', () => {
  test('authorization code with a confidential client: access, refresh and id tokens', async () => {
    const auth: OAuth2Authorization = {
      type: 'oauth2',
      authorizationUrl: `${issuer.authorizationUrl}?prompt=consent`,
      tokenUrl: issuer.tokenUrl,
      clientId: CLIENTS.confidential.id,
      clientSecret: CLIENTS.confidential.secret,
      scope: 'openid offline_access',
    };
    const { code, request } = await codeFor(auth);
    expect(request.codeVerifier).toBeUndefined();
    const before = Date.now();
    const tokens = await exchangeCode(confidential(), { code, redirectUri: REDIRECT });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.id_token).toEqual(expect.any(String));
    expect(tokens.token_type).toBe('Bearer');
    expect(tokens.expires_in).toBeUndefined();
    const expiresAt = Date.parse(tokens.expires_at!);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_590_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);

    // The refresh token works, and a code can be used once only.
    const refreshed = await refreshToken(confidential(), tokens.refresh_token!);
    expect(refreshed.access_token).not.toBe(tokens.access_token);
    const reused = await failure(() => exchangeCode(confidential(), { code, redirectUri: REDIRECT }));
    expect(reused.code).toBe('OAUTH2_ERROR');
    expect(reused.message).toMatch(/refused the authorization code \(invalid_grant/);
  });

  test('authorization code with PKCE for a public client', async () => {
    const auth: OAuth2Authorization = {
      type: 'oauth2',
      authorizationUrl: `${issuer.authorizationUrl}?prompt=consent`,
      tokenUrl: issuer.tokenUrl,
      clientId: CLIENTS.pkce.id,
      scope: 'openid offline_access',
      pkce: true,
    };
    const { code, request } = await codeFor(auth);
    expect(new URL(request.url).searchParams.get('code_challenge_method')).toBe('S256');
    const client = { tokenUrl: issuer.tokenUrl, clientId: CLIENTS.pkce.id };
    const tokens = await exchangeCode(client, { code, redirectUri: REDIRECT, codeVerifier: request.codeVerifier });
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
  });

  test('a wrong PKCE verifier is refused', async () => {
    const auth: OAuth2Authorization = {
      type: 'oauth2',
      authorizationUrl: issuer.authorizationUrl,
      tokenUrl: issuer.tokenUrl,
      clientId: CLIENTS.pkce.id,
      scope: 'openid',
      pkce: true,
    };
    const { code } = await codeFor(auth);
    const client = { tokenUrl: issuer.tokenUrl, clientId: CLIENTS.pkce.id };
    const wrong = (await createPkcePair()).codeVerifier;
    const error = await failure(() => exchangeCode(client, { code, redirectUri: REDIRECT, codeVerifier: wrong }));
    expect(error.message).toMatch(/invalid_grant/);
  });

  test('client credentials with HTTP Basic and with the secret in the body', async () => {
    const basic = await clientCredentialsToken(confidential(), { scope: 'api:read' });
    expect(basic).toMatchObject({ access_token: expect.any(String), token_type: 'Bearer', scope: 'api:read' });
    expect(basic.refresh_token).toBeUndefined();
    const post = await clientCredentialsToken({
      tokenUrl: issuer.tokenUrl,
      clientId: CLIENTS.post.id,
      clientSecret: CLIENTS.post.secret,
      tokenAuthMethod: 'client_secret_post',
    });
    expect(post.access_token).toEqual(expect.any(String));
  });

  test('a wrong client secret gives invalid_client without showing the secret', async () => {
    const redactor = new Redactor();
    const error = await failure(() =>
      clientCredentialsToken({ ...confidential(), clientSecret: 'wrong-secret-value-123' }, {}, { redactor }),
    );
    expect(error.code).toBe('OAUTH2_ERROR');
    expect(error.message).toMatch(/did not accept the client \(invalid_client/);
    expect(error.message).toMatch(/check the client id and secret/);
    expect(error.message).not.toContain('wrong-secret-value-123');
  });

  test('a revoked or unknown refresh token asks to reauthorize', async () => {
    const error = await failure(() => refreshToken(confidential(), 'not-a-real-refresh-token'));
    expect(error.code).toBe('REAUTHORIZE');
    expect(error.message).toMatch(/refused the stored refresh token \(invalid_grant/);
    expect(error.message).toMatch(/weft oauth2/);
    expect(error.message).not.toContain('not-a-real-refresh-token');
  });
});

// ---------------------------------------------------------------------------------------------
// Servers that behave like real providers do, not like the RFC

interface Fake {
  url: string;
  requests: { headers: IncomingMessage['headers']; body: URLSearchParams }[];
  server: Server;
}

async function fakeTokenServer(answer: (body: URLSearchParams, res: ServerResponse) => void): Promise<Fake> {
  const requests: Fake['requests'] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = new URLSearchParams(raw);
      requests.push({ headers: req.headers, body });
      answer(body, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/oauth/token`, requests, server };
}

const sendJson = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
};

describe('lenient token answers', () => {
  let fake: Fake;
  beforeAll(async () => {
    fake = await fakeTokenServer((body, res) => {
      if (body.get('grant_type') === 'password') {
        if (body.get('password') !== 'hunter2-long') {
          return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Bad credentials' });
        }
        // No token_type, expires_in as a string, an extra field.
        return sendJson(res, 200, { access_token: 'pw-access-token-1', expires_in: '120', instance_url: 'https://x' });
      }
      if (body.get('refresh_token') === 'rt-keep-me-0001') {
        // Form-encoded, without a new refresh token.
        res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
        return res.end('access_token=fresh-access-0002&token_type=bearer');
      }
      // An error with HTTP 200 (some providers do this).
      sendJson(res, 200, { error: 'bad_verification_code', error_description: 'The code is wrong' });
    });
  });
  afterAll(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  test('password grant: client_secret_post, username and password in the body, extra fields kept', async () => {
    const client = {
      tokenUrl: fake.url,
      clientId: 'cid',
      clientSecret: 'csecret-9876',
      tokenAuthMethod: 'client_secret_post' as const,
    };
    const now = new Date('2030-01-01T00:00:00Z');
    const tokens = await passwordToken(
      client,
      { username: 'ada', password: 'hunter2-long', scope: 'api' },
      { now: () => now },
    );
    expect(tokens).toEqual({
      access_token: 'pw-access-token-1',
      expires_at: '2030-01-01T00:02:00.000Z',
      instance_url: 'https://x',
    });
    const sent = fake.requests.at(-1)!;
    expect(sent.headers.authorization).toBeUndefined();
    expect(Object.fromEntries(sent.body)).toEqual({
      grant_type: 'password',
      username: 'ada',
      password: 'hunter2-long',
      scope: 'api',
      client_id: 'cid',
      client_secret: 'csecret-9876',
    });
  });

  test('a wrong password says what to check and never echoes it', async () => {
    const client = { tokenUrl: fake.url, clientId: 'cid', clientSecret: 'csecret-9876' };
    const error = await failure(() => passwordToken(client, { username: 'ada', password: 'wrong-password-1' }));
    expect(error.message).toMatch(/refused the username or password \(invalid_grant: Bad credentials\)/);
    expect(error.message).not.toContain('wrong-password-1');
    // client_secret_basic is the default.
    expect(fake.requests.at(-1)!.headers.authorization).toBe(
      `Basic ${Buffer.from('cid:csecret-9876').toString('base64')}`,
    );
  });

  test('a refresh answer without a refresh token keeps the old one', async () => {
    const tokens = await refreshToken({ tokenUrl: fake.url, clientId: 'cid' }, 'rt-keep-me-0001');
    expect(tokens).toEqual({
      access_token: 'fresh-access-0002',
      token_type: 'bearer',
      refresh_token: 'rt-keep-me-0001',
    });
  });

  test('an error answered with HTTP 200 is still an error', async () => {
    const error = await failure(() =>
      exchangeCode({ tokenUrl: fake.url, clientId: 'cid' }, { code: 'the-code-1234', redirectUri: REDIRECT }),
    );
    expect(error.message).toMatch(/bad_verification_code: The code is wrong/);
  });

  test('--verbose logs of token requests hide codes, secrets and tokens', async () => {
    const logs: HttpExchangeLog[] = [];
    const redactor = new Redactor();
    await passwordToken(
      { tokenUrl: fake.url, clientId: 'cid', clientSecret: 'csecret-9876' },
      { username: 'ada', password: 'hunter2-long' },
      { redactor, onExchange: (log) => logs.push(log) },
    );
    const text = JSON.stringify(logs);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ method: 'POST', status: 200 });
    for (const secret of ['csecret-9876', 'hunter2-long', 'pw-access-token-1']) expect(text).not.toContain(secret);
    expect(logs[0].requestHeaders.authorization).toBe('[REDACTED]');
  });
});

// ---------------------------------------------------------------------------------------------
// Through the executor

describe('connection.authorization.acquire and refresh in the executor', () => {
  const apiCalls: { url: string; authorization?: string }[] = [];
  let api: Server;
  let apiUrl: string;
  beforeAll(async () => {
    api = createServer((req, res) => {
      apiCalls.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === '/session') return sendJson(res, 200, { session_token: 'custom-session-abc123' });
      sendJson(res, 200, { ok: true });
    });
    api.listen(0, '127.0.0.1');
    await once(api, 'listening');
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => api.close(() => resolve())));

  const clientCredentialsConnector = (): ConnectorDefinition => ({
    title: 'CC',
    connection: {
      authorization: {
        type: 'oauth2',
        grantType: 'client_credentials',
        tokenUrl: (ctx) => ctx.connection.token_url,
        scope: 'api:read',
      },
    },
  });

  test('client credentials acquire directly; tokens merge into the connection, output is redacted', async () => {
    const connection: Record<string, unknown> = {
      token_url: issuer.tokenUrl,
      client_id: CLIENTS.confidential.id,
      client_secret: CLIENTS.confidential.secret,
    };
    const result = await execute(clientCredentialsConnector(), 'connection.authorization.acquire', { connection });
    expect(connection.access_token).toEqual(expect.any(String));
    expect(result).toMatchObject({
      kind: 'output',
      output: { access_token: '[REDACTED]', token_type: 'Bearer', scope: 'api:read', expires_at: expect.any(String) },
    });
    // Refresh without a refresh token acquires again.
    const first = connection.access_token;
    await execute(clientCredentialsConnector(), 'connection.authorization.refresh', { connection });
    expect(connection.access_token).not.toBe(first);
  });

  test('the authorization-code grant cannot acquire without a code', async () => {
    const connector: ConnectorDefinition = {
      title: 'AC',
      connection: {
        authorization: {
          type: 'oauth2',
          authorizationUrl: issuer.authorizationUrl,
          tokenUrl: issuer.tokenUrl,
          clientId: 'x',
        },
      },
    };
    const error = await failure(() => execute(connector, 'connection.authorization.acquire', { connection: {} }));
    expect(error.code).toBe('REAUTHORIZE');
    expect(error.message).toMatch(/run `weft oauth2`/);
  });

  test('the default refresh uses the stored refresh token; a bad one asks to reauthorize', async () => {
    const auth: OAuth2Authorization = {
      type: 'oauth2',
      authorizationUrl: `${issuer.authorizationUrl}?prompt=consent`,
      tokenUrl: issuer.tokenUrl,
      scope: 'openid offline_access',
    };
    const connector: ConnectorDefinition = { title: 'AC', connection: { authorization: auth } };
    const connection: Record<string, unknown> = {
      client_id: CLIENTS.confidential.id,
      client_secret: CLIENTS.confidential.secret,
    };
    const start = await startAuthorization(connector, { connection, redirectUri: REDIRECT });
    const callback = new URL(await issuer.authorize(start.url));
    const { code } = parseAuthorizationCallback(callback.searchParams, start.state);
    await execute(connector, 'connection.authorization.acquire', {
      connection,
      authorizationCode: { code, redirectUri: REDIRECT },
    });
    const { access_token: access, refresh_token: refresh } = connection;
    expect(refresh).toEqual(expect.any(String));
    const result = await execute(connector, 'connection.authorization.refresh', { connection });
    expect(connection.access_token).not.toBe(access);
    expect(JSON.stringify(result)).not.toContain(String(connection.access_token));

    const broken = { ...connection, refresh_token: 'garbage-refresh-token' };
    const error = await failure(() => execute(connector, 'connection.authorization.refresh', { connection: broken }));
    expect(error.code).toBe('REAUTHORIZE');
  });

  test("a connector's own acquire gets code, redirect URI and verifier, and its requests skip apply", async () => {
    let seen: Record<string, unknown> = {};
    const connector: ConnectorDefinition = {
      title: 'Own',
      connection: {
        authorization: {
          type: 'oauth2',
          pkce: true,
          acquire: async (ctx) => {
            seen = { code: ctx.code, redirectUri: ctx.redirectUri, codeVerifier: ctx.codeVerifier };
            return ctx.post(`${apiUrl}/session`, { code: ctx.code });
          },
          refresh: async (ctx) => ({ session_token: `renewed-from-${ctx.refreshToken}` }),
          apply: (ctx) => ctx.headers({ Authorization: `Session ${ctx.connection.session_token}` }),
        },
      },
    };
    const connection: Record<string, unknown> = { refresh_token: 'own-refresh-1234' };
    const result = await execute(connector, 'connection.authorization.acquire', {
      connection,
      authorizationCode: { code: 'c0de', redirectUri: REDIRECT, codeVerifier: 'v3rifier' },
    });
    expect(seen).toEqual({ code: 'c0de', redirectUri: REDIRECT, codeVerifier: 'v3rifier' });
    expect(apiCalls.at(-1)).toEqual({ url: '/session', authorization: undefined });
    expect(connection.session_token).toBe('custom-session-abc123');
    expect(result).toEqual({ kind: 'output', output: { session_token: '[REDACTED]' }, dropped: [] });

    await execute(connector, 'connection.authorization.refresh', { connection });
    expect(connection.session_token).toBe('renewed-from-own-refresh-1234');
    expect(connection.refresh_token).toBe('own-refresh-1234');
  });

  test('multi: the selected option is the one that acquires', async () => {
    const connector: ConnectorDefinition = {
      title: 'Multi',
      connection: {
        authorization: {
          type: 'multi',
          selected: (ctx) => ctx.connection.auth_type,
          options: {
            key: { type: 'api_key', apply: (ctx) => ctx.headers({ 'x-key': ctx.connection.key }) },
            app: {
              type: 'oauth2',
              grantType: 'client_credentials',
              tokenUrl: issuer.tokenUrl,
              clientId: CLIENTS.post.id,
              clientSecret: CLIENTS.post.secret,
              tokenAuthMethod: 'client_secret_post',
            },
          },
        },
      },
    };
    const connection: Record<string, unknown> = { auth_type: 'app' };
    await execute(connector, 'connection.authorization.acquire', { connection });
    expect(connection.access_token).toEqual(expect.any(String));
    const error = await failure(() =>
      execute(connector, 'connection.authorization.acquire', { connection: { auth_type: 'key' } }),
    );
    expect(error.message).toMatch(/defines no acquire/);
  });
});
