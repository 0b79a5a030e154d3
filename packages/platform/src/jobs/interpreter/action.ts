/**
 * An action step: runs through the SDK's executor (the same one `weft exec` uses) and leaves a
 * record numbered in execution order (`seq`). A job that runs again — after a crash, a retry or
 * a multistep suspension — walks the recipe again and reuses each succeeded record (its full
 * output) instead of running the step, so only the step in flight runs again.
 */
import type { Operation, OperationResult } from '@weft/sdk/operations';
import { runOperation } from '../../connector-runtime.js';
import { evaluateInput } from '../../recipes/formula.js';
import type { ActionStep } from '../../recipes/types.js';
import { StepLog } from '../../step-logs.js';
import type { JobError, ResumeCall, RunStepRecord } from '../../store/store.js';
import { classifyError, serverStoppedError } from '../job-errors.js';
import { failedBeforeRun } from '../journal.js';
import type { Halt, JobRun, StepState } from '../run.js';
import { summarize } from '../summarize.js';
import { suspension } from './suspend.js';
import type { ActionDeps } from './types.js';

export async function runAction(
  step: ActionStep,
  run: JobRun,
  at: string,
  iteration: string,
  deps: ActionDeps,
): Promise<Halt | undefined> {
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
  if (deps.closing()) return { kind: 'interrupted' };
  if (run.stoppedTooOften) {
    const error = serverStoppedError(stepId, deps.options.jobMaxAttempts);
    run.pending.push(failedBeforeRun(run, seq, stepId, record, error, deps.clock.iso()));
    return { kind: 'failed', error, retryable: false };
  }
  // The records before this step, and the job's running state with its attempt, must be
  // durable before it runs: a step that takes the process down then counts an attempt.
  await deps.journal.flush(run);

  const state = record?.state as StepState | null | undefined;
  const startedAt = record?.status === 'suspended' && record.startedAt ? record.startedAt : deps.clock.iso();
  const attempts = (record?.attempts ?? 0) + 1;
  // Its `ctx.log` lines; a multistep action woken from a suspension goes on with the earlier ones.
  const log = new StepLog(() => deps.clock.iso(), record?.status === 'suspended' ? record.logs : undefined);
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
    logs: log.result(),
  });
  let input: Record<string, unknown> | undefined;
  let result: OperationResult;
  let summarizeInput: readonly string[] | undefined;
  let summarizeOutput: readonly string[] | undefined;
  try {
    input = await evaluateInput(step.input, run.scope, { path: `${at}.input` });
    const resolved = await deps.resolver.resolve(step, run.recipe.connectorVersions);
    summarizeInput = resolved.action.summarizeInput;
    summarizeOutput = resolved.action.summarizeOutput;
    const live = step.connection ? await deps.connections.live(step.connection) : undefined;
    const resume = state?.waiting ? resumeOf(run, seq) : undefined;
    const operation = { kind: 'action', action: resolved.name, input, continue: state?.continue, resume } as const;
    result = await runOperation<Operation>(resolved.definition, operation, {
      connection: live?.values ?? {},
      refreshGate: live?.refreshGate,
      dispatcher: live?.dispatcher,
      mode: 'job',
      resumeUrl: deps.tokens.prepare(run.job.id, seq, run.minted),
      timeLimitMs: step.timeoutSeconds === undefined ? undefined : step.timeoutSeconds * 1000,
      onLog: log.onLog,
    });
  } catch (thrown) {
    const { error, retryable } = classifyError(thrown, stepId);
    const storedInput = input === undefined ? null : summarize(input, summarizeInput).value;
    // A multistep action retried later goes on from its last `continue`.
    run.pending.push(stepRecord('failed', storedInput, null, undefined, error, state ?? undefined, deps.clock.iso()));
    return { kind: 'failed', error, retryable };
  }
  const storedInput = summarize(input, summarizeInput).value;
  if (result.kind === 'output' || result.kind === 'stream') {
    const output = result.kind === 'output' ? result.output : null;
    const stored = summarize(output, summarizeOutput);
    const full = stored.summarized ? output : undefined;
    run.pending.push(stepRecord('succeeded', storedInput, stored.value, full, null, undefined, deps.clock.iso()));
    run.scope.steps[step.id] = output;
    if (run.wait?.seq === seq) run.waitChange = null;
    return undefined;
  }
  const suspended = suspension(result, run, seq, stepId, state, deps);
  if (suspended.kind === 'failed') {
    run.pending.push(stepRecord('failed', storedInput, null, undefined, suspended.error, state, deps.clock.iso()));
    return suspended;
  }
  run.pending.push(stepRecord('suspended', storedInput, null, undefined, null, suspended.next, null));
  return { kind: 'suspended', runAt: suspended.runAt };
}

/** `ctx.resume` of a waiting step: the delivered call, or a timeout. */
function resumeOf(
  run: JobRun,
  seq: number,
): { payload: unknown; headers: Record<string, string> } | { timedOut: true } {
  const call: ResumeCall | null | undefined = run.wait?.seq === seq ? run.wait.resume : undefined;
  return call ? { payload: call.payload, headers: call.headers } : { timedOut: true };
}
