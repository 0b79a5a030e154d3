/**
 * The job engine: runs one job of a recipe, from its trigger event through the recipe's steps,
 * and records what happened (see docs/jobs.md).
 *
 * - Steps run in order; action steps through the SDK's executor (the same one `weft exec` uses),
 *   `if`/`else`, `foreach` (step ids with the iteration: `line[2]`), `stop`, and the recipe's
 *   `onError` steps when a step fails for good.
 * - Every action step that runs gets a number in execution order (`seq`) and a record. A job
 *   that starts again — after a crash, a retry or a multistep suspension — walks the recipe
 *   again and reuses each succeeded record (its full output) instead of running the step, so
 *   only the step in flight runs again.
 * - Writes are few: the claim (`startJobs`), then one write per action step, the last one
 *   together with the job's end — never a separate "step started" row. A step's record is
 *   committed before the next step starts. Claims and writes of concurrent jobs share
 *   transactions (`Batcher`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { type ExecuteResult, execute } from '@weft/sdk';
import type { Connections } from '../connections.js';
import { evaluateCondition, evaluateInput, evaluateValue, type Scope } from '../recipes/formula.js';
import {
  type ActionStep,
  isActionStep,
  isForeachStep,
  isIfStep,
  isStopStep,
  type Recipe,
  type Step,
} from '../recipes/types.js';
import type { Registry } from '../registry.js';
import type { ServerContext } from '../runtime/context.js';
import type { RuntimeOptions } from '../runtime/options.js';
import type {
  JobError,
  JobPatch,
  JobProgress,
  JobRecord,
  JobStart,
  JobWait,
  RecipeRecord,
  ResumeCall,
  RunStepRecord,
  Store,
} from '../store/store.js';
import { Batcher } from '../triggers/batch.js';
import { classifyError, serverStoppedError } from './job-errors.js';
import { ActionResolver } from './steps.js';
import { summarize } from './summarize.js';

/** Re-invocations of one multistep action (SPEC §5). */
export const MAX_REINVOCATIONS = 100;
/** Elements one `foreach` may walk. */
export const MAX_FOREACH_ITEMS = 10_000;
/** Jobs just committed kept in memory so their first run needs no read (beyond: read them). */
const MAX_FRESH = 10_000;

/** What a suspended (or failed) action step keeps in its record's `state`. */
export interface StepState {
  /** The `continue` of `reinvokeAfter` or `waitForResume`. */
  continue: unknown;
  /** Re-invocations so far (at most `MAX_REINVOCATIONS`). */
  reinvocations: number;
  /** Suspended by `waitForResume` (runs again with `ctx.resume`). */
  waiting?: boolean;
}

/** What became of a run; `later`: queue the job again at `runAt` (epoch ms). */
export type RunOutcome =
  | { kind: 'gone' }
  | { kind: 'finished'; status: 'succeeded' | 'failed' }
  | { kind: 'later'; status: 'pending' | 'suspended'; runAt: number }
  /** The server is closing: the job stays `running` and goes on from its next step at the next start. */
  | { kind: 'interrupted' };

/** Why the walk through the steps ended early. */
type Halt =
  | { kind: 'stop'; error?: JobError }
  | { kind: 'failed'; error: JobError; retryable: boolean }
  | { kind: 'suspended'; runAt: number }
  | { kind: 'interrupted' };

export interface EngineOptions {
  store: Store;
  registry: Pick<Registry, 'definitionAt'>;
  connections: Pick<Connections, 'live'>;
  options: RuntimeOptions;
  publicUrl: () => string;
  log?: ServerContext['log'];
  now?: () => number;
}

/** One run of one job. */
class JobRun {
  seq = 0;
  /** Step records not yet written. */
  pending: RunStepRecord[] = [];
  /** A wait started (or ended: null) by this run, not yet written. */
  waitChange: { seq: number; tokenHash: string } | null | undefined;
  /** Token hash minted for a step of this run, by seq. */
  readonly minted = new Map<number, string>();
  /** The job's running state when the claim did not write it: it goes before the first step. */
  claim: JobPatch | undefined;
  /** Found `running` past its attempts: the server stopped in a step each time; run no step. */
  stoppedTooOften = false;
  readonly scope: Scope;

