/**
 * What the API routes receive: the services the composition root (compose.ts) built, every one
 * of them in place before the first request. Nothing is set later and nothing is looked up by
 * name; the runtime's own parts take narrow dependencies instead of this object.
 */
import type { AgentHub } from '../agents/hub.js';
import type { Agents } from '../agents/service.js';
import type { ClusterBus } from '../cluster/bus.js';
import type { Changes } from '../cluster/changes.js';
import type { ClusterOptions } from '../cluster/options.js';
import type { Connections } from '../connections.js';
import type { JobSystem } from '../jobs/workers.js';
import type { Log } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { Recipes } from '../recipes/service.js';
import type { Registry } from '../registry.js';
import type { Store } from '../store/store.js';
import type { DeliveryDeps } from '../triggers/delivery.js';
import type { Scheduler } from '../triggers/scheduler.js';
import type { WebhookRecipes } from '../triggers/webhook-recipes.js';
import type { Vault } from '../vault.js';
import type { RuntimeOptions } from './options.js';
import type { Runtime } from './runtime.js';

export interface ServerContext {
  readonly home: string;
  readonly store: Store;
  /** Messages between the processes sharing the database (none on the embedded store). */
  readonly bus: ClusterBus;
  /** This process's roles and lease timings. */
  readonly cluster: ClusterOptions;
  /** Changes the other processes of the cluster must follow (cluster/changes.ts). */
  readonly changes: Changes;
  readonly vault: Vault;
  readonly registry: Registry;
  readonly connections: Connections;
  readonly recipes: Recipes;
  readonly runtime: Runtime;
  readonly options: RuntimeOptions;
  /** The server's absolute base URL (`WEFT_PUBLIC_URL`, else where it listens). */
  readonly publicUrl: () => string;
  /** The job queue, engine, workers and retention, and the polling scheduler. */
  readonly jobs: JobSystem & { readonly scheduler: Scheduler };
  /** The webhook ingress's running recipes and what delivers a request to one of them. */
  readonly webhooks: { readonly recipes: WebhookRecipes; readonly delivery: DeliveryDeps };
  /** Operational messages (the server log); never secrets. */
  readonly log: Log;
  /** On-premises agents: the registered ones, and the sessions open on this process. */
  readonly agents: Agents;
  readonly agentHub: AgentHub;
  /** The server's metrics (`GET /metrics`). */
  readonly metrics: Metrics;
}
