/**
 * Acme Notes against a real authorization server (oidc-provider) that serves Acme's OAuth
 * endpoints, with a notes API beside it that accepts only access tokens the server issued.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { parseAuthorizationCallback, startAuthorization } from '@weft/sdk/oauth2';
import { closeHttp, execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { execWeft, startOAuth2 } from '../../packages/cli/src/test-helpers.js';
import { CLIENTS, startTestIssuer, type TestIssuer } from '../../packages/sdk/src/auth/__fixtures__/oidc-provider.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const REDIRECT = 'http://127.0.0.1:45555/oauth/callback';
const NOTES = [
  { id: 1, title: 'Groceries', body: 'milk, eggs', updated_at: '2026-03-01T10:00:00Z' },
  { id: 2, title: 'Ideas', body: 'a connector for everything', updated_at: '2026-03-02T10:00:00Z' },
];

let issuer: TestIssuer;
let connector: ConnectorDefinition;

/** The notes API: a bearer token is valid when the authorization server knows it. */
function notesApi(req: IncomingMessage, res: ServerResponse): boolean {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/api/notes') return false;
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  (async () => {
    const known = token ? await issuer.provider.AccessToken.find(token) : undefined;
    if (!known) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
      return res.end(JSON.stringify({ error: 'invalid_token' }));
    }
    const q = url.searchParams.get('q');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(q ? NOTES.filter((n) => n.title.includes(q)) : NOTES));
  })();
  return true;
}

beforeAll(async () => {
  issuer = await startTestIssuer({
    routes: { authorization: '/oauth/authorize', token: '/oauth/token', userinfo: '/api/me' },
    handle: notesApi,
  });
  connector = (await loadConnectorFile(CONNECTOR)).definition;
});

afterAll(async () => {
  await issuer.close();
  await closeHttp();
});

/** Signs in as a browser would and returns the connection with its tokens. */
async function signIn(): Promise<Record<string, unknown>> {
  const connection: Record<string, unknown> = { instance_url: `${issuer.issuer}/`, client_id: CLIENTS.pkce.id };
  const start = await startAuthorization(connector, { connection, redirectUri: REDIRECT });
  const { code } = parseAuthorizationCallback(new URL(await issuer.authorize(start.url)).searchParams, start.state);
  await execute(connector, 'connection.authorization.acquire', {
    connection,
    authorizationCode: { code, redirectUri: REDIRECT, codeVerifier: start.codeVerifier },
  });
  return connection;
}

describe('Acme Notes', () => {
  test('the authorization URL follows the instance and carries a PKCE challenge', async () => {
    const start = await startAuthorization(connector, {
      connection: { instance_url: 'https://notes.acme.example/', client_id: 'app-1' },
      redirectUri: REDIRECT,
    });
    const url = new URL(start.url);
    expect(url.origin + url.pathname).toBe('https://notes.acme.example/oauth/authorize');
    expect(url.searchParams.get('prompt')).toBe('consent');
    expect(url.searchParams.get('client_id')).toBe('app-1');
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(start.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test('signed in, the actions reach the API with the access token', async () => {
    const connection = await signIn();
    expect(connection).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    const profile = await execute(connector, 'actions.get_profile.execute', { connection });
    expect(profile).toMatchObject({ output: { sub: 'user-42' } });
    const notes = await execute(connector, 'actions.list_notes.execute', { connection, input: { query: 'Idea' } });
    expect(notes).toMatchObject({ output: { notes: [{ id: 2, title: 'Ideas' }] } });
  });

  test('a revoked access token is refreshed once and the request sent again', async () => {
    const connection = await signIn();
    const old = connection.access_token as string;
    await (await issuer.provider.AccessToken.find(old)).destroy();
    const notes = await execute(connector, 'actions.list_notes.execute', { connection });
    expect(notes).toMatchObject({ output: { notes: NOTES.map(({ id }) => expect.objectContaining({ id })) } });
    expect(connection.access_token).not.toBe(old);
  });

  test('weft oauth2 needs no secret: the settings hold only the instance and client id', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'acme-notes-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(settings, `instance_url: ${issuer.issuer}\nclient_id: ${CLIENTS.pkce.id}\n`);
    const run = startOAuth2([`--connector=${CONNECTOR}`, `--settings=${settings}`]);
    const page = await fetch(await issuer.authorize(await run.url));
    expect(page.status).toBe(200);
    const { code, stderr } = await run.done;
    expect(code).toBe(0);
    const stored = parse(await readFile(settings, 'utf8'));
    expect(stored.access_token).toEqual(expect.any(String));
    expect(stderr).not.toContain(stored.access_token);

    const notes = await execWeft(CONNECTOR, settings, 'actions.list_notes.execute');
    expect(notes.code).toBe(0);
    expect(JSON.parse(notes.stdout).notes).toHaveLength(2);
  });
});
