import type { ExecuteOptions } from '../execute/executor.js';
import { MAX_EVENTS_PER_POLL } from '../operations/poll.js';
import { runOperation } from '../operations/run.js';
import type { OperationRunner } from '../operations/types.js';
import type { ConnectorDefinition } from '../types.js';
import { type EventSigner, selectNew } from './dedup.js';
import type { SeenStore } from './seen.js';

/** At most this many events per poll (checked by the executor); more is an error and nothing is recorded. */
export { MAX_EVENTS_PER_POLL };
/** After this many consecutive polls without a new event, the cycle stops until the next interval. */
export const MAX_EMPTY_POLLS = 600;

export interface RunPollOptions {
  connector: ConnectorDefinition;
  /** The trigger's name (the key under `triggers`). */
  trigger: string;
  input?: unknown;
  /** The closure from the previous poll (absent on the first). */
  closure?: unknown;
  connection?: Record<string, unknown>;
  store: SeenStore;
  /** Signatures are kept per recipe: the store's scope. */
  recipeKey?: string;
  /** Consecutive polls without a new event so far in this cycle (from the previous outcome). */
  emptyPolls?: number;
  /**
   * Record the new signatures in the store (default true). The runtime passes false and
   * records them itself in the transaction that creates the jobs and stores the closure.
   */
  record?: boolean;
  /** Everything else the executor takes (clock, mode, logging, dispatcher, ...). */
  executeOptions?: ExecuteOptions;
  /** Where the connector's code runs (default: `runOperation`, in this process). */
  runner?: OperationRunner;
}

export interface PollOutcome {
  /** New events only, in the order the poll returned them. */
  events: unknown[];
  /** Signatures of the new events (same order); empty when the trigger has no `dedup`. */
  signatures: string[];
  /** Events dropped as already seen. */
  duplicates: number;
  /** The closure for the next poll: `nextPoll`, or the previous closure when it was missing or null. */
  nextClosure: unknown;
  /** What the poll said: more is waiting now. */
  canPollMore: boolean;
  /** When the poll asked to be polled next (ISO text), if it did (`PollResult.nextPollAt`). */
  nextPollAt?: string;
  /** Poll again at once: `canPollMore`, unless the empty-poll limit was reached. */
  pollAgain: boolean;
  /** Consecutive polls without a new event; pass it to the next poll of the cycle (0 once the cycle ends). */
  emptyPolls: number;
  /** 600 polls in a row brought nothing new: the cycle stops until the next interval. */
  emptyLimitReached: boolean;
  /** Input keys that no field declares (dropped by input processing). */
  dropped: string[];
}

/**
 * Runs one poll. A poll that throws (or returns a bad result, or too many events) throws: the
 * caller keeps its closure and nothing is recorded.
 */
export async function runPoll(options: RunPollOptions): Promise<PollOutcome> {
  const { connector, trigger, store } = options;
  const where = `triggers.${trigger}`;
  const definition = connector.triggers?.[trigger];
  const closure = options.closure ?? options.executeOptions?.closure;
  const input = options.input ?? options.executeOptions?.input;
  const configFields = options.executeOptions?.configFields;
  const run = options.runner ?? runOperation;
  const runOptions = {
    ...options.executeOptions,
    connection: options.connection ?? options.executeOptions?.connection,
  };
  const result = await run(connector, { kind: 'poll', trigger, input, configFields, closure }, runOptions);
  const poll = result.output;
  const sign = options.runner && signerOf(options.runner, connector, trigger, runOptions);
  const fresh = await selectNew(definition?.dedup, poll.events, store, { scope: options.recipeKey, where, sign });
  const nextClosure = poll.nextPoll ?? closure ?? null;
  let emptyPolls = fresh.events.length > 0 ? 0 : (options.emptyPolls ?? 0) + 1;
  const emptyLimitReached = emptyPolls >= MAX_EMPTY_POLLS;
  const pollAgain = poll.canPollMore && !emptyLimitReached;
  if (!pollAgain) emptyPolls = 0;
  if (options.record !== false && fresh.signatures.length) await store.add(fresh.signatures, options.recipeKey);
  return {
    events: fresh.events,
    signatures: fresh.signatures,
    duplicates: fresh.duplicates,
    nextClosure,
    canPollMore: poll.canPollMore,
    ...(poll.nextPollAt === undefined ? {} : { nextPollAt: poll.nextPollAt }),
    pollAgain,
    emptyPolls,
    emptyLimitReached,
    dropped: result.dropped,
  };
}

/** Signs events through a runner's `dedup` operation (the connector's code runs where the runner says). */
export function signerOf(
  runner: OperationRunner,
  connector: ConnectorDefinition,
  trigger: string,
  options: ExecuteOptions,
): EventSigner {
  return async (events) => (await runner(connector, { kind: 'dedup', trigger, input: [...events] }, options)).output;
}

export interface PollCycleOptions extends Omit<RunPollOptions, 'record'> {
  /** Stop after this many polls even if more is waiting (default 100). */
  maxPolls?: number;
  /** Told about each poll as it completes (e.g. to print events as they come). */
  onPoll?: (outcome: PollOutcome, index: number) => void | Promise<void>;
}

export interface PollCycleOutcome {
  events: unknown[];
  nextClosure: unknown;
  /** True when the cycle stopped with more waiting (max polls or the empty-poll limit). */
  canPollMore: boolean;
  polls: number;
  duplicates: number;
  emptyLimitReached: boolean;
  maxPollsReached: boolean;
}

/** Polls while `pollAgain`, carrying the closure and the empty-poll counter; dedup spans every page. */
export async function runPollCycle(options: PollCycleOptions): Promise<PollCycleOutcome> {
  const maxPolls = options.maxPolls ?? 100;
  const events: unknown[] = [];
  let closure = options.closure;
  let emptyPolls = options.emptyPolls ?? 0;
  let duplicates = 0;
  for (let polls = 1; ; polls++) {
    const outcome = await runPoll({ ...options, closure, emptyPolls });
    await options.onPoll?.(outcome, polls - 1);
    events.push(...outcome.events);
    duplicates += outcome.duplicates;
    closure = outcome.nextClosure;
    emptyPolls = outcome.emptyPolls;
    const maxPollsReached = outcome.pollAgain && polls >= maxPolls;
    if (!outcome.pollAgain || maxPollsReached) {
      return {
        events,
        nextClosure: closure ?? null,
        canPollMore: outcome.canPollMore,
        polls,
        duplicates,
        emptyLimitReached: outcome.emptyLimitReached,
        maxPollsReached,
      };
    }
  }
}