  constructor(
    readonly job: JobRecord,
    readonly recipe: RecipeRecord,
    readonly definition: Recipe,
    /** The job was suspended: same attempt, its failed records stand. */
    readonly resumed: boolean,
    readonly records: Map<number, RunStepRecord>,
    readonly wait: JobWait | null,
  ) {
    this.scope = { trigger: job.trigger, steps: {} };
  }
}

interface LiveWait {
  tokenHash: string;
  settled: Promise<void>;
  settle: () => void;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Hashes the token of a resume URL the way the store keeps it. */
export function resumeTokenHash(token: string): string {
  return sha256(token);
}

export class JobEngine {
  private readonly writer: Batcher<JobProgress, void>;
  private readonly claims: Batcher<string, JobStart>;
  private readonly resolver: ActionResolver;
  private readonly recipes = new Map<string, Promise<RecipeRecord | undefined>>();
  /** Resume URLs handed out by steps still running: a call may arrive before the wait commits. */
  private readonly liveWaits = new Map<string, LiveWait>();
  /** Jobs just created (pending, never run), as committed: their claim needs no read. */
  private readonly fresh = new Map<string, JobRecord>();
  private closing = false;
  private readonly now: () => number;

  constructor(private readonly options: EngineOptions) {
    const { store } = options;
    this.writer = new Batcher<JobProgress, void>(async (writes) => {
      await store.saveJobProgress(writes);
      return writes.map(() => undefined);
    });
    this.claims = new Batcher((ids) => store.startJobs(ids, this.iso()));
    this.resolver = new ActionResolver(options.registry);
    this.now = options.now ?? Date.now;
  }

  /** Store transactions the engine's claims and writes took (diagnostics). */
  get transactions(): number {
    return this.writer.calls + this.claims.calls;
  }

  /** From now on, running jobs stop at their next step boundary (`interrupted`). */
  close(): void {
    this.closing = true;
  }

  /**
   * Told about jobs as they are committed (the outbox). New jobs are kept until they run, so
   * their first run reads nothing: a job never run has no steps and no wait.
   */
  committed(jobs: readonly JobRecord[]): void {
    for (const job of jobs) {
      if (this.fresh.size >= MAX_FRESH) return;
      if (job.status === 'pending' && job.attempts === 0 && job.runAt === null) this.fresh.set(job.id, job);
    }
  }

  /** The claim of a job: from memory for a fresh one, else from the store (grouped). */
  private claim(jobId: string): Promise<JobStart> | JobStart {
    const job = this.fresh.get(jobId);
    if (!job) return this.claims.call(jobId);
    this.fresh.delete(jobId);
    const at = this.iso();
    return {
      kind: 'started',
      job: { ...job, status: 'running', attempts: 1, startedAt: at, runAt: null, updatedAt: at },
      resumed: false,
      unwritten: true,
      steps: [],
      wait: null,
    };
  }

  /** Recipes are cached; a recipe that stops or starts is read again. */
  forgetRecipe(id: string): void {
    this.recipes.delete(id);
  }

  /** A recipe that starts (its record as the start saw it; it is marked running right after). */
  rememberRecipe(record: RecipeRecord): void {
    this.recipes.set(record.id, Promise.resolve({ ...record, status: 'running' }));
  }

  private recipe(id: string): Promise<RecipeRecord | undefined> {
    let record = this.recipes.get(id);
    if (!record) {
      record = this.options.store.getRecipe(id);
      this.recipes.set(id, record);
      record.then(
        (r) => {
          // Only running recipes stay cached: a stopped one may be changed at any time.
          if (r?.status !== 'running') this.recipes.delete(id);
        },
        () => this.recipes.delete(id),
      );
    }
    return record;
  }

