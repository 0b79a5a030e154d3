import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../redact.js';
import { json, startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';
import type { HttpExchangeLog } from './types.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.on('/token', (_req, res) =>
    json(res, 200, { access_token: 'issued-token-999', expires_in: 3600, note: 'hello' }),
  );
  server.on('/bin', (_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.alloc(5000, 7));
  });
  server.on('/long', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('y'.repeat(10_000));
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

describe('verbose exchange log', () => {
  it('never shows a token from a header, a query param or a JSON body', async () => {
    const TOKEN = 'sk-live-1234567890';
    const redactor = new Redactor([TOKEN]);
    const logs: HttpExchangeLog[] = [];
    const http = createHttpHelpers(testEnv({ redact: (s) => redactor.redact(s), onExchange: (l) => logs.push(l) }));
    await http
      .post(`${server.url}/echo`, { credentials: { token: TOKEN }, note: `uses ${TOKEN}`, name: 'Ann' })
      .params({ access_token: TOKEN, page: 2 })
      .headers({ Authorization: `Bearer ${TOKEN}`, 'X-Trace': TOKEN, 'X-Plain': 'visible' });
    expect(logs).toHaveLength(1);
    const text = JSON.stringify(logs[0]);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('1234567890');
    expect(logs[0].url).toBe(`${server.url}/echo?access_token=[REDACTED]&page=2`);
    expect(logs[0].requestHeaders.authorization).toBe('[REDACTED]');
    expect(logs[0].requestHeaders['x-plain']).toBe('visible');
    expect(JSON.parse(logs[0].requestBody!)).toEqual({
      credentials: { token: '[REDACTED]' },
      note: 'uses [REDACTED]',
      name: 'Ann',
    });
    expect(logs[0]).toMatchObject({ method: 'POST', status: 200, attempt: 1 });
    expect(logs[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('hides secret-looking fields of JSON responses even when the value is not yet known', async () => {
    const logs: HttpExchangeLog[] = [];
    const http = createHttpHelpers(testEnv({ onExchange: (l) => logs.push(l) }));
    expect((await http.post(`${server.url}/token`)).access_token).toBe('issued-token-999');
    expect(logs[0].responseBody).not.toContain('issued-token-999');
    expect(JSON.parse(logs[0].responseBody!)).toEqual({ access_token: '[REDACTED]', expires_in: 3600, note: 'hello' });
  });

  it('shows binary bodies by size and cuts long bodies at about 2 KB', async () => {
    const logs: HttpExchangeLog[] = [];
    const http = createHttpHelpers(testEnv({ onExchange: (l) => logs.push(l) }));
    await http.get(`${server.url}/bin`);
    await http.get(`${server.url}/long`);
    await http.put(`${server.url}/echo`).requestBody(new Uint8Array(10));
    expect(logs[0].responseBody).toBe('<5000 bytes>');
    expect(logs[1].responseBody!.length).toBeLessThan(2200);
    expect(logs[1].responseBody).toContain('10000 characters');
    expect(logs[2].requestBody).toBe('<10 bytes>');
  });

  it('does not let a failing listener fail the request', async () => {
    const http = createHttpHelpers(
      testEnv({
        onExchange: () => {
          throw new Error('listener broke');
        },
      }),
    );
    expect((await http.get(`${server.url}/echo`)).method).toBe('GET');
  });
});
