/**
 * The refresh gate across the host boundary: the connector runs in a host, the gate (here a
 * test's function, standing in for the store's lock) in this process. The host asks, refreshes
 * when told, takes stored values when told; a failed refresh and a host stopped mid-refresh
 * reach the gate as failures, so that its lock is released.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import type { RefreshGate } from '@weft/sdk/operations';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { runOperation } from '../connector-runtime.js';
import { IsolatedRuntime } from './isolated-runtime.js';
import { isolationOptions } from './options.js';

const FIXTURE = fileURLToPath(new URL('../__fixtures__/isolation/refresher', import.meta.url));

let dir: string;
let runtime: IsolatedRuntime;
let definition: ConnectorDefinition;
let api: Server;
let base: string;
/** The token the API accepts; the token endpoint's answer, status and delay. */
let accepted = 'tok-live';
let tokenStatus = 200;
let tokenDelayMs = 0;
let tokenCalls = 0;

beforeAll(async () => {
  api = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/token') {
      tokenCalls++;
      setTimeout(() => {
        res.statusCode = tokenStatus;
        res.end(JSON.stringify(tokenStatus === 200 ? { access_token: accepted } : { error: 'invalid_grant' }));
      }, tokenDelayMs);
      return;
    }
    res.statusCode = req.headers.authorization === `Bearer ${accepted}` ? 200 : 401;
    res.end(JSON.stringify({ me: res.statusCode === 200 }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
  dir = mkdtempSync(join(tmpdir(), 'weft-refresh-relay-'));
  runtime = new IsolatedRuntime({ ...isolationOptions({}, 2), bundleDir: dir, env: process.env });
  definition = (await runtime.loadFolder(FIXTURE)).definition;
});

afterAll(async () => {
  await runtime.close();
  api.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  accepted = 'tok-live';
  tokenStatus = 200;
  tokenDelayMs = 0;
  tokenCalls = 0;
});

const stale = () => ({ base, access_token: 'tok-stale', refresh_token: 'rt-1' });

describe('the refresh gate across the host boundary', () => {
  test('the host refreshes when the gate opens; the gate gets every value; the server connection follows', async () => {
    const asked: Record<string, unknown>[] = [];
    const stored: Record<string, unknown>[] = [];
    const gate: RefreshGate = async (held, refresh) => {
      asked.push(held);
      stored.push(await refresh());
      return { refreshed: true };
    };
    const connection = stale();
    const result = await runOperation(
      definition,
      { kind: 'action', action: 'me', input: {} },
      { connection, refreshGate: gate },
    );
    expect(result).toMatchObject({ kind: 'output', output: { me: true } });
    expect(tokenCalls).toBe(1);
    expect(asked).toEqual([stale()]);
    expect(stored).toEqual([{ ...stale(), access_token: 'tok-live' }]);
    expect(connection.access_token).toBe('tok-live');
  });

  test('stored values the gate hands back are taken, here and in the host: no refresh', async () => {
    const gate: RefreshGate = async () => ({
      refreshed: false,
      values: { base, access_token: 'tok-live', refresh_token: 'rt-2' },
    });
    const connection: Record<string, unknown> = { ...stale(), dropped: 'x' };
    const result = await runOperation(
      definition,
      { kind: 'action', action: 'me', input: {} },
      { connection, refreshGate: gate },
    );
    expect(result).toMatchObject({ kind: 'output', output: { me: true } });
    expect(tokenCalls).toBe(0);
    expect(connection).toEqual({ base, access_token: 'tok-live', refresh_token: 'rt-2' });
  });

  test('a failed refresh reaches the gate as a failure, and the run fails with the refresh error', async () => {
    tokenStatus = 400;
    let gateSaw: unknown;
    const gate: RefreshGate = async (_held, refresh) => {
      try {
        await refresh();
      } catch (error) {
        gateSaw = error;
        throw error;
      }
      return { refreshed: true };
    };
    await expect(
      runOperation(definition, { kind: 'action', action: 'me', input: {} }, { connection: stale(), refreshGate: gate }),
    ).rejects.toMatchObject({ code: 'REAUTHORIZE' });
    expect(gateSaw).toMatchObject({ code: 'REAUTHORIZE' });
  });

  test('a host stopped during the refresh fails the refresh the gate waits for (its lock goes)', async () => {
    tokenDelayMs = 3000;
    let released: () => void;
    const gateDone = new Promise<void>((resolve) => {
      released = resolve;
    });
    let outcome = 'pending';
    const gate: RefreshGate = async (_held, refresh) => {
      try {
        await refresh();
        outcome = 'refreshed';
      } catch {
        outcome = 'failed';
        throw new Error('rolled back');
      } finally {
        released();
      }
      return { refreshed: true };
    };
    await expect(
      runOperation(
        definition,
        { kind: 'action', action: 'me', input: {} },
        { connection: stale(), refreshGate: gate, timeLimitMs: 500 },
      ),
    ).rejects.toMatchObject({ code: 'CONNECTOR_TIMEOUT' });
    await gateDone;
    expect(outcome).toBe('failed');
  });
});
