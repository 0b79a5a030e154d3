import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';
import type { AppliedAuth } from './types.js';

let server: TestServer;
let validToken = 'fresh';
beforeAll(async () => {
  server = await startServer();
  server.on('/me', (req, res) => {
    if (req.headers.authorization !== `Bearer ${validToken}`) return json(res, 401, { error: 'token expired' });
    json(res, 200, { me: true });
  });
  server.on('/soft-expired', (req, res) => {
    if (req.headers.authorization !== `Bearer ${validToken}`) return json(res, 200, { error: 'session expired' });
    json(res, 200, { me: true });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

const applied = (over: Partial<AppliedAuth> = {}): AppliedAuth => ({ headers: {}, params: {}, payload: {}, ...over });
const last = () => server.received[server.received.length - 1];

describe('applied authorization', () => {
  it('merges headers, params and payload from apply; the request itself wins on conflicts', async () => {
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () =>
          applied({
            headers: { 'x-api-key': 'K1', 'x-other': 'auth' },
            params: { api_key: 'P1' },
            payload: { client_id: 'C', a: 'auth' },
          }),
      }),
    );
    const res = await http.post(`${server.url}/echo?z=1`, { a: 'mine' }).headers({ 'X-Other': 'mine' });
    expect(res.headers['x-api-key']).toBe('K1');
    expect(res.headers['x-other']).toBe('mine');
    expect(res.url).toBe('/echo?z=1&api_key=P1');
    expect(JSON.parse(res.body)).toEqual({ client_id: 'C', a: 'mine' });
    expect((await http.get(`${server.url}/echo`)).body).toBe('');
  });

  it('sends basic credentials from user and password', async () => {
    const http = createHttpHelpers(testEnv({ applyAuth: async () => applied({ user: 'ann', password: 'pä:ss' }) }));
    await http.get(`${server.url}/basic`);
    expect(last().headers.authorization).toBe(`Basic ${Buffer.from('ann:pä:ss').toString('base64')}`);
  });

  it('calls onAuthFailure on 401 and resends once with freshly applied auth', async () => {
    let token = 'stale';
    validToken = 'fresh';
    const calls: number[] = [];
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () => applied({ headers: { authorization: `Bearer ${token}` } }),
        onAuthFailure: async (status, body) => {
          calls.push(status);
          expect(body).toEqual({ error: 'token expired' });
          token = 'fresh';
          return true;
        },
      }),
    );
    expect(await http.get(`${server.url}/me`)).toEqual({ me: true });
    expect(calls).toEqual([401]);
  });

  it('resends only once, and not at all when onAuthFailure declines', async () => {
    validToken = 'never';
    let calls = 0;
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () => applied({ headers: { authorization: 'Bearer x' } }),
        onAuthFailure: async () => {
          calls++;
          return true;
        },
      }),
    );
    const before = server.received.length;
    await expect(http.get(`${server.url}/me`)).rejects.toMatchObject({ status: 401 });
    expect(calls).toBe(1);
    expect(server.received.length - before).toBe(2);

    const declining = createHttpHelpers(testEnv({ onAuthFailure: async () => false }));
    const before2 = server.received.length;
    await expect(declining.get(`${server.url}/me`)).rejects.toMatchObject({ status: 401 });
    expect(server.received.length - before2).toBe(1);
  });

  it('treats responses matching authFailureOn as auth failures even with status 200', async () => {
    let token = 'stale';
    validToken = 'fresh';
    const http = createHttpHelpers(
      testEnv({
        applyAuth: async () => applied({ headers: { authorization: `Bearer ${token}` } }),
        authFailureOn: [/session expired/],
        onAuthFailure: async () => {
          token = 'fresh';
          return true;
        },
      }),
    );
    expect(await http.get(`${server.url}/soft-expired`)).toEqual({ me: true });
  });
});
