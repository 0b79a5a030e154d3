/**
 * `POST /api/connectors` imports the pushed source, which runs its top-level code (in a
 * connector host). That must only happen for an authenticated request whose connector name has
 * been checked: every refused push leaves no trace of the source's code. The trace is a request
 * to a local server, which connector code may make (a file it may not write).
 */
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from '../__fixtures__/api-call.js';
import { rawRequest } from '../__fixtures__/raw-http.js';
import { type RunningServer, startServer } from '../serve.js';

let server: RunningServer;
let traces: Server;
let tracesUrl: string;
const ran = new Set<string>();
const existsSync = (marker: string) => ran.has(marker);
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-push-order-'));
  traces = createServer((req, res) => {
    ran.add(req.url ?? '');
    res.end('ok');
  });
  await new Promise<void>((resolve) => traces.listen(0, '127.0.0.1', resolve));
  tracesUrl = `http://127.0.0.1:${(traces.address() as AddressInfo).port}`;
  server = await startServer({ port: 0, home, connectorDirs: [], env: {}, onWarning: () => {} });
});
afterAll(async () => {
  await server.close();
  traces.close();
});

let n = 0;
/** A source whose top-level code calls a marker URL (as a hostile source would read keys). */
function tracing(extra = ''): { source: string; marker: string } {
  const marker = `/ran-${++n}`;
  const source = `import { defineConnector } from "@weft/sdk";
await fetch(${JSON.stringify(tracesUrl + marker)});
export default defineConnector({
  title: "Tracing",
  ${extra}
  actions: { a: { execute: () => ({}) } },
});
`;
  return { source, marker };
}

describe("a pushed connector's code runs only after authentication and the name check", () => {
  test('unauthenticated pushes, however the path is spelled, run nothing', async () => {
    const targets = ['/api/connectors', '/ap%69/connectors', '/%61pi/connectors', `${server.url}/api/connectors`];
    for (const target of targets) {
      for (const authorization of [undefined, 'Bearer wrong-token-0123456789']) {
        const { source, marker } = tracing();
        const res = await rawRequest(server.url, {
          method: 'POST',
          target,
          headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
          body: JSON.stringify({ source, name: 'tracing' }),
        });
        expect(res.status, target).toBe(401);
        expect(existsSync(marker), `${target} ran the pushed code`).toBe(false);
      }
    }
  });

  test('a missing or bad name is refused before the source is imported', async () => {
    const cases: [unknown, RegExp][] = [
      [undefined, /name: is required/],
      ['', /name: must not be empty/],
      ['../etc', /letters, digits/],
      ['.incoming', /letters, digits/],
      ['a'.repeat(101), /letters, digits/],
      ['notes\u202Etxt.exe', /U\+202E/],
      ['notes\u0000', /U\+0000/],
      [42, /must be a string/],
    ];
    for (const [name, message] of cases) {
      const { source, marker } = tracing();
      const res = await call('POST', '/api/connectors', { source, ...(name === undefined ? {} : { name }) });
      expect(res.status, String(name)).toBe(400);
      expect(res.body.error.path).toBe('name');
      expect(res.body.error.message).toMatch(message);
      expect(existsSync(marker), `name ${JSON.stringify(name)} ran the pushed code`).toBe(false);
    }
  });

  test('a source that is not a non-empty string, or unknown keys, run nothing either', async () => {
    const { source, marker } = tracing();
    for (const body of [{ name: 'tracing' }, { name: 'tracing', source: '' }, { name: 'tracing', source, extra: 1 }]) {
      const res = await call('POST', '/api/connectors', body);
      expect(res.status, JSON.stringify(Object.keys(body))).toBe(400);
    }
    expect(existsSync(marker)).toBe(false);
  });

  test('an authenticated push with a good name runs the source (the marker works)', async () => {
    const { source, marker } = tracing();
    const res = await call('POST', '/api/connectors', { source, name: 'tracing' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(existsSync(marker)).toBe(true);
  });

  test('a definition whose own name differs from the pushed name is refused and not stored', async () => {
    const { source } = tracing('name: "other",');
    const res = await call('POST', '/api/connectors', { source, name: 'tracing-2' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({
      path: 'name',
      message: expect.stringMatching(/names this connector "other"/),
    });
    expect((await call('GET', '/api/connectors/other')).status).toBe(404);
    expect((await call('GET', '/api/connectors/tracing-2')).status).toBe(404);
  });
});
