/** What a valid recipe refers to: the connectors and connections it uses. */
import type { Recipe, Step } from './types.js';

/** Every connector a recipe uses (trigger and steps), for version pins. */
export function connectorsOf(recipe: Recipe): string[] {
  const names = new Set<string>([recipe.trigger.connector]);
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if ('action' in s) names.add(s.connector);
      if ('then' in s) {
        visit(s.then);
        visit(s.else);
      }
      if ('do' in s) visit(s.do);
    }
  };
  visit(recipe.steps);
  visit(recipe.onError);
  return [...names].sort();
}

/** Every connection a recipe uses. */
export function connectionsOf(recipe: Recipe): string[] {
  const names = new Set<string>();
  if (recipe.trigger.connection) names.add(recipe.trigger.connection);
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if ('action' in s && s.connection) names.add(s.connection);
      if ('then' in s) {
        visit(s.then);
        visit(s.else);
      }
      if ('do' in s) visit(s.do);
    }
  };
  visit(recipe.steps);
  visit(recipe.onError);
  return [...names].sort();
}
