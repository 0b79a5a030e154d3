/**
 * The polling scheduler (SPEC §6): every running recipe whose trigger has `poll` (polling and
 * hybrid triggers) is polled when it starts (or the server resumes it), and then every
 * `pollIntervalSeconds` after the end of the previous cycle.
 *
 * One cycle: poll through the SDK's poll runner, then commit the new jobs, their dedup
 * signatures and the new closure in one transaction (`commitPoll`), then hand the jobs on
 * (outbox). While the poll says `canPollMore`, poll again at once — unless 600 polls in a row
 * created no job. A poll that fails changes nothing (the closure stays), is logged, and is kept
 * as the trigger state's `lastPollError` until a poll succeeds; the next poll waits for the
 * interval. Never two polls of one recipe at once: one loop per recipe, and stopping it waits
 * for the poll in flight. A poll that returns `nextPollAt` (a trigger firing at set times) is
 * polled again at that time when it comes before the interval (never sooner than
 * `MIN_POLL_GAP_MS` after the cycle, so a trigger cannot make the scheduler spin).
 *
 * In a cluster only the leader polls (`leadership`): every process with the scheduler role
 * knows the running recipes, and the one that becomes the leader starts their loops. A poll
 * commits only if the trigger state is still the one it started from (`stateVersion`), so two
 * leaders overlapping across a handover never make a job twice.
 */
import { isWeftError, messageOf } from '@weft/sdk';
import { MAX_EMPTY_POLLS, MemorySeenStore, runPoll } from '@weft/sdk/runtime';
import { ALWAYS_LEADING, type Leadership } from '../cluster/leadership.js';
import type { Connections } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import type { Log } from '../log.js';
import { evaluateInput } from '../recipes/formula.js';
import type { Registry } from '../registry.js';
import type { RecipeLifecycle, Runtime } from '../runtime/runtime.js';
import { StepLog } from '../step-logs.js';
import { type RecipeRecord, type Store, StoreError } from '../store/store.js';

/** Least time between the end of a cycle and a poll it asked for with `nextPollAt`. */
export const MIN_POLL_GAP_MS = 100;

/** What the scheduler polls with. */
export interface SchedulerDeps {
  store: Pick<Store, 'getTriggerState' | 'commitPoll' | 'recordPollError'>;
  registry: Pick<Registry, 'get' | 'definitionAt'>;
  connections: Pick<Connections, 'live'>;
  runtime: Pick<Runtime, 'jobsCommitted'>;
  log: Log;
  /** Told of each failed poll (the metrics). */
  onPollError?: () => void;
  /** Polls run only while this process leads (default: always). */
  leadership?: Leadership;
}

/** Whether the recipe's trigger (in the loaded connector) polls. */
function polls(context: SchedulerDeps, recipe: RecipeRecord): boolean {
  const trigger = recipe.definition.trigger;
  const definition = context.registry.get(trigger.connector)?.definition;
  return typeof definition?.triggers?.[trigger.trigger]?.poll === 'function';
}

