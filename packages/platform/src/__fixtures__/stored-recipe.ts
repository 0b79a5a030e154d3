/**
 * Test helper: recipes as the store keeps them (validated, defaults filled in), for tests that
 * need a stored recipe but not what it does. The definition polls `crm`'s trigger `t` and has no
 * steps; concurrency 1 is the default the workers apply to a definition without one.
 */
import type { Recipe } from '../recipes/types.js';
import type { NewRecipe } from '../store/store.js';

export function recipeDefinition(overrides: Partial<Recipe> = {}): Recipe {
  return {
    name: 'r',
    trigger: { connector: 'crm', trigger: 't', input: {}, pollIntervalSeconds: 300 },
    steps: [],
    onError: [],
    concurrency: 1,
    ...overrides,
  };
}

/** What `insertRecipe` takes: a recipe named `name` with the definition above and webhook secret `s-<name>`. */
export function newRecipe(name = 'r', overrides: Partial<NewRecipe> = {}): NewRecipe {
  return {
    name,
    definition: recipeDefinition({ name }),
    connectorVersions: {},
    webhookSecret: `s-${name}`,
    ...overrides,
  };
}
