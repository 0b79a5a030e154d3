/**
 * The running recipes that receive webhooks, in memory: what the ingress looks up on every
 * request (so a request never reads the recipe from the store), kept by the `webhooks`
 * lifecycle part (subscriptions.ts) as recipes start, stop and resume.
 *
 * A recipe is `starting` while its subscription is being registered: requests already reach
 * it then (applications often send a verification handshake during the registration), but its
 * events wait until the start has finished, and are refused if the start fails.
 */
import type { ConnectorDefinition, TriggerDefinition } from '@weft/sdk';
import type { Registry } from '../registry.js';
import type { RecipeRecord } from '../store/store.js';

export interface WebhookRecipe {
  id: string;
  name: string;
  /** The URL secret, for a constant-time comparison. */
  secret: Buffer;
  connector: string;
  triggerName: string;
  /** The connector at the version the recipe pinned. */
  definition: ConnectorDefinition;
  trigger: TriggerDefinition;
  /** The connection's name; undefined for connectors without a connection. */
  connection?: string;
  input: Record<string, unknown>;
  /** The recipe's absolute webhook URL (`ctx.webhookUrl`). */
  webhookUrl: string;
  /** Static webhooks: the key its trigger's `webhookKey` computed when it started. */
  key?: string;
  /** Dynamic webhooks: what `webhookSubscribe` (or the last `webhookRefresh`) returned. */
  subscription?: unknown;
  state: 'starting' | 'running';
  /** Settles when the start has finished: true when the recipe runs, false when it did not start. */
  ready: Promise<boolean>;
}

interface Entry {
  recipe: WebhookRecipe;
  settle: (ok: boolean) => void;
}

/** True when the recipe's trigger receives webhooks (`webhookNotification`). */
export function isWebhookTrigger(trigger: TriggerDefinition | undefined): trigger is TriggerDefinition {
  return typeof trigger?.webhookNotification === 'function';
}

/** Static routing applies when the connector computes request keys and the trigger a recipe key. */
export function isStaticTrigger(definition: ConnectorDefinition, trigger: TriggerDefinition): boolean {
  return typeof definition.webhookKeys === 'function' && typeof trigger.webhookKey === 'function';
}

/** What describing a recipe's webhook reads: the connectors and the server's public URL. */
export interface RecipeDescriptionDeps {
  registry: Pick<Registry, 'get' | 'definitionAt'>;
  publicUrl: () => string;
}

/** A recipe's own webhook URL: the same as `Recipes.view` shows. */
export function recipeWebhookUrl(
  context: Pick<RecipeDescriptionDeps, 'publicUrl'>,
  recipe: Pick<RecipeRecord, 'id' | 'webhookSecret'>,
): string {
  const base = context.publicUrl().replace(/\/+$/, '');
  return `${base}/webhooks/recipes/${encodeURIComponent(recipe.id)}/${recipe.webhookSecret}`;
}

/**
 * What the ingress needs of a recipe, or undefined when its trigger receives no webhooks. The
 * connector is the version the recipe pinned.
 */
export async function describeWebhookRecipe(
  context: RecipeDescriptionDeps,
  record: RecipeRecord,
): Promise<Omit<WebhookRecipe, 'state' | 'ready'> | undefined> {
  const recipe = record.definition;
  const name = recipe.trigger.connector;
  const version = record.connectorVersions[name];
  const definition =
    version === undefined ? context.registry.get(name)?.definition : await context.registry.definitionAt(name, version);
  const trigger = definition?.triggers?.[recipe.trigger.trigger];
  if (!definition || !isWebhookTrigger(trigger)) return undefined;
  return {
    id: record.id,
    name: record.name,
    secret: Buffer.from(record.webhookSecret),
    connector: name,
    triggerName: recipe.trigger.trigger,
    definition,
    trigger,
    connection: recipe.trigger.connection,
    input: recipe.trigger.input ?? {},
    webhookUrl: recipeWebhookUrl(context, record),
  };
}

export class WebhookRecipes {
  private readonly byId = new Map<string, Entry>();
  /** connector → key → recipes listening for it. */
  private readonly byKey = new Map<string, Map<string, Set<WebhookRecipe>>>();

  /** Adds a recipe as `starting`; a recipe already present is replaced. */
  add(recipe: Omit<WebhookRecipe, 'state' | 'ready'>): WebhookRecipe {
    this.remove(recipe.id);
    let settle!: (ok: boolean) => void;
    const ready = new Promise<boolean>((resolve) => {
      settle = resolve;
    });
    const entry: Entry = { recipe: { ...recipe, state: 'starting', ready }, settle };
    this.byId.set(recipe.id, entry);
    return entry.recipe;
  }

  /** The recipe has started: its events are accepted, and static requests with its key reach it. */
  running(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    entry.recipe.state = 'running';
    const { key, connector } = entry.recipe;
    if (key !== undefined) {
      let keys = this.byKey.get(connector);
      if (!keys) {
        keys = new Map();
        this.byKey.set(connector, keys);
      }
      let set = keys.get(key);
      if (!set) {
        set = new Set();
        keys.set(key, set);
      }
      set.add(entry.recipe);
    }
    entry.settle(true);
  }

  remove(id: string): WebhookRecipe | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    this.byId.delete(id);
    const { key, connector } = entry.recipe;
    if (key !== undefined) {
      const keys = this.byKey.get(connector);
      const set = keys?.get(key);
      set?.delete(entry.recipe);
      if (set && set.size === 0) keys!.delete(key);
      if (keys && keys.size === 0) this.byKey.delete(connector);
    }
    entry.settle(false);
    return entry.recipe;
  }

  get(id: string): WebhookRecipe | undefined {
    return this.byId.get(id)?.recipe;
  }

  /** Running recipes of `connector` whose key is `key`, oldest first. */
  matching(connector: string, key: string): WebhookRecipe[] {
    const set = this.byKey.get(connector)?.get(key);
    return set ? [...set].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) : [];
  }

  clear(): void {
    for (const id of [...this.byId.keys()]) this.remove(id);
  }
}
