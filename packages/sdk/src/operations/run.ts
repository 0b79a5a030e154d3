/**
 * The dispatch table: one handler per operation kind. `runOperation` builds the run's setup,
 * calls the handler and turns the multistep signals into results. This table is what a
 * connector host will answer across a process boundary: operations and results are data.
 */
import { ReinvokeSignal, type RunEnvironment, WaitForResumeSignal } from '../execute/context.js';
import { OPERATION_KINDS, type Operation, type OperationKind, type OperationOf } from '../model/operations.js';
import type { ConnectorDefinition } from '../types.js';
import { runAction } from './action.js';
import { runApply, runAuthorizationStart, runBaseUri, runIdentity, runObtain, runTest } from './connection.js';
import { runDescription, runFieldList, runHelp, runObjectDefinition, runSampleOutput } from './describe.js';
import { runMethod, runPickList, runStream } from './lookups.js';
import { runDedup, runPollOperation } from './poll.js';
import { createRun } from './setup.js';
import type { OperationResult, OperationResults, ResultOf, RunOptions } from './types.js';
import { runWebhookKeys, runWebhookLifecycle, runWebhookNotification } from './webhook.js';

type Handler<K extends OperationKind> = (
  env: RunEnvironment,
  operation: OperationOf<K>,
  options: RunOptions,
) => OperationResults[K] | Promise<OperationResults[K]>;

const HANDLERS: { [K in OperationKind]: Handler<K> } = {
  action: (env, op, options) => runAction(env, op, options.resumeUrl),
  poll: runPollOperation,
  dedup: runDedup,
  webhook_notification: runWebhookNotification,
  webhook_subscribe: runWebhookLifecycle,
  webhook_unsubscribe: runWebhookLifecycle,
  webhook_refresh: runWebhookLifecycle,
  webhook_key: runWebhookLifecycle,
  webhook_keys: runWebhookKeys,
  input_fields: runFieldList,
  output_fields: runFieldList,
  config_fields: runFieldList,
  sample_output: runSampleOutput,
  description: runDescription,
  help: runHelp,
  object_definition: runObjectDefinition,
  pick_list: runPickList,
  method: runMethod,
  stream: runStream,
  test: runTest,
  identity: runIdentity,
  base_uri: runBaseUri,
  acquire: runObtain,
  refresh: runObtain,
  apply: runApply,
  authorization_start: runAuthorizationStart,
};

/** Runs one operation of a connector with one connection. */
export async function runOperation<O extends Operation>(
  connector: ConnectorDefinition,
  operation: O,
  options: RunOptions = {},
): Promise<ResultOf<O['kind']>> {
  return (await dispatch(connector, operation, options)) as ResultOf<O['kind']>;
}

async function dispatch(
  connector: ConnectorDefinition,
  operation: Operation,
  options: RunOptions,
): Promise<OperationResult> {
  const env = createRun(connector, operation.kind, options);
  const handler = HANDLERS[operation.kind] as Handler<OperationKind>;
  try {
    const result = await handler(env, operation as OperationOf<OperationKind>, options);
    // Redaction is for diagnostics and never rewrites data (SPEC §4): only what an authorization
    // operation prints (what `apply` set, what `acquire` obtained) is redacted.
    if (result.kind === 'output' && OPERATION_KINDS[operation.kind].redactOutput)
      result.output = env.redactor.redactValue(result.output);
    return result;
  } catch (error) {
    if (error instanceof ReinvokeSignal) {
      const { seconds, continue: next } = error.request;
      return { kind: 'suspended', reinvokeAfter: { seconds, continue: next } };
    }
    if (error instanceof WaitForResumeSignal) {
      const { timeoutSeconds, continue: next } = error.request;
      return { kind: 'waiting', waitForResume: { timeoutSeconds, continue: next } };
    }
    // Whatever failed, and whichever lambda wrote the message (an oauth2 setting's, say), the
    // message that leaves the run names no secret of the connection.
    if (error instanceof Error) {
      const redacted = env.redactor.redact(error.message);
      if (redacted !== error.message) error.message = redacted;
    }
    throw error;
  }
}
