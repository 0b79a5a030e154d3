/**
 * The runtime's switchboard. Jobs committed to the store are handed on from here (the outbox:
 * only after the commit, never before), and a recipe's start and stop go through the parts that
 * registered here (the scheduler polls, webhook subscriptions subscribe). The API and the
 * webhook ingress talk to this object only, so each part stays in its own module.
 */
import type { JobRecord, RecipeRecord } from '../store/store.js';

/** One part of the runtime that follows recipes as they start and stop. */
export interface RecipeLifecycle {
  /** For messages: `scheduler`, `webhooks`. */
  name: string;
  /**
   * Before the recipe is marked running. Throwing keeps the recipe stopped: the parts started
   * before this one are stopped again, and the error reaches the caller.
   */
  start?(recipe: RecipeRecord): Promise<void>;
  /** After the recipe is marked stopped (no new events are accepted by then). */
  stop?(recipe: RecipeRecord): Promise<void>;
  /** On server start, for each recipe that was running when the server stopped. */
  resume?(recipe: RecipeRecord): Promise<void>;
  /**
   * Another process of the cluster started the recipe (it did the side effects: subscribed its
   * webhook…): follow it here without redoing them. Default: `resume`.
   */
  follow?(recipe: RecipeRecord): Promise<void>;
  /**
   * Another process stopped the recipe (and undid the side effects): stop following it here,
   * without undoing anything outside this process. Default: `stop`.
   */
  unfollow?(recipe: RecipeRecord): Promise<void>;
  /** A stopped recipe was changed or deleted (by any process): forget what is cached of it. */
  changed?(recipeId: string): void;
  /** On server shutdown (stop timers; running recipes stay `running`). */
  close?(): Promise<void>;
}

export type JobsListener = (jobs: readonly JobRecord[]) => void;

export class Runtime {
  private readonly parts: RecipeLifecycle[] = [];
  private readonly listeners: JobsListener[] = [];
  /** The recipes this process follows as running (started, resumed or followed here). */
  private readonly active = new Set<string>();

  use(part: RecipeLifecycle): void {
    this.parts.push(part);
  }

  onJobsCommitted(listener: JobsListener): void {
    this.listeners.push(listener);
  }

  /** Call after the transaction that created (or rescheduled) these jobs has committed. */
  jobsCommitted(jobs: readonly JobRecord[]): void {
    if (jobs.length === 0) return;
    for (const listener of this.listeners) listener(jobs);
  }

  async startRecipe(recipe: RecipeRecord): Promise<void> {
    const started: RecipeLifecycle[] = [];
    try {
      for (const part of this.parts) {
        await part.start?.(recipe);
        started.push(part);
      }
    } catch (error) {
      for (const part of started.reverse()) await part.stop?.(recipe).catch(() => {});
      throw error;
    }
    this.active.add(recipe.id);
  }

  async stopRecipe(recipe: RecipeRecord): Promise<void> {
    this.active.delete(recipe.id);
    await this.eachReversed((part) => part.stop?.(recipe));
  }

  async resumeRecipe(recipe: RecipeRecord): Promise<void> {
    for (const part of this.parts) await part.resume?.(recipe);
    this.active.add(recipe.id);
  }

  /** Another process started the recipe: each part follows it (see `RecipeLifecycle.follow`). */
  async followRecipe(recipe: RecipeRecord): Promise<void> {
    for (const part of this.parts) await (part.follow ?? part.resume)?.call(part, recipe);
    this.active.add(recipe.id);
  }

  /** Another process stopped the recipe: each part stops following it. */
  async unfollowRecipe(recipe: RecipeRecord): Promise<void> {
    this.active.delete(recipe.id);
    await this.eachReversed((part) => (part.unfollow ?? part.stop)?.call(part, recipe));
  }

  /** A stopped recipe was changed or deleted: the parts forget what they cached of it. */
  recipeChanged(recipeId: string): void {
    for (const part of this.parts) part.changed?.(recipeId);
  }

  /** The ids of the recipes this process runs (started, resumed or followed). */
  running(): ReadonlySet<string> {
    return this.active;
  }

  /** Runs `call` on every part in reverse order; the first failure is thrown after all ran. */
  private async eachReversed(call: (part: RecipeLifecycle) => Promise<void> | undefined): Promise<void> {
    let first: unknown;
    for (const part of [...this.parts].reverse()) {
      try {
        await call(part);
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  async close(): Promise<void> {
    for (const part of [...this.parts].reverse()) await part.close?.();
  }
}
