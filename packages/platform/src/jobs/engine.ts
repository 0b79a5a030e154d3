/**
 * The job engine: runs one job of a recipe as far as it goes now — claim, interpret, finish —
 * and records what happened (see docs/jobs.md).
 *
 * - claim (claims.ts): the job is marked running with its attempt; grouped, or from memory.
 *   On PostgreSQL the queue claims (store/job-claims.ts, with a lease) and hands the claim over.
 * - interpret (interpreter/): the recipe's steps, one module per step kind, then `onError`.
 * - finish: the job's next status (status.ts, a pure state machine with back-off) is written
 *   with the run's last step records in one write (journal.ts).
 */
import type { Connections } from '../connections.js';
import type { Log } from '../log.js';
import type { Registry } from '../registry.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type { JobRecord, JobStart, RecipeRecord, Store } from '../store/store.js';
import { Claims, RecipeCache } from './claims.js';
import { Clock } from './clock.js';
import { Interpreter } from './interpreter/index.js';
import { Journal } from './journal.js';
import { ResumeTokens } from './resume-tokens.js';
import { type Halt, JobRun } from './run.js';
import { type RunOutcome, transition } from './status.js';
import { ActionResolver } from './steps.js';

export { MAX_FOREACH_ITEMS } from './interpreter/foreach.js';
export { MAX_REINVOCATIONS } from './interpreter/suspend.js';
export { resumeTokenHash } from './resume-tokens.js';
export type { StepState } from './run.js';
export type { RunOutcome } from './status.js';

export interface EngineOptions {
  store: Pick<Store, 'startJobs' | 'saveJobProgress' | 'getRecipe'>;
  registry: Pick<Registry, 'definitionAt'>;
  connections: Pick<Connections, 'live'>;
  options: RuntimeOptions;
  publicUrl: () => string;
  log?: Log;
  now?: () => number;
  /** Told of each job that reached an end, with its status and seconds since its creation. */
  onFinished?: (status: string, seconds: number) => void;
  /**
   * The queue on PostgreSQL: this process's lease owner id. Jobs come claimed by the queue,
   * writes are fenced by the lease, and jobs just committed are not kept for an in-memory claim.
   */
  leaseOwner?: string;
}

export class JobEngine {
  private readonly clock: Clock;
  private readonly claims: Claims;
  private readonly recipes: RecipeCache;
  private readonly journal: Journal;
  private readonly tokens: ResumeTokens;
  private readonly interpreter: Interpreter;
  private closing = false;

  constructor(private readonly options: EngineOptions) {
    const { store } = options;
    this.clock = new Clock(options.now ?? Date.now);
    this.claims = new Claims(store, this.clock);
    this.recipes = new RecipeCache(store);
    this.journal = new Journal(store, options.leaseOwner);
    this.tokens = new ResumeTokens(options.publicUrl);
    this.interpreter = new Interpreter({
      resolver: new ActionResolver(options.registry),
      connections: options.connections,
      journal: this.journal,
      tokens: this.tokens,
      clock: this.clock,
      options: options.options,
      closing: () => this.closing,
    });
  }

  /** Store transactions the engine's claims and writes took (diagnostics). */
  get transactions(): number {
    return this.journal.transactions + this.claims.transactions;
  }

  /** From now on, running jobs stop at their next step boundary (`interrupted`). */
  close(): void {
    this.closing = true;
  }

  /** Told about jobs as they are committed (the outbox): new ones are claimed from memory. */
  committed(jobs: readonly JobRecord[]): void {
    if (this.options.leaseOwner === undefined) this.claims.committed(jobs);
  }

  /** Recipes are cached; a recipe that stops or starts is read again. */
  forgetRecipe(id: string): void {
    this.recipes.forget(id);
  }

  /** A recipe that starts (its record as the start saw it; it is marked running right after). */
  rememberRecipe(record: RecipeRecord): void {
    this.recipes.remember(record);
  }

  /**
   * When a resume URL of this job was handed out by a step still running: resolves once that
   * run has written its outcome (so the call can be delivered to the committed wait).
   */
  pendingWait(jobId: string, tokenHash: string): Promise<void> | undefined {
    return this.tokens.pending(jobId, tokenHash);
  }

  /** Runs the job `jobId` as far as it goes now; from `claimed` when the queue claimed it already. */
  async run(jobId: string, claimed?: JobStart): Promise<RunOutcome> {
    const started = claimed ?? (await this.claims.claim(jobId));
    if (started.kind === 'gone') return { kind: 'gone' };
    if (started.kind === 'notDue') {
      return { kind: 'later', status: 'pending', runAt: Date.parse(started.runAt) };
    }
    const recipe = await this.recipes.get(started.job.recipeId);
    if (!recipe) return { kind: 'gone' };
    const run = new JobRun(
      started.job,
      recipe,
      recipe.definition,
      started.resumed,
      new Map(started.steps.map((s) => [s.seq, s])),
      started.wait,
    );
    if (started.unwritten) {
      run.claim = { status: 'running', attempts: started.job.attempts, startedAt: started.job.startedAt };
    } else if (!started.resumed) {
      // Found `running`: the server stopped during this job (a graceful stop hands its attempt back).
      run.stoppedTooOften = started.job.attempts > this.options.options.jobMaxAttempts;
    }
    try {
      return await this.finish(run, await this.interpreter.interpret(run));
    } finally {
      this.tokens.settle(jobId);
    }
  }

  /** Writes the end of this run (with the records not yet written) and says what comes next. */
  private async finish(run: JobRun, halt: Halt | undefined): Promise<RunOutcome> {
    const next = transition(halt, run.job.attempts, this.options.options, this.clock.now(), this.clock.iso());
    if (next.kind === 'interrupted') {
      await this.journal.handBack(run);
      return next;
    }
    if (next.outcome.kind === 'finished' && next.outcome.status === 'failed') {
      const error = next.patch.error ?? undefined;
      this.options.log?.('info', `Job ${run.job.id} of recipe "${run.recipe.name}" failed`, { ...error });
    }
    await this.journal.finish(run, next.patch);
    if (next.outcome.kind === 'finished') {
      const created = Date.parse(run.job.createdAt);
      this.options.onFinished?.(next.outcome.status, (this.clock.now() - created) / 1000);
    }
    return next.outcome;
  }
}