  /**
   * When a resume URL of this job was handed out by a step still running: resolves once that
   * run has written its outcome (so the call can be delivered to the committed wait).
   */
  pendingWait(jobId: string, tokenHash: string): Promise<void> | undefined {
    const live = this.liveWaits.get(jobId);
    return live && live.tokenHash === tokenHash ? live.settled : undefined;
  }

  /** Runs the job `jobId` as far as it goes now. */
  async run(jobId: string): Promise<RunOutcome> {
    const started = await this.claim(jobId);
    if (started.kind === 'gone') return { kind: 'gone' };
    if (started.kind === 'notDue') {
      return { kind: 'later', status: 'pending', runAt: Date.parse(started.runAt) };
    }
    const recipe = await this.recipe(started.job.recipeId);
    if (!recipe) return { kind: 'gone' };
    const run = new JobRun(
      started.job,
      recipe,
      recipe.definition as Recipe,
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
      return await this.finish(run, await this.walkJob(run));
    } finally {
      const live = this.liveWaits.get(jobId);
      if (live) {
        this.liveWaits.delete(jobId);
        live.settle();
      }
    }
  }

  /** The recipe's steps, then, after a failure for good, its `onError` steps. */
  private async walkJob(run: JobRun): Promise<Halt | undefined> {
    let halt: Halt | undefined;
    try {
      halt = await this.walk(run.definition.steps, run, 'steps', '');
    } catch (thrown) {
      // A fault of the engine's own (not of a step): the job fails with it.
      halt = { kind: 'failed', ...classifyError(thrown, undefined), retryable: false };
    }
    if (halt?.kind !== 'failed') return halt;
    if (halt.retryable && run.job.attempts < this.options.options.jobMaxAttempts) return halt;
    return this.onError(run, halt.error);
  }

  /**
   * The recipe's `onError` steps see the failure as `error`. The job stays failed with the
   * step's error — unless those steps end with `stop: { error: false }` (handled) or
   * `stop: { error: true }` (their own error).
   */
  private async onError(run: JobRun, error: JobError): Promise<Halt> {
    const failed: Halt = { kind: 'failed', error, retryable: false };
    if (run.definition.onError.length === 0) return failed;
    run.scope.error = error;
    let halt: Halt | undefined;
    try {
      halt = await this.walk(run.definition.onError, run, 'onError', '');
    } catch (thrown) {
      halt = { kind: 'failed', ...classifyError(thrown, undefined), retryable: false };
    }
    if (!halt) return failed;
    if (halt.kind === 'failed') return { kind: 'failed', error: { ...error, onError: halt.error }, retryable: false };
    return halt;
  }

  private async walk(steps: readonly Step[], run: JobRun, path: string, iteration: string): Promise<Halt | undefined> {
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      const at = `${path}[${i}]`;
      let halt: Halt | undefined;
      if (isActionStep(step)) halt = await this.action(step, run, at, iteration);
      else if (isIfStep(step)) {
        const yes = await this.guard(step.id, () => evaluateCondition(step.if, run.scope, `${at}.if`));
        if (!yes.ok) return yes.halt;
        const branch = yes.value ? 'then' : 'else';
        halt = await this.walk(step[branch], run, `${at}.${branch}`, iteration);
      } else if (isForeachStep(step)) {
        halt = await this.foreach(step, run, at, iteration);
      } else if (isStopStep(step)) {
        if (!step.stop.error) return { kind: 'stop' };
        const message =
          step.stop.message === undefined
            ? { ok: true as const, value: undefined }
            : await this.guard(step.id, () => evaluateValue(step.stop.message, run.scope, `${at}.stop.message`));
        if (!message.ok) return message.halt;
        const value = message.value;
        const text = value === undefined || value === null || value === '' ? undefined : String(value);
        return {
          kind: 'stop',
          error: { code: 'STOPPED', message: text ?? `The job was stopped by step "${step.id}"`, stepId: step.id },
        };
      }
      if (halt) return halt;
    }
    return undefined;
  }