class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly context: SchedulerDeps,
    readonly recipe: RecipeRecord,
  ) {}

  private get intervalMs(): number {
    return Math.max(1, this.recipe.definition.trigger.pollIntervalSeconds ?? 300) * 1000;
  }

  /** The next cycle after `delayMs` (replacing a scheduled one). */
  schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.now();
    }, delayMs);
    this.timer.unref();
  }

  /** Runs a cycle now (or joins the one in flight), then schedules the next one. */
  now(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.inFlight) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      let asked: string | undefined;
      this.inFlight = this.cycle()
        .then((at) => {
          asked = at;
        })
        .finally(() => {
          this.inFlight = undefined;
          this.schedule(this.delayUntil(asked));
        });
    }
    return this.inFlight;
  }

  /** The interval, or sooner when the last poll asked for a time (`nextPollAt`) before it ends. */
  private delayUntil(asked: string | undefined): number {
    if (asked === undefined) return this.intervalMs;
    const wait = Date.parse(asked) - Date.now();
    return Math.min(this.intervalMs, Math.max(MIN_POLL_GAP_MS, wait));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  /** One cycle; the time its last poll asked to be polled next, if any. */
  private async cycle(): Promise<string | undefined> {
    const { store, registry, connections, runtime } = this.context;
    const recipe = this.recipe;
    const trigger = recipe.definition.trigger;
    try {
      const definition = await registry.definitionAt(trigger.connector, recipe.connectorVersions[trigger.connector]);
      const live = trigger.connection ? await connections.live(trigger.connection) : undefined;
      // Trigger input may hold formulas (`=$now()`); no datapill exists before the trigger.
      const input = await evaluateInput(trigger.input, { trigger: undefined, steps: {} }, { path: 'trigger.input' });
      const state = await store.getTriggerState(recipe.id);
      let closure = state?.closure;
      let stateVersion = state?.updatedAt || null;
      let empty = 0;
      let nextPollAt: string | undefined;
      for (;;) {
        // The poll's `ctx.log` lines go to the operational log (docs/jobs.md, "Step logs").
        const lines = new StepLog(() => new Date().toISOString());
        const outcome = await runPoll({
          connector: definition,
          trigger: trigger.trigger,
          input,
          closure,
          connection: live?.values ?? {},
          // Dedup against the recipe's seen signatures happens in `commitPoll`; the empty
          // store only drops repeats within this poll.
          store: new MemorySeenStore(),
          recipeKey: recipe.id,
          record: false,
          executeOptions: {
            mode: 'job',
            refreshGate: live?.refreshGate,
            dispatcher: live?.dispatcher,
            onLog: lines.onLog,
          },
          runner: runOperation,
        }).finally(() => lines.writeTo(this.context.log, `The poll of recipe "${recipe.name}"`, recipe.id));
        const committed = await store.commitPoll({
          recipeId: recipe.id,
          events: outcome.events,
          signatures: outcome.signatures.length ? outcome.signatures : undefined,
          closure: outcome.nextClosure,
          stateVersion,
        });
        stateVersion = committed.stateVersion;
        runtime.jobsCommitted(committed.jobs);
        closure = outcome.nextClosure ?? closure;
        nextPollAt = outcome.nextPollAt;
        empty = committed.jobs.length > 0 ? 0 : empty + 1;
        if (!outcome.canPollMore || empty >= MAX_EMPTY_POLLS || this.stopped) break;
      }
      return nextPollAt;
    } catch (error) {
      if (error instanceof StoreError && error.code === 'POLL_SUPERSEDED') {
        // Another process polled meanwhile (a leader handover): its jobs stand, the next
        // poll starts from the state it left.
        this.context.log('info', `A poll of recipe "${recipe.name}" was superseded by another process's`, {
          recipeId: recipe.id,
        });
        return undefined;
      }
      const code = isWeftError(error) ? error.code : ((error as { code?: string }).code ?? 'POLL_FAILED');
      const message = messageOf(error);
      this.context.log('warn', `The poll of recipe "${recipe.name}" failed; the next poll keeps the closure`, {
        recipeId: recipe.id,
        code,
        error: message,
      });
      this.context.onPollError?.();
      await store
        .recordPollError(recipe.id, { code: String(code), message, at: new Date().toISOString() })
        .catch(() => {});
      return undefined;
    }
  }
}

export class Scheduler implements RecipeLifecycle {
  readonly name = 'scheduler';
  /** The running recipes that poll, whether this process leads or not. */
  private readonly recipes = new Map<string, RecipeRecord>();
  private readonly loops = new Map<string, PollLoop>();
  private readonly leadership: Leadership;
  private closed = false;

  constructor(private readonly context: SchedulerDeps) {
    this.leadership = context.leadership ?? ALWAYS_LEADING;
    this.leadership.onChange((leading) => {
      if (leading) for (const recipe of this.recipes.values()) void this.begin(recipe);
      else void this.stopLoops();
    });
  }

  async start(recipe: RecipeRecord): Promise<void> {
    await this.begin(recipe);
  }

  async resume(recipe: RecipeRecord): Promise<void> {
    await this.begin(recipe);
  }

  async stop(recipe: RecipeRecord): Promise<void> {
    this.recipes.delete(recipe.id);
    const loop = this.loops.get(recipe.id);
    if (!loop) return;
    this.loops.delete(recipe.id);
    await loop.stop();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.recipes.clear();
    await this.stopLoops();
  }

  /** Stops every loop (this process no longer leads, or closes); waits for the polls in flight. */
  async stopLoops(): Promise<void> {
    const loops = [...this.loops.values()];
    this.loops.clear();
    await Promise.all(loops.map((loop) => loop.stop()));
  }

  /** Recipes being polled (ids). */
  polling(): string[] {
    return [...this.loops.keys()];
  }

  /** Polls a recipe now (joining a poll in flight) and waits for the cycle: for tests and tools. */
  async pollNow(recipeId: string): Promise<void> {
    await this.loops.get(recipeId)?.now();
  }

  private async begin(recipe: RecipeRecord): Promise<void> {
    if (!polls(this.context, recipe) || this.closed) return;
    this.recipes.set(recipe.id, recipe);
    if (!this.leadership.leading) return;
    const previous = this.loops.get(recipe.id);
    if (previous) await previous.stop();
    const loop = new PollLoop(this.context, recipe);
    this.loops.set(recipe.id, loop);
    // The first poll right away, outside the start: a slow or failing API must not hold the
    // start of the recipe (its failure shows as the trigger state's last poll error).
    loop.schedule(0);
  }
}
