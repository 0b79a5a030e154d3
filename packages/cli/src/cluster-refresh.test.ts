/**
 * Token refresh once per connection, cluster-wide: three real `weft serve` processes on one
 * PostgreSQL, an OAuth2 API on 127.0.0.1 whose access token stops working (and whose refresh
 * tokens rotate: a second refresh with the old one is refused), and 50 concurrent action runs
 * spread over the three. Each process holds the stale token in its cached connection; the
 * refresh gate lets one of them refresh and the others take the stored token.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../../platform/src/store/postgres.js';
import { Vault } from '../../platform/src/vault.js';
import { CLUSTER_TOKEN, type ClusterNode, startCluster, type TestCluster } from './cluster-harness.js';
import { startServer, type TestServer } from './test-helpers.js';

const CONNECTORS = fileURLToPath(new URL('./__fixtures__/refresh', import.meta.url));
const CALLS = 50;

let cluster: TestCluster;
let api: TestServer;
let nodes: ClusterNode[] = [];

/** The API's state: the one access token it accepts, the one refresh token it takes. */
let accepted: string | undefined = 'tok-expired-0000';
let refreshToken = 'rt-first-1111';
let tokenCalls = 0;
let issued = 0;

beforeAll(async () => {
  api = await startServer((req, res, body) => {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.url === '/token') {
      tokenCalls++;
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'refresh_token' || form.get('refresh_token') !== refreshToken) {
        return send(400, { error: 'invalid_grant' });
      }
      issued++;
      // Slow enough that the other processes' requests fail while it runs.
      setTimeout(() => {
        accepted = `tok-fresh-${issued}`;
        refreshToken = `rt-next-${issued}`;
        send(200, { access_token: accepted, refresh_token: refreshToken, token_type: 'Bearer', expires_in: 3600 });
      }, 300);
      return;
    }
    if (req.url === '/me') {
      if (accepted && req.headers.authorization === `Bearer ${accepted}`) return send(200, { me: 'ok' });
      return send(401, { error: 'invalid_token' });
    }
    send(404, {});
  });
  cluster = await startCluster();
  nodes = await Promise.all([1, 2, 3].map(() => cluster.node({ roles: 'api', connectors: [CONNECTORS] })));
}, 180_000);

afterAll(async () => {
  await cluster?.close();
  await api?.close();
});

const run = (node: ClusterNode) =>
  cluster.call(node.url, 'POST', '/api/connectors/tokens/run', { connection: 'tokens', action: 'whoami', input: {} });

it('50 concurrent calls over three processes with a rejected token: one refresh, all succeed, the new token stored', async () => {
  await cluster.call(nodes[0].url, 'POST', '/api/connections', {
    name: 'tokens',
    connector: 'tokens',
    values: { base: api.url, access_token: 'tok-expired-0000', refresh_token: 'rt-first-1111' },
  });
  // Every process caches the connection (with the token that still works).
  for (const node of nodes) expect((await run(node)).output).toEqual({ me: 'ok' });

  accepted = undefined; // the token is revoked: only a refresh makes a new one work
  const results = await Promise.allSettled(Array.from({ length: CALLS }, (_, i) => run(nodes[i % nodes.length])));
  const failed = results.filter((r) => r.status === 'rejected');
  expect(failed.map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
  for (const r of results) expect((r as PromiseFulfilledResult<any>).value.output).toEqual({ me: 'ok' });
  expect(tokenCalls).toBe(1);

  const store = await PostgresStore.open(cluster.database.url, { poolSize: 1 });
  try {
    const vault = new Vault(Buffer.from(cluster.env.WEFT_MASTER_KEY, 'hex'));
    const stored = vault.open('tokens', (await store.getConnection('tokens'))!);
    expect(stored).toMatchObject({ base: api.url, access_token: 'tok-fresh-1', refresh_token: 'rt-next-1' });
    expect(Date.parse(stored.expires_at as string)).toBeGreaterThan(Date.now());
  } finally {
    await store.close();
  }

  // Each process counted only the refresh it stored: one in all.
  let refreshes = 0;
  for (const node of nodes) {
    const res = await fetch(`${node.url}/metrics`, { headers: { authorization: `Bearer ${CLUSTER_TOKEN}` } });
    const match = /^weft_token_refreshes_total (\d+)$/m.exec(await res.text());
    refreshes += Number(match?.[1] ?? Number.NaN);
  }
  expect(refreshes).toBe(1);
}, 120_000);
