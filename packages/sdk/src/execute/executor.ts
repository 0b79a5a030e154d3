/**
 * `execute(connector, path, options)`: the path-keyed entry kept for compatibility. It parses
 * the path once (cached per connector) and runs the typed operation it names through
 * `runOperation`, the dispatch table in `operations/`. Hosts call `runOperation` directly.
 */
import type { WebhookRequest as WebhookRequestData } from '../model/operations.js';
import { runOperation } from '../operations/run.js';
import type { OperationResult, RunOptions } from '../operations/types.js';
import type { ConnectorDefinition, ResumeValue } from '../types.js';
import { type ExecData, type ExecTarget, operationOf, parseExecPath } from './paths.js';

export { checkPollResult, MAX_EVENTS_PER_POLL } from '../operations/poll.js';
export { connectionSecrets } from '../operations/setup.js';

export type WebhookRequest = WebhookRequestData;

export interface ExecuteOptions extends RunOptions, ExecData {
  /** `ctx.resume` of an action running again after `waitForResume`. */
  resume?: ResumeValue;
}

export type ExecuteResult = OperationResult;

// A cache of parsed paths per (immutable) connector definition: jobs run the same few paths.
const parsedPaths = new WeakMap<ConnectorDefinition, Map<string, ExecTarget>>();

function targetOf(connector: ConnectorDefinition, path: string): ExecTarget {
  let paths = parsedPaths.get(connector);
  if (!paths) {
    paths = new Map();
    parsedPaths.set(connector, paths);
  }
  let target = paths.get(path);
  if (!target) {
    target = parseExecPath(path, connector);
    if (paths.size < 1000) paths.set(path, target);
  }
  return target;
}

/** Runs one operation of a connector, named by its exec path (`actions.x.execute`). */
export async function execute(
  connector: ConnectorDefinition,
  path: string,
  options: ExecuteOptions = {},
): Promise<ExecuteResult> {
  return runOperation(connector, operationOf(targetOf(connector, path), options), options);
}
