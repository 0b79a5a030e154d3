/**
 * Hosts started ahead of need: when a recipe starts (or resumes on a server start), each
 * connector version it pins gets a warm host, so its first event does not wait for one.
 */
import type { Log } from './log.js';
import type { Registry } from './registry.js';
import type { RecipeLifecycle } from './runtime/runtime.js';
import type { RecipeRecord } from './store/store.js';

export function warmHosts(registry: Registry, log: Log): RecipeLifecycle {
  const warm = async (recipe: RecipeRecord): Promise<void> => {
    for (const [name, version] of Object.entries(recipe.connectorVersions)) {
      registry
        .definitionAt(name, version)
        .then((definition) => registry.runtime.warm(definition))
        .catch((error: unknown) =>
          log('warn', `No host could be started for connector "${name}" version ${version}`, {
            recipeId: recipe.id,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
    }
  };
  return { name: 'hosts', start: warm, resume: warm };
}
