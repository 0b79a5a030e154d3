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
  /** On server shutdown (stop timers; running recipes stay `running`). */
  close?(): Promise<void>;
}

export type JobsListener = (jobs: readonly JobRecord[]) => void;

export class Runtime {
  private readonly parts: RecipeLifecycle[] = [];
  private readonly listeners: JobsListener[] = [];

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
  }

  async stopRecipe(recipe: RecipeRecord): Promise<void> {
    let first: unknown;
    for (const part of [...this.parts].reverse()) {
      try {
        await part.stop?.(recipe);
      } catch (error) {
        first ??= error;
      }
    }
    if (first !== undefined) throw first;
  }

  async resumeRecipe(recipe: RecipeRecord): Promise<void> {
    for (const part of this.parts) await part.resume?.(recipe);
  }

  async close(): Promise<void> {
    for (const part of [...this.parts].reverse()) await part.close?.();
  }
}
