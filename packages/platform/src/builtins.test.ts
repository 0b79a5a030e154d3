/**
 * The built-in connectors (`packages/platform/builtins`): `weft serve` loads them next to the
 * user's folders, marks them in `GET /api/connectors`, lets a user folder of the same name
 * replace one (with a start-up notice), and leaves them out with `builtins: false` or
 * `WEFT_BUILTINS=off`.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type ServeOptions, startServer } from './serve.js';

type Call = (method: string, path: string, body?: unknown, accept?: string) => Promise<{ status: number; body: any }>;

async function started(options: ServeOptions & { user?: boolean; also?: (call: Call) => Promise<void> } = {}) {
  const home = await mkdtemp(join(tmpdir(), 'weft-builtins-'));
  const folders = await mkdtemp(join(tmpdir(), 'weft-builtins-folders-'));
  if (options.user) {
    // A user's own connector named like the http built-in.
    await mkdir(join(folders, 'http'));
    await writeFile(
      join(folders, 'http', 'connector.js'),
      'export default { title: "My HTTP", actions: { ping: { execute: () => ({ pong: true }) } } };\n',
    );
  }
  const warnings: string[] = [];
  const server = await startServer({
    port: 0,
    home,
    connectorDirs: [folders],
    env: {},
    ...options,
    onWarning: (message) => warnings.push(message),
  });
  const res = await fetch(`${server.url}/api/connectors`, {
    headers: { authorization: `Bearer ${server.token.token}` },
  });
  const body = (await res.json()) as {
    items: { name: string; title: string; builtin?: boolean }[];
    problems: unknown[];
  };
  const call: Call = async (method, path, payload, accept = 'application/json') => {
    const answer = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server.token.token}`,
        accept,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: payload === undefined ? undefined : JSON.stringify(payload),
      redirect: 'manual',
    });
    const text = await answer.text();
    return { status: answer.status, body: text ? JSON.parse(text) : undefined };
  };
  try {
    await options.also?.(call);
  } finally {
    await server.close();
  }
  return { ...body, warnings };
}

// The suite runs with WEFT_BUILTINS=off (vitest.config.ts); here the default applies.
beforeEach(() => {
  vi.stubEnv('WEFT_BUILTINS', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('built-in connectors', () => {
  test('load by default, marked builtin: true, and pass the registry checks', async () => {
    const { items, problems } = await started();
    const http = items.find((c) => c.name === 'http');
    expect(http).toMatchObject({ title: 'HTTP', builtin: true });
    expect(items.every((c) => c.builtin === true)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a user folder of the same name replaces the built-in, with a start-up notice', async () => {
    const { items, problems, warnings } = await started({ user: true });
    expect(items.find((c) => c.name === 'http')).toEqual(expect.objectContaining({ title: 'My HTTP' }));
    expect(items.find((c) => c.name === 'http')?.builtin).toBeUndefined();
    expect(problems).toEqual([]);
    expect(warnings.some((w) => /"http" of .*replaces the built-in connector/.test(w))).toBe(true);
  });

  test('builtins: false or WEFT_BUILTINS=off leaves them out', async () => {
    expect((await started({ builtins: false })).items).toEqual([]);
    expect((await started({ env: { WEFT_BUILTINS: 'off' } })).items).toEqual([]);
  });

  test("an http connection with the OAuth 2.0 authorization code is authorized through the server's flow", async () => {
    await started({
      also: async (call) => {
        const values = {
          auth_type: 'oauth2_authorization_code',
          authorization_url: 'https://login.example.test/authorize',
          token_url: 'https://login.example.test/token',
          client_id: 'weft-app',
          scope: 'items:read',
        };
        const created = await call('POST', '/api/connections', { name: 'web', connector: 'http', values });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const start = await call('GET', '/api/connections/web/oauth2/start');
        expect(start.status).toBe(200);
        const url = new URL(start.body.authorizationUrl);
        expect(url.origin + url.pathname).toBe('https://login.example.test/authorize');
        expect(Object.fromEntries(url.searchParams)).toMatchObject({
          client_id: 'weft-app',
          scope: 'items:read',
          code_challenge_method: 'S256',
        });
        // With the client's secret sent in the token request's body, the browser flow is the same.
        const post = { name: 'web-post', connector: 'http', values: { ...values, client_auth: 'post' } };
        expect((await call('POST', '/api/connections', post)).status).toBe(201);
        const startPost = await call('GET', '/api/connections/web-post/oauth2/start');
        expect(startPost.status, JSON.stringify(startPost.body)).toBe(200);
        expect(new URL(startPost.body.authorizationUrl).searchParams.get('client_id')).toBe('weft-app');
        // Client credentials need no browser: the start says so.
        const { authorization_url: _, ...rest } = values;
        const cc = { ...rest, auth_type: 'oauth2_client_credentials', client_secret: 'cc-secret' };
        expect((await call('POST', '/api/connections', { name: 'svc', connector: 'http', values: cc })).status).toBe(
          201,
        );
        const refused = await call('GET', '/api/connections/svc/oauth2/start');
        expect(refused.status).toBe(409);
        expect(refused.body.error.code).toBe('OAUTH2_NOT_APPLICABLE');
      },
    });
  });
});