  /** A formula outside an action's input: its failure fails the job at that step. */
  private async guard<T>(
    stepId: string,
    evaluate: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; halt: Halt }> {
    try {
      return { ok: true, value: await evaluate() };
    } catch (thrown) {
      return { ok: false, halt: { kind: 'failed', ...classifyError(thrown, stepId), retryable: false } };
    }
  }

  private async foreach(
    step: Extract<Step, { foreach: string }>,
    run: JobRun,
    at: string,
    iteration: string,
  ): Promise<Halt | undefined> {
    const evaluated = await this.guard(step.id, () => evaluateValue(step.foreach, run.scope, `${at}.foreach`));
    if (!evaluated.ok) return evaluated.halt;
    const value = evaluated.value;
    // JSONata gives a single match as the value itself: a one-element list. Nothing: no element.
    const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    if (list.length > MAX_FOREACH_ITEMS) {
      return {
        kind: 'failed',
        error: {
          code: 'FOREACH_TOO_LARGE',
          message: `${at}.foreach gave ${list.length} elements; a foreach walks at most ${MAX_FOREACH_ITEMS}`,
          stepId: step.id,
        },
        retryable: false,
      };
    }
    const had = Object.hasOwn(run.scope, step.as);
    const outer = run.scope[step.as];
    try {
      for (let k = 0; k < list.length; k++) {
        run.scope[step.as] = list[k];
        const halt = await this.walk(step.do, run, `${at}.do`, `${iteration}[${k}]`);
        if (halt) return halt;
      }
    } finally {
      if (had) run.scope[step.as] = outer;
      else delete run.scope[step.as];
    }
    return undefined;
  }

