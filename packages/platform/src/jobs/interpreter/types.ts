/** What the step modules of the interpreter share. */
import type { Connections } from '../../connections.js';
import type { Step } from '../../recipes/types.js';
import type { RuntimeOptions } from '../../runtime/options.js';
import type { Clock } from '../clock.js';
import type { Journal } from '../journal.js';
import type { ResumeTokens } from '../resume-tokens.js';
import type { Halt, JobRun } from '../run.js';
import type { ActionResolver } from '../steps.js';

/** Walks `steps` (at `path` in the recipe; `iteration`: the foreach indexes, `[2]`). */
export type Walk = (steps: readonly Step[], run: JobRun, path: string, iteration: string) => Promise<Halt | undefined>;

/** What an action step runs with. */
export interface ActionDeps {
  resolver: Pick<ActionResolver, 'resolve'>;
  connections: Pick<Connections, 'live'>;
  journal: Pick<Journal, 'flush'>;
  tokens: Pick<ResumeTokens, 'mint' | 'prepare'>;
  clock: Clock;
  options: Pick<RuntimeOptions, 'jobMaxAttempts' | 'reinvokeMinSeconds'>;
  /** True once the server is closing: no new step starts. */
  closing: () => boolean;
}
