/**
 * `weft serve`: the runtime in one process on the embedded store. Connector folders come from
 * the options, else `WEFT_CONNECTORS` (`:`-separated), else the bundled examples (in a checkout);
 * the built-in connectors (`builtins/`, shipped with the package) load too unless turned off.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WeftError } from '@weft/sdk';
import type { FastifyInstance } from 'fastify';
import { attachAgentEndpoint } from './agents/endpoint.js';
import { buildApp } from './api/app.js';
import { hostCheck, hostPolicy } from './api/hosts.js';
import { type ClusterBus, LocalBus } from './cluster/bus.js';
import { ALWAYS_LEADING, type Leadership, NEVER_LEADING } from './cluster/leadership.js';
import { LeaderLease, SCHEDULER_LEASE } from './cluster/lease.js';
import { clusterOptions, type Role } from './cluster/options.js';
import { compose } from './compose.js';
import { Connections } from './connections.js';
import { InProcessRuntime } from './connector-runtime.js';
import { type AdminToken, adminToken, ensureHome, resolveHome } from './home.js';
import { type HomeLock, lockHome } from './home-lock.js';
import { IsolatedRuntime } from './isolation/isolated-runtime.js';
import { isolationOptions } from './isolation/options.js';
import type { Log } from './log.js';
import { setFormulaTimeout } from './recipes/formula-limits.js';
import { Registry } from './registry.js';
import type { ServerContext } from './runtime/context.js';
import { type RuntimeOptions, runtimeOptions } from './runtime/options.js';
import type { KyselyStore } from './store/kysely.js';
import { PostgresStore, safeDatabaseUrl } from './store/postgres.js';
import { SqliteStore } from './store/sqlite.js';
import { resealSubscriptions } from './triggers/stored-subscriptions.js';
import { Vault } from './vault.js';

/** The example connectors of a Weft checkout (`connectors/` at its root). */
export const BUNDLED_CONNECTORS = fileURLToPath(new URL('../../../connectors/', import.meta.url));
/** Installed from npm (below a `node_modules`): there is no checkout around, so no bundled examples. */
const INSTALLED = fileURLToPath(import.meta.url)
  .split(sep)
  .includes('node_modules');
/** The built-in connectors (`http`, `schedule`, `webhook`, `util`): `packages/platform/builtins/`. */
export const BUILTIN_CONNECTORS = fileURLToPath(new URL('../builtins/', import.meta.url));

export interface ServeOptions {
  port?: number;
  host?: string;
  home?: string;
  connectorDirs?: string[];
  env?: NodeJS.ProcessEnv;
  logger?: boolean;
  /** Start-up warnings (key file mode, connections sealed with an unknown key); default: stderr. */
  onWarning?: (message: string) => void;
  /** Overrides of the runtime settings (else from the environment, else defaults). */
  runtime?: Partial<RuntimeOptions>;
  /** `FULL` survives power loss (see docs/running.md); default `NORMAL`, which survives a crash. */
  synchronous?: 'NORMAL' | 'FULL';
  /** The operational log; default: stderr (`info` only with `logger`). */
  log?: Log;
  /** A PostgreSQL URL (`--database`, else `WEFT_DATABASE_URL`); default: the embedded store in the home. */
  database?: string;
  /** The roles this process plays (`--role`; else `WEFT_ROLES`; default all). */
  roles?: readonly Role[] | string;
  /**
   * Run connector code in isolated host processes (default; `WEFT_ISOLATION=off` turns it
   * off for debugging a connector inside the server — never in production).
   */
  isolate?: boolean;
  /**
   * Load the built-in connectors (default; `false`, `--no-builtins` or `WEFT_BUILTINS=off` turns
   * them off). A user folder of the same name replaces a built-in, with a start-up notice.
   */
  builtins?: boolean;
}

export interface RunningServer {
  url: string;
  home: string;
  /** The PostgreSQL database (password hidden), when the server runs on one. */
  database?: string;
  token: AdminToken;
  registry: Registry;
  store: KyselyStore;
  vault: Vault;
  app: FastifyInstance;
  context: ServerContext;
  close(): Promise<void>;
}

