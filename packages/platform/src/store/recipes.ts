/**
 * Recipes: the validated definition, its status and the connector versions it runs with.
 */
import type { RecipeStatus } from '@weft/sdk/model';
import type { Kysely, Selectable } from 'kysely';
import { newId } from '../ids.js';
import type { Recipe } from '../recipes/types.js';
import type { Page, PageRequest } from './common.js';
import { deleteJobs } from './job-rows.js';
import type { Database, RecipeTable } from './schema.js';
import { affected, fromJson, keysetPage, now, toJson } from './sql.js';
import { deleteSubscriptionOf } from './subscriptions.js';
import { forgetTriggerState } from './trigger-state.js';

export type { RecipeStatus } from '@weft/sdk/model';

export interface RecipeRecord {
  id: string;
  name: string;
  /** The validated recipe (trigger, steps, onError, concurrency), defaults filled in. */
  definition: Recipe;
  status: RecipeStatus;
  connectorVersions: Record<string, number>;
  webhookSecret: string;
  createdAt: string;
  updatedAt: string;
}

export interface NewRecipe {
  name: string;
  /** Stored as given: the caller validates it first. */
  definition: Recipe;
  connectorVersions: Record<string, number>;
  webhookSecret: string;
}

export interface RecipeRepository {
  insertRecipe(input: NewRecipe): Promise<RecipeRecord>;
  getRecipe(id: string): Promise<RecipeRecord | undefined>;
  /** Oldest first. */
  listRecipes(query: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeRecord>>;
  updateRecipe(id: string, input: Omit<NewRecipe, 'webhookSecret'>): Promise<RecipeRecord | undefined>;
  setRecipeStatus(id: string, status: RecipeStatus): Promise<RecipeRecord | undefined>;
  /** Deletes the recipe with its jobs, trigger state, signatures and subscription. */
  deleteRecipe(id: string): Promise<boolean>;
}

export class KyselyRecipes implements RecipeRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insertRecipe(input: NewRecipe): Promise<RecipeRecord> {
    const at = now();
    const row = {
      id: newId('rcp'),
      name: input.name,
      definition: toJson(input.definition),
      status: 'stopped' as const,
      connector_versions: toJson(input.connectorVersions),
      webhook_secret: input.webhookSecret,
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('recipes').values(row).execute();
    return toRecipe(row);
  }

  async getRecipe(id: string): Promise<RecipeRecord | undefined> {
    const row = await this.db.selectFrom('recipes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecipe(row);
  }

  async listRecipes(request: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeRecord>> {
    const rows = (take: number, after: string | undefined) => {
      let query = this.db.selectFrom('recipes').selectAll().orderBy('id').limit(take);
      if (after !== undefined) query = query.where('id', '>', after);
      if (request.status) query = query.where('status', '=', request.status);
      return query.execute();
    };
    return keysetPage(request, rows, toRecipe, (r) => r.id);
  }

  async updateRecipe(id: string, input: Omit<NewRecipe, 'webhookSecret'>): Promise<RecipeRecord | undefined> {
    const result = await this.db
      .updateTable('recipes')
      .set({
        name: input.name,
        definition: toJson(input.definition),
        connector_versions: toJson(input.connectorVersions),
        updated_at: now(),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    if (affected(result.numUpdatedRows) === 0) return undefined;
    return this.getRecipe(id);
  }

  async setRecipeStatus(id: string, status: RecipeStatus): Promise<RecipeRecord | undefined> {
    const result = await this.db
      .updateTable('recipes')
      .set({ status, updated_at: now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (affected(result.numUpdatedRows) === 0) return undefined;
    return this.getRecipe(id);
  }

  async deleteRecipe(id: string): Promise<boolean> {
    // The other aggregates' rows of the recipe first, each deleted by the module that owns them.
    return this.db.transaction().execute(async (trx) => {
      await deleteJobs(trx, { recipeId: id });
      await forgetTriggerState(trx, id);
      await deleteSubscriptionOf(trx, id);
      const result = await trx.deleteFrom('recipes').where('id', '=', id).executeTakeFirst();
      return affected(result.numDeletedRows) > 0;
    });
  }
}

function toRecipe(row: Selectable<RecipeTable>): RecipeRecord {
  return {
    id: row.id,
    name: row.name,
    // Written by `insertRecipe`/`updateRecipe` from a validated recipe.
    definition: fromJson(row.definition) as Recipe,
    status: row.status,
    connectorVersions: fromJson(row.connector_versions) as Record<string, number>,
    webhookSecret: row.webhook_secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
