/**
 * How a process follows the changes the other processes of the cluster make (changes.ts),
 * without redoing their side effects: a recipe another process started joins this process's
 * parts (`Runtime.followRecipe`: the ingress takes the stored webhook subscription, the leader
 * polls), one it stopped leaves them (`unfollowRecipe`: nothing is unsubscribed here), a changed
 * or deleted recipe is forgotten by the workers, a pushed connector version is loaded from the
 * store, a changed connection's cached values are dropped. Changes are applied one at a time,
 * in the order heard. When the bus was lost (messages may have been missed), everything is
 * read again from the store (`reconcile`).
 */
import { messageOf } from '@weft/sdk';
import type { Connections } from '../connections.js';
import type { Log } from '../log.js';
import type { Registry } from '../registry.js';
import type { Runtime } from '../runtime/runtime.js';
import type { RecipeRecord, Store } from '../store/store.js';
import type { Change, Changes } from './changes.js';

export interface FollowerDeps {
  changes: Pick<Changes, 'onChange' | 'onResync'>;
  store: Pick<Store, 'getRecipe' | 'listRecipes'>;
  runtime: Pick<Runtime, 'followRecipe' | 'unfollowRecipe' | 'recipeChanged' | 'running'>;
  registry: Pick<Registry, 'follow' | 'followAll'>;
  connections: Pick<Connections, 'forget' | 'forgetAll'>;
  /** Reads a recipe's webhook subscription again (another process refreshed it). */
  reloadSubscription(recipeId: string): Promise<void>;
  log: Log;
}

export class Follower {
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly deps: FollowerDeps) {}

  /** Starts listening (call once the recipes that were running are resumed). */
  listen(): void {
    this.deps.changes.onChange((change) => this.enqueue(() => this.apply(change), `${change.kind} ${change.id}`));
    this.deps.changes.onResync(() => this.enqueue(() => this.reconcile(), 'resync'));
  }

  /** Resolves when every change heard so far has been applied (tests). */
  settled(): Promise<void> {
    return this.queue;
  }

  /** Stops applying changes; waits for the one under way. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
  }

  private enqueue(task: () => Promise<void>, what: string): void {
    this.queue = this.queue.then(async () => {
      if (this.closed) return;
      try {
        await task();
      } catch (error) {
        this.deps.log('warn', `Following a change of another process failed (${what})`, { error: messageOf(error) });
      }
    });
  }

  private async apply(change: Change): Promise<void> {
    const { runtime, registry, connections } = this.deps;
    switch (change.kind) {
      case 'recipe.started':
      case 'recipe.stopped':
        return this.followRecipe(change.id);
      case 'recipe.changed':
      case 'recipe.deleted':
        runtime.recipeChanged(change.id);
        return;
      case 'recipe.refreshed':
        return this.deps.reloadSubscription(change.id);
      case 'connector.pushed':
        return registry.follow(change.id);
      case 'connection.changed':
      case 'connection.deleted':
        connections.forget(change.id);
        return;
    }
  }

  /** Brings one recipe here in line with its stored status. */
  private async followRecipe(id: string): Promise<void> {
    const record = await this.deps.store.getRecipe(id);
    await this.align(id, record);
  }

  private async align(id: string, record: RecipeRecord | undefined): Promise<void> {
    const { runtime } = this.deps;
    const here = runtime.running().has(id);
    if (record?.status === 'running' && !here) await runtime.followRecipe(record);
    else if (record?.status !== 'running' && here && record) await runtime.unfollowRecipe(record);
  }

  /** Reads the running recipes, the pushed connectors and the connections afresh. */
  async reconcile(): Promise<void> {
    const { store, runtime, registry, connections } = this.deps;
    connections.forgetAll();
    await registry.followAll();
    const running = new Set<string>();
    let cursor: string | null | undefined;
    do {
      const page = await store.listRecipes({ limit: 1000, cursor, status: 'running' });
      for (const record of page.items) {
        running.add(record.id);
        await this.align(record.id, record);
      }
      cursor = page.nextCursor;
    } while (cursor);
    for (const id of [...runtime.running()]) {
      if (running.has(id)) continue;
      const record = await store.getRecipe(id);
      if (record) await this.align(id, record);
      runtime.recipeChanged(id);
    }
  }
}