/** A positive number of milliseconds from the environment, else undefined (the default). */
/** Where the listen address is reached from elsewhere: a wildcard address becomes the host name. */
function reachableUrl(listening: string): string {
  if (!listening) return '';
  const url = new URL(listening);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = hostname();
  return url.origin;
}

function positiveMs(text: string | undefined): number | undefined {
  const ms = Number(text);
  return text && Number.isInteger(ms) && ms > 0 ? ms : undefined;
}

export function connectorFolders(options: ServeOptions): string[] {
  if (options.connectorDirs?.length) return options.connectorDirs;
  const fromEnv = (options.env ?? process.env).WEFT_CONNECTORS;
  if (fromEnv) return fromEnv.split(':').filter(Boolean);
  return !INSTALLED && existsSync(BUNDLED_CONNECTORS) ? [BUNDLED_CONNECTORS] : [];
}

/**
 * The built-in connectors' directory, unless turned off by the options or `WEFT_BUILTINS=off`
 * (read from `options.env`, else from the process: the test suite turns them off for every
 * server but those that test them, since each built-in starts a connector host).
 */
export function builtinFolders(options: ServeOptions): string[] {
  const fromEnv = (options.env?.WEFT_BUILTINS ?? process.env.WEFT_BUILTINS)?.trim().toLowerCase();
  const on = options.builtins ?? !['off', 'false', '0', 'no'].includes(fromEnv ?? '');
  return on && existsSync(BUILTIN_CONNECTORS) ? [BUILTIN_CONNECTORS] : [];
}

