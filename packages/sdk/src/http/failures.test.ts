import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redactor } from '../redact.js';
import { startServer, type TestServer, testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
  server.on('/slow-headers', (_req, res) => {
    setTimeout(() => res.end('late'), 2_000).unref();
  });
  server.on('/slow-body', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('start ');
    const t = setInterval(() => res.write('.'), 50);
    t.unref();
    res.on('close', () => clearInterval(t));
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});

/**
 * Nothing listens on port 1 of the loopback, so it always refuses. (A port found free and closed
 * again could be taken by a neighbouring test before the request.)
 */
const REFUSING_PORT = 1;

describe('connection failures', () => {
  it('reports a refused connection as HTTP_CONNECTION_FAILED with method and URL', async () => {
    const port = REFUSING_PORT;
    const http = createHttpHelpers(testEnv());
    await expect(http.get(`http://127.0.0.1:${port}/x`)).rejects.toMatchObject({
      code: 'HTTP_CONNECTION_FAILED',
      message: `GET http://127.0.0.1:${port}/x: connection refused (ECONNREFUSED)`,
    });
  });

  it('redacts secrets in the URL of connection errors', async () => {
    const port = REFUSING_PORT;
    const redactor = new Redactor(['tok-abcdef']);
    const http = createHttpHelpers(testEnv({ redact: (s) => redactor.redact(s) }));
    const error = await http.get(`http://127.0.0.1:${port}/tok-abcdef`, { password: 'pw' }).catch((e) => e);
    expect(error.message).toBe(
      `GET http://127.0.0.1:${port}/[REDACTED]?password=[REDACTED]: connection refused (ECONNREFUSED)`,
    );
  });
});

describe('timeouts', () => {
  it('times out waiting for headers with the environment default', async () => {
    const http = createHttpHelpers(testEnv({ timeoutMs: 200 }));
    const started = Date.now();
    await expect(http.get(`${server.url}/slow-headers`)).rejects.toMatchObject({
      code: 'HTTP_TIMEOUT',
      message: `GET ${server.url}/slow-headers: no response within 200 ms`,
    });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('lets .timeout(ms) override the default, and covers a body that keeps trickling', async () => {
    const http = createHttpHelpers(testEnv({ timeoutMs: 60_000 }));
    await expect(http.get(`${server.url}/slow-body`).timeout(300)).rejects.toMatchObject({
      code: 'HTTP_TIMEOUT',
      message: expect.stringContaining('no response within 300 ms'),
    });
  });

  it('rejects a non-positive timeout', () => {
    const http = createHttpHelpers(testEnv());
    expect(() => http.get(`${server.url}/x`).timeout(0)).toThrow(/positive/);
  });
});
