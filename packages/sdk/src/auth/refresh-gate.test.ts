/**
 * The refresh gate's contract (RunOptions.refreshGate), against a real server on 127.0.0.1:
 * the refresh runs inside the gate once per in-process flight, values stored by "another
 * process" are taken without refreshing, and failures pass through unchanged. The gate here is
 * an in-memory stand-in for the platform's database lock: a queue and a stored copy.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defineConnector } from '../define.js';
import { isWeftError, type WeftError } from '../errors.js';
import { execute } from '../execute/executor.js';
import { json, startServer, type TestServer } from '../http/__fixtures__/server.js';
import { closeHttp } from '../http/index.js';
import type { HttpExchangeLog } from '../http/types.js';
import type { ConnectorDefinition } from '../types.js';
import type { RefreshGate } from './refresh.js';

let server: TestServer;
/** The token the API accepts now; each token request hands out a new one and makes it the valid one. */
let valid = 'tok-valid-0001';
let issued = 0;
let tokenHits = 0;
let tokenStatus = 200;
let dataHits = 0;

beforeAll(async () => {
  server = await startServer();
  server.on('/token', async (_req, res) => {
    tokenHits++;
    await new Promise((r) => setTimeout(r, 30));
    if (tokenStatus !== 200) return json(res, tokenStatus, { error: 'invalid_grant' });
    valid = `tok-fresh-${String(++issued).padStart(4, '0')}`;
    json(res, 200, { access_token: valid, expires_in: 3600 });
  });
  server.on('/data', (req, res) => {
    dataHits++;
    if (req.headers.authorization !== `Bearer ${valid}`) return json(res, 401, { error: 'expired token' });
    json(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await server.close();
  await closeHttp();
});
beforeEach(() => {
  valid = 'tok-valid-0001';
  issued = 0;
  tokenHits = 0;
  tokenStatus = 200;
  dataHits = 0;
});

const connector: ConnectorDefinition = defineConnector({
  title: 'Gated',
  connection: {
    fields: [{ name: 'base' }],
    authorization: {
      type: 'custom_auth',
      refresh: async (ctx) => ctx.post(`${ctx.connection.base}/token`, { refresh_token: ctx.refreshToken }),
      apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.access_token}` }),
    },
    baseUri: (ctx) => ctx.connection.base,
  },
  actions: {
    many: {
      inputFields: [{ name: 'n', type: 'integer' }],
      execute: async (ctx) => Promise.all(Array.from({ length: ctx.input.n }, () => ctx.get('data'))),
    },
  },
});

/** A connection's values: the executor stores refreshed tokens into this object. */
type Values = { base: string; access_token: string; refresh_token: string; [name: string]: unknown };
const values = (extra: Record<string, unknown> = {}): Values => ({
  base: server.url,
  access_token: 'tok-stale-0000',
  refresh_token: 'rt-secret-9876',
  ...extra,
});

/** The stored connection shared by "processes", and a gate that serialises on it. */
function sharedStore(initial: Record<string, unknown>) {
  const store = { values: structuredClone(initial), asked: [] as Record<string, unknown>[], refreshed: 0 };
  let queue: Promise<unknown> = Promise.resolve();
  const gate: RefreshGate = (held, refresh) => {
    store.asked.push(held);
    const turn = queue.then(async () => {
      if (JSON.stringify(held) !== JSON.stringify(store.values)) {
        return { refreshed: false as const, values: structuredClone(store.values) };
      }
      const next = await refresh();
      store.values = structuredClone(next);
      store.refreshed++;
      return { refreshed: true as const };
    });
    queue = turn.catch(() => {});
    return turn;
  };
  return { store, gate };
}

async function failure(promise: Promise<unknown>): Promise<WeftError> {
  try {
    await promise;
  } catch (error) {
    if (isWeftError(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('refreshGate', () => {
  it('asks the gate once per flight with the held values; the refresh runs inside it and is stored there', async () => {
    const { store, gate } = sharedStore(values());
    const conn = values();
    const updates: Record<string, unknown>[] = [];
    const result = await execute(connector, 'actions.many.execute', {
      connection: conn,
      input: { n: 20 },
      refreshGate: gate,
      onConnectionUpdate: (v) => void updates.push(v),
    });
    expect(result.kind).toBe('output');
    expect(tokenHits).toBe(1);
    expect(store.asked).toEqual([values()]);
    // The gate stores every value of the connection, not only what the refresh returned.
    expect(store.values).toEqual({ ...values(), access_token: 'tok-fresh-0001', expires_at: conn.expires_at });
    expect(conn.access_token).toBe('tok-fresh-0001');
    expect(updates).toEqual([{ access_token: 'tok-fresh-0001', expires_at: conn.expires_at }]);
  });

  it('takes values another process stored instead of refreshing: no token request', async () => {
    const { store, gate } = sharedStore(values());
    store.values = values({ access_token: 'tok-valid-0001', note: 'from elsewhere' });
    const conn = values({ old: 'gone after' });
    const exchanges: HttpExchangeLog[] = [];
    const updates: unknown[] = [];
    const result = await execute(connector, 'actions.many.execute', {
      connection: conn,
      input: { n: 5 },
      refreshGate: gate,
      onExchange: (log) => exchanges.push(log),
      onConnectionUpdate: (v) => void updates.push(v),
    });
    expect(result).toMatchObject({ kind: 'output', output: Array(5).fill({ ok: true }) });
    expect(tokenHits).toBe(0);
    expect(store.refreshed).toBe(0);
    expect(conn).toEqual(store.values); // replaced, not merged: `old` is gone
    expect(updates).toEqual([]); // nothing new to store
    expect(JSON.stringify(exchanges)).not.toContain('tok-valid-0001'); // taken values are secrets too
  });

  it('refreshes once for several "processes" (separate value copies) sharing one gate', async () => {
    const { store, gate } = sharedStore(values());
    const copies = Array.from({ length: 4 }, () => values());
    const runs = await Promise.all(
      copies.map((conn) =>
        execute(connector, 'actions.many.execute', { connection: conn, input: { n: 5 }, refreshGate: gate }),
      ),
    );
    expect(runs.every((r) => r.kind === 'output')).toBe(true);
    expect(tokenHits).toBe(1);
    expect(store.asked).toHaveLength(4);
    for (const conn of copies) expect(conn.access_token).toBe('tok-fresh-0001');
  });

  it('takes newer stored values before a proactive refresh too', async () => {
    const now = new Date('2026-03-01T12:00:00Z');
    const soon = new Date(now.getTime() + 10_000).toISOString();
    const later = new Date(now.getTime() + 3600_000).toISOString();
    const { store, gate } = sharedStore(values());
    store.values = values({ access_token: 'tok-valid-0001', expires_at: later });
    const conn = values({ expires_at: soon });
    await execute(connector, 'actions.many.execute', {
      connection: conn,
      input: { n: 3 },
      refreshGate: gate,
      now: () => now,
    });
    expect(tokenHits).toBe(0);
    expect(dataHits).toBe(3);
    expect(conn.expires_at).toBe(later);
  });

  it('passes a failed refresh through the gate unchanged (REAUTHORIZE), and a failing gate fails the run', async () => {
    tokenStatus = 400;
    const { store, gate } = sharedStore(values());
    const refused = await failure(
      execute(connector, 'actions.many.execute', { connection: values(), input: { n: 3 }, refreshGate: gate }),
    );
    expect(refused.code).toBe('REAUTHORIZE');
    expect(store.values).toEqual(values()); // nothing stored
    expect(tokenHits).toBe(1);

    const locked: RefreshGate = async () => {
      throw Object.assign(new Error('lock wait timeout'), { code: 'LOCKED' });
    };
    await expect(
      execute(connector, 'actions.many.execute', { connection: values(), input: { n: 1 }, refreshGate: locked }),
    ).rejects.toThrow('lock wait timeout');
    expect(tokenHits).toBe(1);
  });
});