  private async action(step: ActionStep, run: JobRun, at: string, iteration: string): Promise<Halt | undefined> {
    const seq = run.seq++;
    const stepId = `${step.id}${iteration}`;
    const found = run.records.get(seq);
    // A record of another step at this number (the recipe took another branch): run afresh.
    const record = found && found.stepId === stepId ? found : undefined;
    if (record?.status === 'succeeded') {
      run.scope.steps[step.id] = record.fullOutput !== undefined ? record.fullOutput : record.output;
      return undefined;
    }
    if (record?.status === 'failed' && run.resumed) {
      // Resumed within the same attempt (its onError steps suspended): the failure stands.
      return { kind: 'failed', error: record.error ?? { code: 'FAILED', message: 'failed', stepId }, retryable: false };
    }
    if (this.closing) return { kind: 'interrupted' };
    if (run.stoppedTooOften) {
      const error = serverStoppedError(stepId, this.options.options.jobMaxAttempts);
      run.pending.push(this.failedRecord(run, seq, stepId, record, error));
      return { kind: 'failed', error, retryable: false };
    }
    // The records before this step, and the job's running state with its attempt, must be
    // durable before it runs: a step that takes the process down then counts an attempt.
    await this.flush(run);

    const state = record?.state as StepState | null | undefined;
    const startedAt = record?.status === 'suspended' && record.startedAt ? record.startedAt : this.iso();
    const attempts = (record?.attempts ?? 0) + 1;
    // Records are built with one fixed shape (no spreads): this runs for every step of every job.
    const stepRecord = (
      status: RunStepRecord['status'],
      input: unknown,
      output: unknown,
      fullOutput: unknown,
      error: JobError | null,
      state: unknown,
      finishedAt: string | null,
    ): RunStepRecord => ({
      jobId: run.job.id,
      seq,
      stepId,
      status,
      input,
      output,
      fullOutput,
      error,
      state,
      attempts,
      startedAt,
      finishedAt,
    });
    let input: Record<string, unknown> | undefined;
    let result: ExecuteResult;
    let summarizeInput: readonly string[] | undefined;
    let summarizeOutput: readonly string[] | undefined;
    try {
      input = await evaluateInput(step.input, run.scope, { path: `${at}.input` });
      const resolved = await this.resolver.resolve(step, run.recipe.connectorVersions);
      summarizeInput = resolved.action.summarizeInput;
      summarizeOutput = resolved.action.summarizeOutput;
      const live = step.connection ? await this.options.connections.live(step.connection) : undefined;
      result = await execute(resolved.definition, resolved.path, {
        connection: live?.values ?? {},
        onConnectionUpdate: live?.onConnectionUpdate,
        input,
        mode: 'job',
        continue: state?.continue,
        resume: state?.waiting ? this.resumeOf(run, seq) : undefined,
        resumeUrl: () => this.mint(run, seq),
      });
    } catch (thrown) {
      const { error, retryable } = classifyError(thrown, stepId);
      run.pending.push(
        stepRecord(
          'failed',
          input === undefined ? null : summarize(input, summarizeInput).value,
          null,
          undefined,
          error,
          // A multistep action retried later goes on from its last `continue`.
          state ?? undefined,
          this.iso(),
        ),
      );
      return { kind: 'failed', error, retryable };
    }
    const storedInput = summarize(input, summarizeInput).value;
    if (result.kind === 'output' || result.kind === 'stream') {
      const output = result.kind === 'output' ? result.output : null;
      const stored = summarize(output, summarizeOutput);
      run.pending.push(
        stepRecord(
          'succeeded',
          storedInput,
          stored.value,
          stored.summarized ? output : undefined,
          null,
          undefined,
          this.iso(),
        ),
      );
      run.scope.steps[step.id] = output;
      if (run.wait?.seq === seq) run.waitChange = null;
      return undefined;
    }

    const reinvocations = (state?.reinvocations ?? 0) + 1;
    if (reinvocations > MAX_REINVOCATIONS) {
      const error: JobError = {
        code: 'MULTISTEP_LIMIT',
        message: `The action suspended itself more than ${MAX_REINVOCATIONS} times`,
        stepId,
      };
      run.pending.push(stepRecord('failed', storedInput, null, undefined, error, state, this.iso()));
      return { kind: 'failed', error, retryable: false };
    }
    let next: StepState;
    let runAt: number;
    if (result.kind === 'suspended') {
      const seconds = Math.max(result.reinvokeAfter.seconds, this.options.options.reinvokeMinSeconds);
      next = { continue: result.reinvokeAfter.continue, reinvocations };
      runAt = this.now() + seconds * 1000;
      if (run.wait?.seq === seq) run.waitChange = null;
    } else {
      // A URL no one read cannot be called, but the wait still needs a token to match against.
      if (!run.minted.has(seq)) this.mint(run, seq);
      next = { continue: result.waitForResume.continue, reinvocations, waiting: true };
      runAt = this.now() + result.waitForResume.timeoutSeconds * 1000;
      run.waitChange = { seq, tokenHash: run.minted.get(seq)! };
    }
    run.pending.push(stepRecord('suspended', storedInput, null, undefined, null, next, null));
    return { kind: 'suspended', runAt };
  }

  /** `ctx.resume` of a waiting step: the delivered call, or a timeout. */
  private resumeOf(
    run: JobRun,
    seq: number,
  ): { payload: unknown; headers: Record<string, string> } | { timedOut: true } {
    const call: ResumeCall | null | undefined = run.wait?.seq === seq ? run.wait.resume : undefined;
    return call ? { payload: call.payload, headers: call.headers } : { timedOut: true };
  }

  /** A resume URL with a fresh random token; the store keeps only its hash. */
  private mint(run: JobRun, seq: number): string {
    const token = randomBytes(24).toString('base64url');
    const tokenHash = sha256(token);
    run.minted.set(seq, tokenHash);
    const previous = this.liveWaits.get(run.job.id);
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.liveWaits.set(run.job.id, { tokenHash, settled, settle });
    previous?.settle();
    const base = this.options.publicUrl().replace(/\/+$/, '');
    return `${base}/webhooks/resume/${encodeURIComponent(run.job.id)}/${token}`;
  }

