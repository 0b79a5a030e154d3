/**
 * The `action` operation: an action's `execute` with its input processed, its output converted,
 * and the multistep signals (`reinvokeAfter`, `waitForResume`) it may throw.
 */
import { WeftError } from '../errors.js';
import { extend, ReinvokeSignal, type RunEnvironment, runLambda, WaitForResumeSignal } from '../execute/context.js';
import { convertOutput, prepareInput, resolveOutputFields } from '../execute/fields.js';
import type { RetryPolicy } from '../http/types.js';
import type { ActionOperation } from '../model/operations.js';
import type { ActionContext, ActionDefinition, ConnectorDefinition } from '../types.js';
import { findNamed } from './find.js';
import { type OutputResult, output, type RunOptions } from './types.js';

export function findAction(connector: ConnectorDefinition, name: string): ActionDefinition {
  return findNamed(connector.actions, 'action', name);
}

function retryPolicy(action: ActionDefinition): RetryPolicy | undefined {
  if (!action.retryOnResponse?.length && !action.maxRetries) return undefined;
  return {
    retryOnResponse: action.retryOnResponse ?? [],
    retryOnRequest: (action.retryOnRequest ?? ['GET', 'HEAD']).map((m) => m.toUpperCase()),
    maxRetries: Math.min(3, Math.max(0, action.maxRetries ?? 3)),
  };
}

/** Runs `execute`; the signals it throws are turned into results by the dispatcher. */
export async function runAction(
  env: RunEnvironment,
  operation: ActionOperation,
  resumeUrl: RunOptions['resumeUrl'],
): Promise<OutputResult> {
  const name = operation.action;
  const action = findAction(env.connector, name);
  const where = `actions.${name}`;
  if (typeof action.execute !== 'function') {
    throw new WeftError('DEFINITION_INVALID', `${where}.execute must be a function`);
  }
  const prepared = await prepareInput(where, action, env, operation, retryPolicy(action));
  const outputFields = await resolveOutputFields(where, action, prepared, env);
  const ctx = extend(prepared.ctx, {
    input: prepared.input,
    extendedInputSchema: prepared.inputFields,
    extendedOutputSchema: outputFields,
    continue: operation.continue,
    reinvokeAfter(request: { seconds: number; continue: unknown }): never {
      if (!request || typeof request.seconds !== 'number' || request.seconds < 0) {
        throw new WeftError(
          'LAMBDA_FAILED',
          `${where}.execute: reinvokeAfter needs { seconds: number >= 0, continue }`,
        );
      }
      throw new ReinvokeSignal({ seconds: request.seconds, continue: request.continue });
    },
    resume: operation.resume,
    waitForResume(request: { timeoutSeconds: number; continue: unknown }): never {
      if (
        !request ||
        typeof request.timeoutSeconds !== 'number' ||
        !Number.isFinite(request.timeoutSeconds) ||
        request.timeoutSeconds <= 0
      ) {
        throw new WeftError(
          'LAMBDA_FAILED',
          `${where}.execute: waitForResume needs { timeoutSeconds: number > 0, continue }`,
        );
      }
      throw new WaitForResumeSignal({ timeoutSeconds: request.timeoutSeconds, continue: request.continue });
    },
  });
  const actionCtx = withResumeUrl(ctx, resumeUrl);
  const result = await runLambda(`${where}.execute`, env.redactor, () => action.execute(actionCtx));
  const converted = await convertOutput(outputFields, result, env);
  return output(converted, prepared.dropped);
}

/** `ctx.resumeUrl`: a plain value, or minted on first read and then kept. */
function withResumeUrl<T extends object>(ctx: T, source: RunOptions['resumeUrl']): T & ActionContext {
  if (typeof source !== 'function') {
    Object.defineProperty(ctx, 'resumeUrl', { value: source, enumerable: true });
  } else {
    let url: string | undefined;
    Object.defineProperty(ctx, 'resumeUrl', {
      get: () => {
        url ??= source();
        return url;
      },
      enumerable: true,
    });
  }
  // `resumeUrl` is defined above; the rest of ActionContext is what `extend` added.
  return ctx as T & ActionContext;
}
