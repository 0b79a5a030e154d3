/** The `poll` and `dedup` operations of a trigger. */
import { WeftError } from '../errors.js';
import { type RunEnvironment, runLambda, withFields } from '../execute/context.js';
import { prepareInput } from '../execute/fields.js';
import type { DedupOperation, PollOperation } from '../model/operations.js';
import type { ConnectorDefinition, PollContext, PollOutput, PollResult, TriggerDefinition } from '../types.js';
import { findNamed } from './find.js';
import { type OutputResult, output } from './types.js';

/** At most this many events per poll (SPEC §6). */
export const MAX_EVENTS_PER_POLL = 1000;

export function findTrigger(connector: ConnectorDefinition, name: string): TriggerDefinition {
  return findNamed(connector.triggers, 'trigger', name);
}

export async function runPollOperation(
  env: RunEnvironment,
  operation: PollOperation,
): Promise<OutputResult<PollOutput>> {
  const trigger = findTrigger(env.connector, operation.trigger);
  const where = `triggers.${operation.trigger}`;
  const poll = trigger.poll;
  if (typeof poll !== 'function') throw new WeftError('UNKNOWN_PATH', `${where} defines no poll.`);
  const prepared = await prepareInput(where, trigger, env, operation);
  const ctx: PollContext = withFields(prepared.ctx, {
    input: prepared.input,
    closure: operation.closure ?? undefined,
    extendedInputSchema: prepared.inputFields,
  });
  const result = await runLambda(`${where}.poll`, env.redactor, () => poll(ctx));
  return output(checkPollResult(where, result), prepared.dropped);
}

export async function runDedup(env: RunEnvironment, operation: DedupOperation): Promise<OutputResult<unknown[]>> {
  const where = `triggers.${operation.trigger}`;
  const dedup = findTrigger(env.connector, operation.trigger).dedup;
  if (typeof dedup !== 'function') throw new WeftError('UNKNOWN_PATH', `${where} defines no dedup`);
  const events = Array.isArray(operation.input) ? operation.input : [operation.input];
  return output(await runLambda(`${where}.dedup`, env.redactor, () => events.map((e) => dedup(e))));
}

/** A poll must return `{ events: [...], nextPoll?, canPollMore?, nextPollAt? }` with at most 1,000 events. */
export function checkPollResult(where: string, result: unknown): PollOutput {
  if (!result || typeof result !== 'object' || !Array.isArray((result as PollResult).events)) {
    throw new WeftError('LAMBDA_FAILED', `${where}.poll must return { events: [...], nextPoll, canPollMore }`);
  }
  const r = result as PollResult;
  if (r.events.length > MAX_EVENTS_PER_POLL) {
    throw new WeftError(
      'TOO_MANY_EVENTS',
      `${where}.poll returned ${r.events.length} events; at most ${MAX_EVENTS_PER_POLL} are allowed per poll. ` +
        'Return fewer and set canPollMore: true to fetch the rest at once.',
      { details: { count: r.events.length, limit: MAX_EVENTS_PER_POLL } },
    );
  }
  if (r.canPollMore !== undefined && typeof r.canPollMore !== 'boolean') {
    throw new WeftError('LAMBDA_FAILED', `${where}.poll: canPollMore must be a boolean`);
  }
  const checked: PollOutput = { events: r.events, nextPoll: r.nextPoll ?? null, canPollMore: r.canPollMore ?? false };
  const at = nextPollAtOf(where, r.nextPollAt);
  if (at !== undefined) checked.nextPollAt = at;
  return checked;
}

/** `nextPollAt` as ISO text; absent or null is undefined; anything else not a time is an error. */
function nextPollAtOf(where: string, value: PollResult['nextPollAt']): string | undefined {
  if (value === undefined || value === null) return undefined;
  const time = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new WeftError(
      'LAMBDA_FAILED',
      `${where}.poll: nextPollAt must be a Date or an ISO 8601 time, got ${JSON.stringify(value)}`,
    );
  }
  return new Date(time).toISOString();
}
