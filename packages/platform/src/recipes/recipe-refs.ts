/** What a valid recipe refers to: the connectors and connections it uses. */
import type { ActionStep, Recipe, Step } from './types.js';

/** Every action step of a recipe, nested ones (if/else, foreach) and the error handler's included. */
function* actionSteps(steps: Step[]): Generator<ActionStep> {
  for (const s of steps) {
    if ('action' in s) yield s;
    if ('then' in s) {
      yield* actionSteps(s.then);
      yield* actionSteps(s.else);
    }
    if ('do' in s) yield* actionSteps(s.do);
  }
}

function stepsOf(recipe: Recipe): ActionStep[] {
  return [...actionSteps(recipe.steps), ...actionSteps(recipe.onError)];
}

/** Every connector a recipe uses (trigger and steps), for version pins. */
export function connectorsOf(recipe: Recipe): string[] {
  const names = new Set<string>([recipe.trigger.connector]);
  for (const s of stepsOf(recipe)) names.add(s.connector);
  return [...names].sort();
}

/** Every connection a recipe uses. */
export function connectionsOf(recipe: Recipe): string[] {
  const names = new Set<string>();
  if (recipe.trigger.connection) names.add(recipe.trigger.connection);
  for (const s of stepsOf(recipe)) if (s.connection) names.add(s.connection);
  return [...names].sort();
}
