/**
 * Starts the runtime's parts on a built server context: the job queue and its workers
 * (recovering jobs a crash interrupted), the polling scheduler and the webhook subscriptions,
 * then resumes the recipes that were running.
 */

import { startJobSystem } from '../jobs/workers.js';
import { webhookLifecycle } from '../triggers/subscriptions.js';
import type { ServerContext } from './context.js';

export async function startRuntime(context: ServerContext): Promise<void> {
  // Webhook recipes: the ingress's in-memory routes, static keys, subscriptions and refreshes.
  context.runtime.use(webhookLifecycle(context));
  // Jobs: queue and workers (recovering the jobs a stop or crash left), polling, retention.
  await startJobSystem(context);
  let cursor: string | null | undefined;
  do {
    const page = await context.store.listRecipes({ limit: 1000, cursor, status: 'running' });
    for (const recipe of page.items) {
      try {
        await context.runtime.resumeRecipe(recipe);
      } catch (error) {
        context.log('error', `Recipe "${recipe.name}" could not be resumed`, {
          recipeId: recipe.id,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
}
