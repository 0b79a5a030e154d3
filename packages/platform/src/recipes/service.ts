/**
 * Recipes through the API: validated whole before anything is written, pinned to the
 * connector versions loaded when saved, started and stopped.
 */

import type { RecipeMeta } from '@weft/sdk/model';
import type { Changes } from '../cluster/changes.js';
import type { Connections } from '../connections.js';
import { ConflictError, type DomainError, InvalidError, NotFoundError } from '../errors.js';
import { newSecret } from '../ids.js';
import { invalid, objectBody } from '../input.js';
import { checkName } from '../names.js';
import type { Registry } from '../registry.js';
import type { Runtime } from '../runtime/runtime.js';
import type { Page, PageRequest, PollError, RecipeRecord, RecipeStatus, Store } from '../store/store.js';
import type { RecipeWarning } from './datapill-check.js';
import { OutputFieldResolver } from './output-fields.js';
import type { Recipe } from './types.js';
import { connectionsOf, connectorsOf, type Problem, type RecipeContext, validateRecipe } from './validate.js';

/** A recipe through the API: the recipe and what the server keeps with it (`@weft/sdk/model`). */
export interface RecipeView extends Recipe, RecipeMeta {
  /** Polling triggers (one recipe's `GET` only): why the last poll failed, until a poll succeeds. */
  lastPollError?: PollError;
}

export interface RecipeServiceOptions {
  store: Store;
  registry: Registry;
  /** The server's absolute base URL, e.g. `https://weft.example.com` (known once listening). */
  publicUrl: () => string;
  /** Scheduler and webhook subscriptions follow start and stop through it. */
  runtime: Runtime;
  /** To resolve output fields given as functions when a recipe is saved (else left unchecked). */
  connections?: Connections;
  /** Tells the other processes of the cluster (they follow: cluster/follower.ts). */
  changes?: Pick<Changes, 'publish'>;
}

/** What saving a recipe answers: the recipe, and the datapills that could not be checked. */
export interface SavedRecipeView extends RecipeView {
  warnings: RecipeWarning[];
}

function problemError(problems: Problem[], code = 'INVALID_REQUEST'): DomainError {
  const [first, ...rest] = problems;
  const head = first.path ? `${first.path}: ${first.message}` : first.message;
  const more = rest.length
    ? `\n${rest.length} more problem${rest.length > 1 ? 's' : ''}:\n${rest.map((p) => `  - ${p.path || '(recipe)'}: ${p.message}`).join('\n')}`
    : '';
  return new InvalidError(code, `${head}${more}`, first.path || undefined);
}

export class Recipes {
  constructor(private readonly options: RecipeServiceOptions) {}

  private get store(): Store {
    return this.options.store;
  }

  /** What validation looks up; connections are read once per validation. */
  private async context(body?: unknown): Promise<RecipeContext> {
    const connections = new Map<string, { connector: string }>();
    let cursor: string | null | undefined;
    do {
      const page = await this.store.listConnections({ limit: 1000, cursor });
      for (const c of page.items) connections.set(c.name, { connector: c.connector });
      cursor = page.nextCursor;
    } while (cursor);
    const resolved =
      body !== undefined && this.options.connections
        ? await new OutputFieldResolver(this.options.registry, this.options.connections).resolve(body)
        : undefined;
    return {
      connector: (name) => this.options.registry.get(name)?.definition,
      connection: (name) => connections.get(name),
      outputFields: (path) => resolved?.get(path),
    };
  }

  /** Validates a recipe to save, resolving output fields given as functions to check its datapills. */
  private async validate(body: unknown): Promise<{ recipe: Recipe; warnings: RecipeWarning[] }> {
    const json = objectBody(body);
    if (typeof json.name === 'string') checkName(json.name, 'label');
    const result = validateRecipe(json, await this.context(json));
    if (!result.ok) throw problemError(result.problems);
    return result;
  }

  private pins(recipe: Recipe): Record<string, number> {
    const pins: Record<string, number> = {};
    for (const name of connectorsOf(recipe)) pins[name] = this.options.registry.get(name)!.version.version;
    return pins;
  }

