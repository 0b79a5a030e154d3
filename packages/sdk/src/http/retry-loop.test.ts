import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';
import type { HttpExchangeLog } from './types.js';

let server: TestServer;
const counters = new Map<string, number>();
const hit = (key: string) => {
  const n = (counters.get(key) ?? 0) + 1;
  counters.set(key, n);
  return n;
};

beforeAll(async () => {
  server = await startServer();
  // Fails `fails` times with `status`, then succeeds.
  server.on('/flaky', (req, res) => {
    const q = new URL(req.url!, 'http://x').searchParams;
    const n = hit(q.get('k')!);
    if (n <= Number(q.get('fails'))) {
      const headers: Record<string, string> = q.get('ra') ? { 'retry-after': q.get('ra')! } : {};
      return json(res, Number(q.get('status')), { error: 'busy', attempt: n }, headers);
    }
    json(res, 200, { ok: true, attempt: n });
  });
  server.on('/soft', (req, res) => {
    const n = hit(new URL(req.url!, 'http://x').searchParams.get('k')!);
    json(res, 200, n === 1 ? { status: 'RATE_LIMITED' } : { status: 'OK' });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

let key = 0;
const flaky = (fails: number, status: number, extra = '') =>
  `${server.url}/flaky?k=${++key}&fails=${fails}&status=${status}${extra}`;
const policy = (over: object = {}) => ({
  retryOnResponse: [500, 503, 429],
  retryOnRequest: [] as string[],
  maxRetries: 2,
  ...over,
});

describe('retries', () => {
  it('retries a matching response up to maxRetries (retries, not attempts)', async () => {
    const http = createHttpHelpers(testEnv({ retry: policy() }));
    expect(await http.get(flaky(2, 500))).toEqual({ ok: true, attempt: 3 });
    await expect(http.get(flaky(3, 500))).rejects.toMatchObject({ code: 'HTTP_ERROR', status: 500 });
  });

  it('caps maxRetries at 3', async () => {
    const logs: HttpExchangeLog[] = [];
    const http = createHttpHelpers(testEnv({ retry: policy({ maxRetries: 9 }), onExchange: (l) => logs.push(l) }));
    await expect(http.get(flaky(5, 500))).rejects.toMatchObject({ status: 500 });
    expect(logs.map((l) => l.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('retries only methods in retryOnRequest, default GET and HEAD', async () => {
    const http = createHttpHelpers(testEnv({ retry: policy() }));
    await expect(http.post(flaky(1, 500), { a: 1 })).rejects.toMatchObject({ status: 500 });
    const withPost = createHttpHelpers(testEnv({ retry: policy({ retryOnRequest: ['POST'] }) }));
    expect(await withPost.post(flaky(1, 500), { a: 1 })).toEqual({ ok: true, attempt: 2 });
  });

  it('does not retry statuses that do not match', async () => {
    const http = createHttpHelpers(testEnv({ retry: policy() }));
    await expect(http.get(flaky(1, 502))).rejects.toMatchObject({ status: 502 });
  });

  it('retries 2xx responses whose body matches a pattern', async () => {
    const http = createHttpHelpers(testEnv({ retry: policy({ retryOnResponse: [/RATE_LIMITED/] }) }));
    expect(await http.get(`${server.url}/soft?k=${++key}`)).toEqual({ status: 'OK' });
  });

  it('honours Retry-After on 429 and 503', async () => {
    const http = createHttpHelpers(testEnv({ retry: policy(), retryBaseMs: 1 }));
    const started = Date.now();
    expect(await http.get(flaky(1, 429, '&ra=1'))).toEqual({ ok: true, attempt: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('retries connection failures of idempotent methods', async () => {
    const logs: HttpExchangeLog[] = [];
    const http = createHttpHelpers(testEnv({ retry: policy(), onExchange: (l) => logs.push(l) }));
    await expect(http.get('http://127.0.0.1:1/x')).rejects.toMatchObject({ code: 'HTTP_CONNECTION_FAILED' });
    expect(logs).toHaveLength(3);
    expect(logs[0].error).toMatch(/ECONNREFUSED/);
    logs.length = 0;
    await expect(http.post('http://127.0.0.1:1/x', {})).rejects.toMatchObject({ code: 'HTTP_CONNECTION_FAILED' });
    expect(logs).toHaveLength(1);
  });

  it('does not retry without a policy', async () => {
    const http = createHttpHelpers(testEnv());
    await expect(http.get(flaky(1, 503))).rejects.toMatchObject({ status: 503 });
  });
});
