/**
 * The composition root: every service of a server is built here, once, with its dependencies
 * passed in — nothing is looked up later, no field is set after the fact, and no module keeps
 * per-server state. `start` opens the runtime once the server listens (its URL is known).
 */
import { AgentDispatcher } from './agents/dispatcher.js';
import { AgentHub } from './agents/hub.js';
import { DEFAULT_HEARTBEAT_MS } from './agents/protocol.js';
import { AgentRelay } from './agents/relay.js';
import { RelayCredential } from './agents/relay-auth.js';
import { Agents } from './agents/service.js';
import type { ClusterBus } from './cluster/bus.js';
import { Changes } from './cluster/changes.js';
import { Follower } from './cluster/follower.js';
import { ALWAYS_LEADING, type Leadership } from './cluster/leadership.js';
import type { ClusterOptions } from './cluster/options.js';
import { Connections } from './connections.js';
import { createJobSystem } from './jobs/workers.js';
import type { Log } from './log.js';
import { Metrics } from './metrics.js';
import { Recipes } from './recipes/service.js';
import type { Registry } from './registry.js';
import type { ServerContext } from './runtime/context.js';
import type { RuntimeOptions } from './runtime/options.js';
import { Runtime } from './runtime/runtime.js';
import type { Store } from './store/store.js';
import { GroupCommit } from './triggers/commit.js';
import { Scheduler } from './triggers/scheduler.js';
import { StoredSubscriptions } from './triggers/stored-subscriptions.js';
import { webhookLifecycle } from './triggers/subscriptions.js';
import { WebhookRecipes } from './triggers/webhook-recipes.js';
import type { Vault } from './vault.js';
import { warmHosts } from './warm-hosts.js';

export interface Foundations {
  home: string;
  store: Store;
  /** Messages between the processes sharing the database (none on the embedded store). */
  bus: ClusterBus;
  /** This process's roles and lease timings. */
  cluster: ClusterOptions;
  /** Whether this process runs the cluster-wide loops (default: always, the embedded store). */
  leadership?: Leadership;
  vault: Vault;
  registry: Registry;
  options: RuntimeOptions;
  publicUrl: () => string;
  log: Log;
  /** How often agent sessions are pinged (default 10 s; tests shorten it). */
  agentHeartbeatMs?: number;
  /**
   * Where the other processes of a cluster reach this one (`WEFT_INTERNAL_URL`, else where it
   * listens): they relay requests for the agents it holds there.
   */
  internalUrl?: () => string;
}

export interface Composed {
  context: ServerContext;
  /**
   * Starts the runtime's parts: the webhook subscriptions, the job queue and its workers
   * (recovering jobs a crash interrupted), the polling scheduler and the retention sweep, then
   * resumes the recipes that were running.
   */
  start(): Promise<void>;
}

export function compose(base: Foundations): Composed {
  const { store, registry, options, publicUrl, log } = base;
  const runtime = new Runtime();
  const metrics = new Metrics();
  const changes = new Changes(base.bus, log);
  const leadership = base.leadership ?? ALWAYS_LEADING;
  const agentHeartbeatMs = base.agentHeartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  // In a cluster, a group's requests go to a process holding one of its agents when this one
  // holds none, trusted with a key derived from the master key every process shares.
  const { nodeId } = base.bus;
  const agentCluster = base.bus.shared
    ? {
        nodeId,
        url: base.internalUrl ?? publicUrl,
        relay: new AgentRelay({
          store,
          nodeId,
          credential: new RelayCredential(base.vault.derive('agent-relay')),
          heartbeatMs: agentHeartbeatMs,
          log,
        }),
      }
    : undefined;
  const agentHub = new AgentHub(store, log, agentHeartbeatMs, agentCluster);
  // One dispatcher per agent group, shared by every run of its connections.
  const tunnels = new Map<string, AgentDispatcher>();
  const tunnel = (group: string) => {
    const known = tunnels.get(group);
    if (known) return known;
    const dispatcher = new AgentDispatcher(agentHub, group);
    tunnels.set(group, dispatcher);
    return dispatcher;
  };
  const connections = new Connections(
    store,
    base.vault,
    registry,
    () => metrics.connectionRefreshed(),
    (name, deleted) => void changes.publish(deleted ? 'connection.deleted' : 'connection.changed', name),
    tunnel,
  );
  const recipes = new Recipes({ store, registry, publicUrl, runtime, connections, changes });
  const jobs = createJobSystem({
    store,
    bus: base.bus,
    cluster: base.cluster,
    registry,
    connections,
    runtime,
    options,
    publicUrl,
    log,
    onJobFinished: (status, seconds) => metrics.jobFinished(status, seconds),
    leadership,
  });
  metrics.watchQueue(() => jobs.queue.stats());
  const scheduler = new Scheduler({
    store,
    registry,
    connections,
    runtime,
    log,
    onPollError: () => metrics.pollFailed(),
    leadership,
  });
  const webhookRecipes = new WebhookRecipes();
  const subscriptions = webhookLifecycle({
    subscriptions: new StoredSubscriptions(store, base.vault),
    registry,
    connections,
    publicUrl,
    recipes: webhookRecipes,
    log,
    leadership,
    onRefreshed: (id) => void changes.publish('recipe.refreshed', id),
  });
  // Other processes' changes, followed here (none on the embedded store).
  const follower = base.bus.shared
    ? new Follower({
        changes,
        store,
        runtime,
        registry,
        connections,
        reloadSubscription: (id) => subscriptions.reload(id),
        log,
      })
    : undefined;
  const commits = new GroupCommit({ store, runtime, log });
  const agents = new Agents(store, agentHub);
  const context: ServerContext = {
    ...base,
    changes,
    connections,
    recipes,
    runtime,
    metrics,
    agents,
    agentHub,
    jobs: { ...jobs, scheduler },
    webhooks: { recipes: webhookRecipes, delivery: { connections, commits, log } },
  };

  async function start(): Promise<void> {
    // The order is the order of a recipe's start (and the reverse of its stop): the ingress
    // and subscriptions first, then the workers, then polling.
    const { roles } = base.cluster;
    // Closed last: the lease is released once the loops it guards have stopped.
    runtime.use({ name: 'leadership', close: async () => leadership.close?.() });
    runtime.use({ name: 'agents', close: () => agentHub.close() });
    if (follower) runtime.use({ name: 'follower', close: () => follower.close() });
    runtime.use(warmHosts(registry, log));
    runtime.use(subscriptions);
    if (roles.has('worker')) runtime.use(jobs.workers);
    if (roles.has('scheduler')) runtime.use(scheduler);
    runtime.use(jobs.retention);
    // The queue starts here, recovering the jobs a stop or crash left (on a worker only).
    if (roles.has('worker')) await jobs.workers.open();
    jobs.retention.open();
    // Listening before the running recipes are read: a start made meanwhile is not missed.
    follower?.listen();
    let cursor: string | null | undefined;
    do {
      const page = await store.listRecipes({ limit: 1000, cursor, status: 'running' });
      for (const recipe of page.items) {
        try {
          await runtime.resumeRecipe(recipe);
        } catch (error) {
          log('error', `Recipe "${recipe.name}" could not be resumed`, {
            recipeId: recipe.id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    // The leader (if this process becomes it) polls the recipes resumed above.
    await leadership.open?.();
  }

  return { context, start };
}
