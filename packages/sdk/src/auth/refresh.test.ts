/**
 * Token refresh through the executor against a real server on 127.0.0.1: single flight,
 * `detectOn` on 200 responses, proactive refresh, the reconnect error, one retry only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineConnector } from '../define.js';
import { isWeftError, type WeftError } from '../errors.js';
import { type ExecuteOptions, execute } from '../execute/executor.js';
import { json, startServer, type TestServer } from '../http/__fixtures__/server.js';
import { closeHttp } from '../http/index.js';
import type { HttpExchangeLog } from '../http/types.js';
import type { Authorization, ConnectorDefinition, CustomAuthorization } from '../types.js';
import { PROACTIVE_REFRESH_MS } from './refresh.js';

let server: TestServer;
/** The token the API accepts now; the token endpoint hands out the next one. */
let valid = 'tok-live-0001';
let next = 'tok-live-0002';
let tokenHits = 0;
let tokenDelayMs = 0;
let tokenStatus = 200;
let dataHits = 0;

beforeAll(async () => {
  server = await startServer();
  server.on('/token', async (_req, res, body) => {
    tokenHits++;
    if (tokenDelayMs) await new Promise((r) => setTimeout(r, tokenDelayMs));
    if (tokenStatus !== 200) return json(res, tokenStatus, { error: 'invalid_grant' });
    const form = new URLSearchParams(body.toString());
    const got = _req.headers['content-type']?.includes('json') ? JSON.parse(body.toString()) : {};
    // The refresh request must carry no `apply` header (SPEC §4) and the stored refresh token.
    if (_req.headers.authorization?.startsWith('Bearer')) return json(res, 400, { error: 'apply ran inside refresh' });
    if ((got.refresh_token ?? form.get('refresh_token')) !== 'rt-secret-9876') {
      return json(res, 400, { error: 'bad refresh token' });
    }
    json(res, 200, { access_token: next, expires_in: 3600 });
  });
  server.on('/data', (req, res) => {
    dataHits++;
    if (req.headers.authorization !== `Bearer ${valid}`) return json(res, 401, { error: 'expired token' });
    json(res, 200, { ok: true });
  });
  server.on('/soft', (req, res) => {
    dataHits++;
    if (req.headers.authorization !== `Bearer ${valid}`) return json(res, 200, { error: 'Session expired' });
    json(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});
beforeEach(() => {
  valid = 'tok-live-0001';
  next = 'tok-live-0002';
  tokenHits = 0;
  tokenDelayMs = 0;
  tokenStatus = 200;
  dataHits = 0;
});

/** The authorization of most tests; a test that needs another spreads it and changes what it needs. */
const refreshing: CustomAuthorization = {
  type: 'custom_auth',
  refreshOn: [401],
  detectOn: [/session expired/i],
  refresh: async (ctx) => ctx.post(`${ctx.connection.base}/token`, { refresh_token: ctx.refreshToken }),
  apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.access_token}` }),
};

function connector(authorization: Authorization = refreshing): ConnectorDefinition {
  return defineConnector({
    title: 'Refreshing',
    connection: {
      fields: [{ name: 'base' }, { name: 'refresh_token', controlType: 'password' }],
      authorization,
      baseUri: (ctx) => ctx.connection.base,
    },
    actions: {
      many: {
        inputFields: [
          { name: 'n', type: 'integer' },
          { name: 'path', optional: true },
        ],
        execute: async (ctx) =>
          Promise.all(Array.from({ length: ctx.input.n }, () => ctx.get(ctx.input.path ?? 'data'))),
      },
      leak: {
        execute: async (ctx) => {
          await ctx.get('data');
          return { token: ctx.connection.access_token, header: `Bearer ${ctx.connection.access_token}` };
        },
      },
    },
  });
}

/** A connection's values: the executor stores refreshed tokens into this object. */
type Values = { base: string; access_token: string; refresh_token: string; [name: string]: unknown };
const connection = (extra: Record<string, unknown> = {}): Values => ({
  base: server.url,
  access_token: 'tok-stale-0000',
  refresh_token: 'rt-secret-9876',
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (error) {
    if (isWeftError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('refresh on an auth failure', () => {
  it('runs ONE refresh for 50 parallel requests that all get 401, then all 50 succeed', async () => {
    valid = next;
    tokenDelayMs = 50;
    const conn = connection();
    const updates: Record<string, unknown>[] = [];
    const result = await execute(connector(), 'actions.many.execute', {
      connection: conn,
      input: { n: 50 },
      onConnectionUpdate: (values) => void updates.push(values),
    });
    expect(result.kind === 'output' && (result.output as unknown[]).length).toBe(50);
    expect((result as { output: unknown[] }).output.every((r) => (r as { ok: boolean }).ok)).toBe(true);
    expect(tokenHits).toBe(1);
    expect(dataHits).toBe(100); // 50 rejected + 50 resent once
    expect(conn.access_token).toBe('tok-live-0002');
    expect(conn.refresh_token).toBe('rt-secret-9876'); // kept: the answer had none
    expect(typeof conn.expires_at).toBe('string');
    // What is stored is expires_at (from the answer's expires_in), as for the default refresh.
    expect(updates).toEqual([{ access_token: 'tok-live-0002', expires_at: conn.expires_at }]);
    expect(conn.expires_in).toBeUndefined();
  });

  it('shares one refresh among concurrent runs holding the same connection object', async () => {
    valid = next;
    tokenDelayMs = 50;
    const conn = connection();
    const def = connector();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () => execute(def, 'actions.many.execute', { connection: conn, input: { n: 5 } })),
    );
    expect(runs.every((r) => r.kind === 'output')).toBe(true);
    expect(tokenHits).toBe(1);
  });

  it('treats a 200 whose body matches detectOn as expired', async () => {
    valid = next;
    const conn = connection();
    const result = await execute(connector(), 'actions.many.execute', {
      connection: conn,
      input: { n: 1, path: 'soft' },
    });
    expect(result).toMatchObject({ kind: 'output', output: [{ ok: true }] });
    expect(tokenHits).toBe(1);
    expect(dataHits).toBe(2);
  });

  it('fails with REAUTHORIZE (without secrets) when the refresh fails', async () => {
    tokenStatus = 400;
    const error = await failure(
      execute(connector(), 'actions.many.execute', { connection: connection(), input: { n: 3 } }),
    );
    expect(error.code).toBe('REAUTHORIZE');
    expect(error.message).toMatch(/^The connection needs to be reconnected: the refresh failed: .*HTTP 400/);
    expect(error.message).not.toContain('rt-secret-9876');
    expect(error.message).not.toContain('tok-stale-0000');
    expect(tokenHits).toBe(1);
  });

  it('retries once only: a refreshed token that is still rejected gives REAUTHORIZE, no loop', async () => {
    valid = 'never-valid-token';
    const error = await failure(
      execute(connector(), 'actions.many.execute', { connection: connection(), input: { n: 1 } }),
    );
    expect(error.code).toBe('REAUTHORIZE');
    expect(error.message).toContain('still rejects the credentials after a refresh (HTTP 401)');
    expect(tokenHits).toBe(1);
    expect(dataHits).toBe(2);
  });

  it('re-runs acquire for custom_auth without refresh (a session login)', async () => {
    valid = next;
    const def = connector({
      ...refreshing,
      refresh: undefined,
      acquire: async (ctx) => ctx.post(`${ctx.connection.base}/token`, { refresh_token: 'rt-secret-9876' }),
    });
    const conn = connection();
    await execute(def, 'actions.many.execute', { connection: conn, input: { n: 4 } });
    expect(tokenHits).toBe(1);
    expect(conn.access_token).toBe(next);
  });

  it('leaves a 401 alone when the authorization cannot refresh', async () => {
    const def = connector({ ...refreshing, type: 'api_key', refresh: undefined });
    const error = await failure(execute(def, 'actions.many.execute', { connection: connection(), input: { n: 1 } }));
    expect(error).toMatchObject({ code: 'HTTP_ERROR', status: 401 });
    expect(tokenHits).toBe(0);
  });

  it('uses the default OAuth2 refresh when an oauth2 authorization defines none', async () => {
    valid = next;
    const def = defineConnector({
      title: 'OAuth2',
      connection: {
        authorization: {
          type: 'oauth2',
          tokenUrl: (ctx) => `${ctx.connection.base}/token`,
          clientId: 'client-1',
          clientSecret: 'client-secret-5555',
        },
        baseUri: (ctx) => ctx.connection.base,
      },
      test: (ctx) => ctx.get('data'),
    });
    const conn = connection();
    expect(await execute(def, 'test', { connection: conn })).toMatchObject({ output: { ok: true } });
    expect(tokenHits).toBe(1);
    expect(conn.access_token).toBe(next);
  });
});

describe('proactive refresh', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  const soon = new Date(now.getTime() + PROACTIVE_REFRESH_MS / 2).toISOString();
  const later = new Date(now.getTime() + 10 * PROACTIVE_REFRESH_MS).toISOString();

  it('refreshes before the request when expires_at is within the margin', async () => {
    valid = next;
    const conn = connection({ expires_at: soon });
    const result = await execute(connector(), 'actions.many.execute', {
      connection: conn,
      input: { n: 5 },
      now: () => now,
    });
    expect(result.kind).toBe('output');
    expect(tokenHits).toBe(1);
    expect(dataHits).toBe(5); // no request went out with the old token
    expect(conn.expires_at).toBe(new Date(now.getTime() + 3600_000).toISOString());
  });

  it('does not refresh a token that is good for longer', async () => {
    valid = 'tok-stale-0000';
    await execute(connector(), 'actions.many.execute', {
      connection: connection({ expires_at: later }),
      input: { n: 2 },
      now: () => now,
    });
    expect(tokenHits).toBe(0);
  });

  it('keeps using a not-yet-expired token when the proactive refresh fails', async () => {
    valid = 'tok-stale-0000';
    tokenStatus = 500;
    const logs: string[] = [];
    const result = await execute(connector(), 'actions.many.execute', {
      connection: connection({ expires_at: soon }),
      input: { n: 3 },
      now: () => now,
      onLog: (_level, message) => logs.push(message),
    });
    expect(result.kind).toBe('output');
    expect(tokenHits).toBe(1); // tried once for this expires_at, not once per request
    expect(logs.some((l) => l.includes('proactive refresh failed'))).toBe(true);
  });
});

describe('secrets of refresh and apply stay hidden', () => {
  it('keeps refreshed tokens and applied headers out of logs and errors; the output is data', async () => {
    valid = next;
    const exchanges: HttpExchangeLog[] = [];
    const options: ExecuteOptions = {
      connection: connection(),
      onExchange: (log) => exchanges.push(log),
    };
    const result = await execute(connector(), 'actions.leak.execute', options);
    const shown = JSON.stringify({ exchanges });
    expect(exchanges.length).toBe(3); // 401, token, resend
    for (const secret of ['tok-live-0002', 'tok-stale-0000', 'rt-secret-9876']) {
      expect(shown).not.toContain(secret);
    }
    // Redaction never rewrites what an action returns (SPEC §4).
    expect(result).toMatchObject({ kind: 'output', output: { token: 'tok-live-0002' } });
  });
});