export async function startServer(options: ServeOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const home = options.home ?? resolveHome(env);
  await ensureHome(home);
  // Before anything reads or writes the home: a second server would recover the first one's jobs.
  const lock = lockHome(home);
  try {
    return await startLocked(options, env, home, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function startLocked(
  options: ServeOptions,
  env: NodeJS.ProcessEnv,
  home: string,
  lock: HomeLock,
): Promise<RunningServer> {
  const token = await adminToken(home, env);
  const publicUrl = env.WEFT_PUBLIC_URL?.trim() || undefined;
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(publicUrl)) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `WEFT_PUBLIC_URL must be an absolute http(s) URL such as https://weft.example.com`,
    );
  }
  const internalUrl = env.WEFT_INTERNAL_URL?.trim() || undefined;
  if (internalUrl !== undefined && !/^https?:\/\/[^/\s]+/.test(internalUrl)) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `WEFT_INTERNAL_URL must be an absolute http(s) URL where the other processes of the cluster reach this one, such as http://10.0.0.7:4000`,
    );
  }
  // Checked before anything opens: a bad WEFT_ALLOWED_HOSTS stops the start with its message.
  const hosts = hostPolicy(options.host ?? '127.0.0.1', publicUrl, env.WEFT_ALLOWED_HOSTS);
  const warn = options.onWarning ?? ((message: string) => process.stderr.write(`weft: warning: ${message}\n`));
  // The key first: a bad WEFT_MASTER_KEY stops the start with its own clear message.
  const vault = await Vault.open(home, { env, warn });
  const settings = runtimeOptions(env, options.runtime);
  const cluster = clusterOptions(env, { roles: options.roles });
  setFormulaTimeout(settings.formulaTimeoutMs);
  const synchronous =
    options.synchronous ?? (env.WEFT_SQLITE_SYNCHRONOUS?.toUpperCase() === 'FULL' ? 'FULL' : 'NORMAL');
  const databaseUrl = options.database ?? (env.WEFT_DATABASE_URL?.trim() || undefined);
  const postgres = databaseUrl ? await PostgresStore.open(databaseUrl) : undefined;
  const store = postgres ?? (await SqliteStore.open(join(home, 'weft.db'), { synchronous }));
  let bus: ClusterBus;
  try {
    bus = postgres ? await postgres.openBus() : new LocalBus();
  } catch (error) {
    await store.close();
    throw error;
  }
  const isolate = options.isolate ?? env.WEFT_ISOLATION?.trim().toLowerCase() !== 'off';
  const connectorRuntime = isolate
    ? new IsolatedRuntime({
        ...isolationOptions(env, settings.workers),
        bundleDir: join(home, 'connectors', '.bundles'),
        pidDir: join(home, 'hosts'),
        env,
      })
    : new InProcessRuntime();
  if (!isolate) warn('WEFT_ISOLATION=off: connector code runs inside the server process');
  const registry = new Registry(store, { home, runtime: connectorRuntime });
  try {
    await registry.loadFolders(connectorFolders(options), builtinFolders(options));
    for (const notice of registry.notices) warn(notice);
    // Key rotation: rows sealed with a previous key are re-sealed under the current one. Rows no
    // known key opens stay as they are; they are reported, and the server still starts.
    const { rotated, locked } = await new Connections(store, vault, registry).rotate();
    if (rotated.length) warn(`re-sealed ${rotated.length} connection(s) with master key ${vault.keyId}`);
    await resealSubscriptions(store, vault, warn);
    if (locked.length) {
      warn(
        `${locked.length} connection(s) (${locked.join(', ')}) were sealed with another master key than ${vault.keyId} ` +
          '(from ' +
          vault.source +
          '): they cannot be used until Weft runs with that key. To rotate keys, set ' +
          'WEFT_MASTER_KEY to the new key and WEFT_MASTER_KEY_PREVIOUS to the old one.',
      );
    }
  } catch (error) {
    await connectorRuntime.close();
    await bus.close();
    await store.close();
    throw error;
  }
  const host = options.host ?? '127.0.0.1';
  let listening = '';
  const log: Log =
    options.log ??
    ((level, message, data) => {
      if (level !== 'info' || options.logger) {
        process.stderr.write(`weft: ${level}: ${message}${data ? ` ${JSON.stringify(data)}` : ''}\n`);
      }
    });
  // The leader among the processes with the scheduler role runs the cluster-wide loops; the
  // embedded store's one process always leads.
  const { leaseMs, heartbeatMs } = cluster;
  const leadership: Leadership = !cluster.roles.has('scheduler')
    ? NEVER_LEADING
    : postgres
      ? new LeaderLease(postgres.db, { name: SCHEDULER_LEASE, holder: bus.nodeId, leaseMs, heartbeatMs, log })
      : ALWAYS_LEADING;
  const { context, start } = compose({
    home,
    store,
    bus,
    cluster,
    leadership,
    vault,
    registry,
    options: settings,
    publicUrl: () => publicUrl ?? listening,
    log,
    agentHeartbeatMs: positiveMs(env.WEFT_AGENT_HEARTBEAT_MS),
    internalUrl: () => internalUrl ?? reachableUrl(listening),
  });
  const { runtime } = context;
  const app = buildApp({
    context,
    token: token.token,
    logger: options.logger ?? false,
    hosts,
    metricsToken: env.WEFT_METRICS_TOKEN?.trim() || undefined,
  });
  // Agents dial in with a WebSocket upgrade on the same server (agents/endpoint.ts).
  const detachAgents = attachAgentEndpoint(app.server, {
    agents: context.agents,
    hub: context.agentHub,
    ingress: cluster.roles.has('ingress'),
    log,
    ...(hosts ? { checkHost: hostCheck(hosts) } : {}),
  });
  // Before the server waits for its connections to end: agent sessions would hold it open.
  app.addHook('preClose', async () => {
    detachAgents();
    await context.agentHub.close();
  });
  try {
    await app.listen({ port: options.port ?? 4000, host });
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : options.port;
    listening = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    if (typeof bound === 'number') connectorRuntime.setServerPorts([bound]);
    lock.listening(listening);
    await start();
  } catch (error) {
    await runtime.close().catch(() => {});
    await app.close().catch(() => {});
    await connectorRuntime.close();
    await bus.close();
    await store.close();
    throw error;
  }
  const url = listening;
  return {
    url,
    home,
    database: databaseUrl ? safeDatabaseUrl(databaseUrl) : undefined,
    token,
    registry,
    store,
    vault,
    app,
    context,
    async close() {
      try {
        await app.close();
        await runtime.close();
        await connectorRuntime.close();
        await bus.close();
        await store.close();
      } finally {
        lock.release();
      }
    },
  };
}