  view(record: RecipeRecord): RecipeView {
    const recipe = record.definition;
    const view: RecipeView = {
      id: record.id,
      name: record.name,
      status: record.status,
      trigger: recipe.trigger,
      steps: recipe.steps,
      onError: recipe.onError,
      concurrency: recipe.concurrency,
      connectorVersions: record.connectorVersions,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    const connector = this.options.registry.get(recipe.trigger.connector)?.definition;
    const trigger = connector?.triggers?.[recipe.trigger.trigger];
    if (trigger && typeof trigger.webhookNotification === 'function') {
      const base = this.options.publicUrl().replace(/\/+$/, '');
      view.webhookUrl = `${base}/webhooks/recipes/${encodeURIComponent(record.id)}/${record.webhookSecret}`;
      if (
        typeof trigger.webhookSubscribe !== 'function' &&
        typeof trigger.webhookKey === 'function' &&
        typeof connector?.webhookKeys === 'function'
      ) {
        view.staticWebhookUrl = `${base}/webhooks/static/${encodeURIComponent(recipe.trigger.connector)}`;
      }
    }
    return view;
  }

  private async record(id: string): Promise<RecipeRecord> {
    const record = await this.store.getRecipe(id);
    if (!record) throw new NotFoundError('RECIPE_NOT_FOUND', `No recipe with id "${id}"`, 'id');
    return record;
  }

  async list(request: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeView>> {
    const page = await this.store.listRecipes(request);
    return { items: page.items.map((r) => this.view(r)), nextCursor: page.nextCursor };
  }

  async get(id: string): Promise<RecipeView> {
    const view = this.view(await this.record(id));
    const state = await this.store.getTriggerState(id);
    if (state?.lastPollError) view.lastPollError = state.lastPollError;
    return view;
  }

  async create(body: unknown): Promise<SavedRecipeView> {
    const { recipe, warnings } = await this.validate(body);
    const record = await this.store.insertRecipe({
      name: recipe.name,
      definition: recipe,
      connectorVersions: this.pins(recipe),
      webhookSecret: newSecret(),
    });
    return { ...this.view(record), warnings };
  }

  /** Refuses (RECIPE_RUNNING) to change or delete a recipe that is running. */
  private async stopped(id: string, doing: 'changing' | 'deleting'): Promise<void> {
    const current = await this.record(id);
    if (current.status === 'running') {
      throw new ConflictError(
        'RECIPE_RUNNING',
        `The recipe "${current.name}" is running: stop it before ${doing} it`,
        'id',
      );
    }
  }

  /** Replaces a stopped recipe; its connector pins move to the versions loaded now. */
  async replace(id: string, body: unknown): Promise<SavedRecipeView> {
    await this.stopped(id, 'changing');
    const { recipe, warnings } = await this.validate(body);
    const record = await this.store.updateRecipe(id, {
      name: recipe.name,
      definition: recipe,
      connectorVersions: this.pins(recipe),
    });
    if (!record) throw new NotFoundError('RECIPE_NOT_FOUND', `No recipe with id "${id}"`, 'id');
    await this.options.changes?.publish('recipe.changed', id);
    return { ...this.view(record), warnings };
  }

  async remove(id: string): Promise<void> {
    await this.stopped(id, 'deleting');
    await this.store.deleteRecipe(id);
    await this.options.changes?.publish('recipe.deleted', id);
  }

  async start(id: string): Promise<RecipeView> {
    const current = await this.record(id);
    // Connections or connectors may have gone since the recipe was saved.
    const result = validateRecipe(current.definition, await this.context());
    if (!result.ok) {
      const error = problemError(result.problems, 'RECIPE_INVALID');
      throw new ConflictError('RECIPE_INVALID', `The recipe cannot start: ${error.message}`, error.path);
    }
    if (current.status === 'running') return this.view(current);
    // Polling is scheduled and dynamic webhooks subscribed first: the recipe is marked running
    // only once that worked, so a failed subscription leaves it stopped with the reason.
    await this.options.runtime.startRecipe(current);
    const record = await this.store.setRecipeStatus(id, 'running');
    await this.options.changes?.publish('recipe.started', id);
    return this.view(record ?? current);
  }

  async stop(id: string): Promise<RecipeView> {
    const current = await this.record(id);
    if (current.status === 'stopped') return this.view(current);
    // Marked stopped first, so the ingress answers 404 from now on; then polling ends and
    // dynamic webhooks are unsubscribed.
    const record = await this.store.setRecipeStatus(id, 'stopped');
    // The other processes stop following it (nothing undone there); this one unsubscribes.
    await this.options.changes?.publish('recipe.stopped', id);
    await this.options.runtime.stopRecipe(record ?? current);
    return this.view(record ?? current);
  }

  /** Names of the recipes that use a connection. */
  async usingConnection(name: string): Promise<string[]> {
    const users: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await this.store.listRecipes({ limit: 1000, cursor });
      for (const r of page.items) if (connectionsOf(r.definition).includes(name)) users.push(r.name);
      cursor = page.nextCursor;
    } while (cursor);
    return users;
  }
}

export function recipeStatusQuery(query: unknown): RecipeStatus | undefined {
  const status = (query as Record<string, unknown> | undefined)?.status;
  if (status === undefined || status === '') return undefined;
  if (status !== 'running' && status !== 'stopped') throw invalid('status', 'must be "running" or "stopped"');
  return status;
}
