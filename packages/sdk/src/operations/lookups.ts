/** Pick lists, methods and streams: the connector's helpers, run on their own. */
import { UsageError, WeftError } from '../errors.js';
import { callMethod, createBaseContext, type RunEnvironment, runLambda } from '../execute/context.js';
import { asObject } from '../execute/fields.js';
import type { MethodOperation, PickListOperation, StreamOperation } from '../model/operations.js';
import { type OutputResult, output, type StreamResult } from './types.js';

export async function runPickList(
  env: RunEnvironment,
  operation: PickListOperation,
): Promise<OutputResult<unknown[][]>> {
  const { name, args } = operation;
  const fn = env.connector.pickLists?.[name];
  if (typeof fn !== 'function') {
    const known = Object.keys(env.connector.pickLists ?? {});
    throw new WeftError(
      'UNKNOWN_PICK_LIST',
      `Unknown pick list "${name}". ${known.length ? `Pick lists of this connector: ${known.join(', ')}` : 'This connector defines no pick lists.'}`,
    );
  }
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
    throw new UsageError(`pick_lists.${name}: --args must be a JSON object of pick-list arguments`);
  }
  const ctx = createBaseContext(env);
  const result: unknown = await runLambda(`pickLists.${name}`, env.redactor, () => fn(ctx, asObject(args)));
  if (!Array.isArray(result) || result.some((pair) => !Array.isArray(pair) || pair.length < 2)) {
    throw new WeftError('LAMBDA_FAILED', `pickLists.${name} must return an array of [label, value] pairs`);
  }
  return output(result);
}

export async function runMethod(env: RunEnvironment, operation: MethodOperation): Promise<OutputResult> {
  const args = operation.args === undefined ? [] : operation.args;
  if (!Array.isArray(args)) {
    throw new UsageError(`methods.${operation.name}: --args must be a JSON array of arguments`);
  }
  return output(await callMethod(env, createBaseContext(env), operation.name, args));
}

export function runStream(env: RunEnvironment, operation: StreamOperation): StreamResult {
  const ctx = createBaseContext(env);
  return { kind: 'stream', stream: ctx.streams.read(operation.name, { args: asObject(operation.args) }) };
}
