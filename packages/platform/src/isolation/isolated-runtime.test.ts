/**
 * The isolated runtime from the platform's side: a connector loaded into a host, its operations
 * run there with the server's callbacks answered over the IPC channel — HTTP exchanges and logs,
 * a resume URL minted only when the connector reads it — and a 50 MiB stream that crosses in
 * chunks with back-pressure, never whole.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition, HttpExchangeLog } from '@weft/sdk';
import { Agent, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runOperation } from '../connector-runtime.js';
import { IsolatedRuntime } from './isolated-runtime.js';
import { isolationOptions } from './options.js';
import { STREAM_WINDOW } from './protocol.js';

const FIXTURE = fileURLToPath(new URL('../__fixtures__/isolation/streamer', import.meta.url));
const SECRET = 'k3y-that-must-not-leak';

let dir: string;
let runtime: IsolatedRuntime;
let definition: ConnectorDefinition;
let api: Server;
let connection: Record<string, unknown>;

beforeAll(async () => {
  api = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ key: req.headers['x-api-key'] === SECRET }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  connection = { base_url: `http://127.0.0.1:${(api.address() as AddressInfo).port}/`, api_key: SECRET };
  dir = mkdtempSync(join(tmpdir(), 'weft-isolated-runtime-'));
  runtime = new IsolatedRuntime({ ...isolationOptions({}, 4), bundleDir: dir, env: process.env });
  definition = (await runtime.loadFolder(FIXTURE)).definition;
});

afterAll(async () => {
  await runtime.close();
  api.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the isolated runtime', () => {
  test('the server keeps a manifest: what the connector defines, no code to run', () => {
    expect(definition.title).toBe('Streamer (isolation fixture)');
    expect(typeof definition.actions?.call.execute).toBe('function');
    const stub = definition.actions!.call.execute as () => unknown;
    expect(() => stub()).toThrow(/runs in the connector's host/);
  });

  test("an action's HTTP exchanges and logs reach the server; the output is the connector's", async () => {
    const exchanges: HttpExchangeLog[] = [];
    const logs: string[] = [];
    const result = await runOperation(
      definition,
      { kind: 'action', action: 'call', input: {} },
      { connection, onExchange: (log) => exchanges.push(log), onLog: (_level, message) => logs.push(message) },
    );
    expect(result).toMatchObject({ kind: 'output', output: { key: true } });
    expect(logs).toContain('calling the API');
    expect(exchanges).toHaveLength(1);
    expect(JSON.stringify(exchanges)).not.toContain(SECRET);
  });

  test("a run's dispatcher carries the host's HTTP: the host relays each request to the server", async () => {
    // A real undici Agent that counts what it is given: the server's side of the relay uses it.
    const dispatched: string[] = [];
    class Counting extends Agent {
      override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
        dispatched.push(`${options.method} ${options.path}`);
        return super.dispatch(options, handler);
      }
    }
    const dispatcher = new Counting();
    try {
      const result = await runOperation(
        definition,
        { kind: 'action', action: 'call', input: {} },
        { connection, dispatcher },
      );
      expect(result).toMatchObject({ kind: 'output', output: { key: true } });
      expect(dispatched).toEqual(['GET /thing']);
    } finally {
      await dispatcher.close();
    }
  });

  test('a resume URL is registered only when the connector reads it', async () => {
    let registered = 0;
    const prepared = Object.defineProperty(
      () => {
        registered++;
        return 'https://weft.example/webhooks/resume/j/t';
      },
      'url',
      { value: 'https://weft.example/webhooks/resume/j/t' },
    ) as (() => string) & { url: string };
    const unread = await runOperation(
      definition,
      { kind: 'action', action: 'no_resume_url', input: {} },
      { connection, resumeUrl: prepared },
    );
    expect(unread.kind).toBe('output');
    expect(registered).toBe(0);
    const read = await runOperation(
      definition,
      { kind: 'action', action: 'resume_url', input: {} },
      { connection, resumeUrl: prepared },
    );
    expect(read).toMatchObject({ output: { url: 'https://weft.example/webhooks/resume/j/t' } });
    expect(registered).toBe(1);
  });

  test('50 MiB stream in chunks: every byte arrives, and the host waits for the reader', async () => {
    const bytes = 50 * 1024 * 1024;
    const result = await runOperation(definition, { kind: 'stream', name: 'big', args: { bytes } }, { connection });
    if (result.kind !== 'stream') throw new Error(`expected a stream, got ${result.kind}`);
    let received = 0;
    let chunks = 0;
    let madeBeforeResume = 0;
    let resumedAt = 0;
    for await (const chunk of result.stream) {
      const madeAt = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).readDoubleLE(0);
      if (resumedAt && madeAt < resumedAt) madeBeforeResume++;
      received += chunk.byteLength;
      chunks++;
      if (chunks === 1) {
        // The reader stalls: the host may run ahead by its window of chunks, not more.
        await new Promise((r) => setTimeout(r, 500));
        resumedAt = performance.timeOrigin + performance.now();
      }
    }
    expect(received).toBe(bytes);
    expect(madeBeforeResume).toBeLessThanOrEqual(STREAM_WINDOW + 1);
  });
});
