/**
 * What the runtime's parts and the API routes share: one object built by `startServer`.
 */
import type { Connections } from '../connections.js';
import type { JobSystem } from '../jobs/workers.js';
import type { Recipes } from '../recipes/service.js';
import type { Registry } from '../registry.js';
import type { Store } from '../store/store.js';
import type { Vault } from '../vault.js';
import type { RuntimeOptions } from './options.js';
import type { Runtime } from './runtime.js';

export interface ServerContext {
  home: string;
  store: Store;
  vault: Vault;
  registry: Registry;
  connections: Connections;
  recipes: Recipes;
  runtime: Runtime;
  options: RuntimeOptions;
  /** The server's absolute base URL (`WEFT_PUBLIC_URL`, else where it listens). */
  publicUrl: () => string;
  /** The job queue, engine, scheduler and retention (set by `startRuntime`). */
  jobs?: JobSystem;
  /** Operational messages (the server log); never secrets. */
  log: (level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>) => void;
}
