import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';
import type { SignableRequest } from './types.js';

let server: TestServer;
let failures = 0;
beforeAll(async () => {
  server = await startServer();
  server.on('/flaky', (_req, res) => {
    if (failures-- > 0) return json(res, 503, { busy: true });
    json(res, 200, { ok: true });
  });
  server.on('/always-401', (_req, res) => json(res, 401, { error: 'expired' }));
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

describe('HttpEnv.sign', () => {
  it('sees the final request (query, headers, body) and its headers are sent', async () => {
    const seen: SignableRequest[] = [];
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () => ({ headers: { 'x-applied': 'A' }, params: { p: '1' }, payload: {} }),
        sign: async (req) => {
          seen.push(req);
          return { authorization: `Sig ${req.method} ${req.url.search}`, 'X-Signed': 'yes' };
        },
      }),
    );
    const res = await http.post(`${server.url}/echo`, { a: 1 }).params({ q: 'x' });
    expect(seen).toHaveLength(1);
    expect(seen[0].url.href).toBe(`${server.url}/echo?p=1&q=x`);
    expect(seen[0].headers).toMatchObject({ 'x-applied': 'A', 'content-type': 'application/json' });
    expect(seen[0].body).toBe('{"a":1}');
    expect(seen[0].streaming).toBe(false);
    expect(res.headers.authorization).toBe('Sig POST ?p=1&q=x');
    expect(res.headers['x-signed']).toBe('yes');
  });

  it('signs each attempt again (retries)', async () => {
    failures = 2;
    let n = 0;
    const http = createHttpHelpers(
      testEnv({
        retry: { retryOnResponse: [503], retryOnRequest: ['GET'], maxRetries: 3 },
        sign: async () => ({ 'x-attempt': String(++n) }),
      }),
    );
    expect(await http.get(`${server.url}/flaky`)).toEqual({ ok: true });
    expect(n).toBe(3);
    expect(server.received.at(-1)!.headers['x-attempt']).toBe('3');
  });
});

describe('HttpEnv.onAuthRejected', () => {
  it('is called when the resent request fails the same way, and may throw', async () => {
    let rejected = 0;
    const http = createHttpHelpers(
      testEnv({
        onAuthFailure: async () => true,
        onAuthRejected: (status) => {
          rejected++;
          throw new Error(`still ${status}`);
        },
      }),
    );
    await expect(http.get(`${server.url}/always-401`)).rejects.toThrow('still 401');
    expect(rejected).toBe(1);
  });

  it('hands the tag of the applied credentials to onAuthFailure', async () => {
    const tags: unknown[] = [];
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () => ({ headers: {}, params: {}, payload: {}, tag: 7 }),
        onAuthFailure: async (_s, _b, _h, tag) => {
          tags.push(tag);
          return false;
        },
      }),
    );
    await expect(http.get(`${server.url}/always-401`)).rejects.toMatchObject({ status: 401 });
    expect(tags).toEqual([7]);
  });
});
