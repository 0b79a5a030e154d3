/**
 * The authorization-code flow through the server against a real authorization server
 * (oidc-provider on 127.0.0.1). The test plays the browser: it opens the authorization URL the
 * server hands out, lets the provider approve (or deny), and follows the redirect to the
 * server's `/oauth/callback`.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeHttp } from '@weft/sdk/runtime';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CLIENTS, startTestIssuer, type TestIssuer } from '../../../sdk/src/auth/__fixtures__/oidc-provider.js';
import { type RunningServer, startServer } from '../serve.js';
import { pendingAuthorizationsOf, STATE_TTL_MS } from './oauth.js';

const FIXTURES = [fileURLToPath(new URL('../__fixtures__/recipe-connectors', import.meta.url))];
let server: RunningServer;
let issuer: TestIssuer;

beforeAll(async () => {
  issuer = await startTestIssuer();
  const home = await mkdtemp(join(tmpdir(), 'weft-oauth-'));
  server = await startServer({ port: 0, home, connectorDirs: FIXTURES, env: {}, onWarning: () => {}, log: () => {} });
  await call('POST', '/api/connections', {
    name: 'confidential',
    connector: 'oauth-app',
    values: { issuer: issuer.issuer, client_id: CLIENTS.confidential.id, client_secret: CLIENTS.confidential.secret },
  });
  await call('POST', '/api/connections', {
    name: 'public',
    connector: 'oauth-app',
    values: { issuer: issuer.issuer, client_id: CLIENTS.pkce.id },
  });
});
afterAll(async () => {
  await server.close();
  await issuer.close();
  await closeHttp();
});
afterEach(() => {
  issuer.decision = 'approve';
  pendingAuthorizationsOf(server.context).now = Date.now;
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: `Bearer ${server.token.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** The connection's values as stored (opened with the vault). */
async function stored(name: string): Promise<Record<string, unknown>> {
  const record = await server.store.getConnection(name);
  return server.vault.open(name, record!);
}

async function start(name: string): Promise<URL> {
  const res = await call('GET', `/api/connections/${name}/oauth2/start`, undefined, { accept: 'application/json' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  return new URL(res.body.authorizationUrl);
}

/** Plays the browser from the authorization URL to the server's callback page. */
async function authorize(url: URL) {
  const callback = new URL(await issuer.authorize(url.href));
  const res = await fetch(callback);
  return { callback, status: res.status, text: await res.text(), headers: res.headers };
}

describe('OAuth2 through the server', () => {
  test('start → provider → callback stores the tokens, sealed, and never shows them', async () => {
    const url = await start('confidential');
    expect(url.origin + url.pathname).toBe(`${issuer.issuer}/auth`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${server.url}/oauth/callback`);
    expect(url.searchParams.get('client_id')).toBe(CLIENTS.confidential.id);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{16,}$/);

    const page = await authorize(url);
    expect(page.callback.pathname).toBe('/oauth/callback');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('Connected confidential. You can close this window.');
    expect(page.text).toContain('/#/connections/confidential');

    const values = await stored('confidential');
    expect(values).toMatchObject({
      issuer: issuer.issuer,
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_at: expect.any(String),
    });
    const shown = await call('GET', '/api/connections/confidential');
    expect(shown.body.values).toMatchObject({
      access_token: '[REDACTED]',
      refresh_token: '[REDACTED]',
      client_secret: '[REDACTED]',
    });
    for (const secret of [values.access_token, values.refresh_token, CLIENTS.confidential.secret]) {
      expect(JSON.stringify(shown.body)).not.toContain(secret);
      expect(page.text).not.toContain(secret);
    }
    // The connection works with them.
    expect((await call('POST', '/api/connections/confidential/test')).body).toEqual({
      ok: true,
      message: 'The connection works',
    });

    // The same callback again: the state was used.
    const again = await fetch(page.callback);
    expect(again.status).toBe(400);
    expect(await again.text()).toMatch(/used already/);
    expect((await stored('confidential')).access_token).toBe(values.access_token);
  });

  test('a public client with PKCE', async () => {
    const url = await start('public');
    expect(url.searchParams.get('code_challenge')).toBeTruthy();
    const page = await authorize(url);
    expect(page.status).toBe(200);
    expect((await stored('public')).access_token).toEqual(expect.any(String));
  });

  test('without Accept: application/json the start redirects to the provider; it needs the admin token', async () => {
    const res = await call('GET', '/api/connections/confidential/oauth2/start');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${issuer.issuer}/auth\\?`));
    const anonymous = await fetch(`${server.url}/api/connections/confidential/oauth2/start`, { redirect: 'manual' });
    expect(anonymous.status).toBe(401);
    expect((await call('GET', '/api/connections/nope/oauth2/start')).status).toBe(404);
  });

  test('an expired or unknown state is refused and nothing is stored', async () => {
    const before = await stored('public');
    const url = await start('public');
    pendingAuthorizationsOf(server.context).now = () => Date.now() + STATE_TTL_MS + 1000;
    const expired = await authorize(url);
    expect(expired.status).toBe(400);
    expect(expired.text).toMatch(/expired: it must be completed within 10 minutes/);
    pendingAuthorizationsOf(server.context).now = Date.now;

    const unknown = await fetch(`${server.url}/oauth/callback?state=forged-state-123&code=abc`);
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toMatch(/not one this server started/);
    const none = await fetch(`${server.url}/oauth/callback?code=abc`);
    expect(none.status).toBe(400);
    expect(await stored('public')).toEqual(before);
  });

  test('a denial at the provider is a clear page and stores nothing', async () => {
    const before = await stored('confidential');
    issuer.decision = 'deny';
    const page = await authorize(await start('confidential'));
    expect(page.callback.searchParams.get('error')).toBe('access_denied');
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/Access was denied at the authorization server \(access_denied/);
    expect(page.text).toMatch(/Nothing was stored for &quot;confidential&quot;/);
    expect(await stored('confidential')).toEqual(before);
  });

  test('a connection without an authorization-code grant cannot start the flow', async () => {
    await call('POST', '/api/connections', { name: 'plain', connector: 'hooks', values: {} });
    const res = await call('GET', '/api/connections/plain/oauth2/start', undefined, { accept: 'application/json' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'OAUTH2_NOT_APPLICABLE' });
    expect(res.body.error.message).toMatch(/not oauth2/);
  });

  test('a refreshed token is stored (re-sealed) when the connection refreshes it', async () => {
    const before = await stored('confidential');
    expect(before.refresh_token).toEqual(expect.any(String));
    // Make the access token look expired: the next use refreshes it first.
    expect(
      (await call('PATCH', '/api/connections/confidential', { values: { expires_at: '2000-01-01T00:00:00.000Z' } }))
        .status,
    ).toBe(200);
    expect((await call('POST', '/api/connections/confidential/test')).body.ok).toBe(true);
    const after = await stored('confidential');
    expect(after.access_token).toEqual(expect.any(String));
    expect(after.access_token).not.toBe(before.access_token);
    expect(Date.parse(after.expires_at as string)).toBeGreaterThan(Date.now());
  });
});