  private lastMs = Number.NaN;
  private lastIso = '';

  /** Now as ISO text; jobs ask several times per step, mostly within the same millisecond. */
  private iso(): string {
    const ms = this.now();
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.lastIso = new Date(ms).toISOString();
    }
    return this.lastIso;
  }

  /** The record of a step failed before it ran. */
  private failedRecord(
    run: JobRun,
    seq: number,
    stepId: string,
    record: RunStepRecord | undefined,
    error: JobError,
  ): RunStepRecord {
    const at = this.iso();
    return {
      jobId: run.job.id,
      seq,
      stepId,
      status: 'failed',
      input: record?.input ?? null,
      output: null,
      fullOutput: undefined,
      error,
      state: record?.state ?? undefined,
      attempts: record?.attempts ?? 0,
      startedAt: record?.startedAt ?? at,
      finishedAt: at,
    };
  }

  private async flush(run: JobRun): Promise<void> {
    if (run.pending.length === 0 && run.waitChange === undefined && run.claim === undefined) return;
    const steps = run.pending;
    const wait = run.waitChange;
    const patch = run.claim;
    run.pending = [];
    run.waitChange = undefined;
    run.claim = undefined;
    await this.writer.call({
      jobId: run.job.id,
      steps,
      ...(patch ? { patch } : {}),
      ...(wait === undefined ? {} : { wait }),
    });
  }

  /** Writes the end of this run (with the records not yet written) and says what comes next. */
  private async finish(run: JobRun, halt: Halt | undefined): Promise<RunOutcome> {
    const at = this.iso();
    let patch: JobPatch | undefined;
    let outcome: RunOutcome;
    if (!halt || (halt.kind === 'stop' && !halt.error)) {
      patch = { status: 'succeeded', error: null, finishedAt: at, runAt: null };
      outcome = { kind: 'finished', status: 'succeeded' };
    } else if (halt.kind === 'stop' || (halt.kind === 'failed' && !this.retries(run, halt))) {
      const error = halt.kind === 'stop' ? halt.error! : halt.error;
      patch = { status: 'failed', error, finishedAt: at, runAt: null };
      outcome = { kind: 'finished', status: 'failed' };
      this.options.log?.('info', `Job ${run.job.id} of recipe "${run.recipe.name}" failed`, { ...error });
    } else if (halt.kind === 'failed') {
      // Back-off doubles per attempt: base, 2·base, 4·base, ...
      const runAt = this.now() + this.options.options.jobRetryBaseMs * 2 ** (run.job.attempts - 1);
      patch = { status: 'pending', error: halt.error, runAt: new Date(runAt).toISOString() };
      outcome = { kind: 'later', status: 'pending', runAt };
    } else if (halt.kind === 'suspended') {
      patch = { status: 'suspended', runAt: new Date(halt.runAt).toISOString() };
      outcome = { kind: 'later', status: 'suspended', runAt: halt.runAt };
    } else {
      // A graceful stop between steps: the job stays `running` and the next start's claim counts
      // a new attempt, so hand this one back (only a stop in the middle of a step counts).
      // A claim never written leaves the job as it is stored (pending): nothing to hand back.
      run.claim = run.claim === undefined ? { attempts: run.job.attempts - 1 } : undefined;
      await this.flush(run);
      return { kind: 'interrupted' };
    }
    const wait = run.waitChange;
    await this.writer.call({
      jobId: run.job.id,
      patch: run.claim ? { ...run.claim, ...patch } : patch,
      steps: run.pending,
      ...(wait === undefined ? {} : { wait }),
    });
    run.pending = [];
    run.waitChange = undefined;
    run.claim = undefined;
    return outcome;
  }

  private retries(run: JobRun, halt: Extract<Halt, { kind: 'failed' }>): boolean {
    return halt.retryable && run.job.attempts < this.options.options.jobMaxAttempts;
  }
}
