/**
 * The order of the pipeline's steps, as a connector sees it through the executor against a real
 * server on 127.0.0.1: refresh-and-resend is decided before the retry rules, every attempt
 * (resend or retry) runs `apply` afresh, and the exchange log numbers attempts across both.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineConnector } from '../../define.js';
import { execute } from '../../execute/executor.js';
import { json, startServer, type TestServer } from '../__fixtures__/server.js';
import { closeHttp } from '../index.js';
import type { HttpExchangeLog } from '../types.js';

let server: TestServer;
let tokenHits = 0;
let dataHits = 0;
/** Responses /data gives with the fresh token, in order (then 200). */
let afterRefresh: number[] = [];

beforeAll(async () => {
  server = await startServer();
  server.on('/token', (_req, res) => {
    tokenHits++;
    json(res, 200, { access_token: 'fresh-token-2222', expires_in: 3600 });
  });
  server.on('/data', (req, res) => {
    dataHits++;
    if (req.headers.authorization !== 'Bearer fresh-token-2222') return json(res, 401, { error: 'expired' });
    const status = afterRefresh.shift() ?? 200;
    json(res, status, { ok: status === 200 });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});
beforeEach(() => {
  tokenHits = 0;
  dataHits = 0;
  afterRefresh = [];
});

const connector = defineConnector({
  title: 'Ordered',
  connection: {
    fields: [{ name: 'base' }],
    authorization: {
      type: 'custom_auth',
      refresh: async (ctx) => ctx.post(`${ctx.connection.base}/token`),
      apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.access_token}` }),
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  actions: {
    fetch: {
      retryOnResponse: [401, 503],
      maxRetries: 2,
      execute: (ctx) => ctx.get('data'),
    },
  },
});

const run = (onExchange?: (log: HttpExchangeLog) => void) =>
  execute(connector, 'actions.fetch.execute', {
    connection: { base: server.url, access_token: 'stale-token-1111' },
    retryBaseMs: 1,
    onExchange,
  });

describe('the order of the HTTP steps', () => {
  it('refreshes on a 401 before the retry rules see it, even when 401 is listed in retryOnResponse', async () => {
    const result = await run();
    expect(result).toMatchObject({ kind: 'output', output: { ok: true } });
    expect(tokenHits).toBe(1);
    expect(dataHits).toBe(2); // the stale attempt, then the resend with the fresh token: no retry
  });

  it('retries a resent request with the fresh credentials and numbers every attempt in the log', async () => {
    afterRefresh = [503];
    const logs: HttpExchangeLog[] = [];
    const result = await run((log) => logs.push(log));
    expect(result).toMatchObject({ kind: 'output', output: { ok: true } });
    expect(tokenHits).toBe(1);
    const data = logs.filter((log) => log.url.endsWith('/data'));
    expect(data.map((log) => [log.attempt, log.status])).toEqual([
      [1, 401],
      [2, 503],
      [3, 200],
    ]);
    expect(data[2].requestHeaders.authorization).toBe('[REDACTED]');
  });
});
