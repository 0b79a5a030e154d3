/**
 * Helpers for the example connectors' tests (not a connector): run an operation for its output,
 * and check that refused credentials fail with the status and never show in the message.
 */
import type { ConnectorDefinition } from '@weft/sdk';
import { type ExecuteOptions, execute } from '@weft/sdk/runtime';
import { expect } from 'vitest';

/** Runs `path` with a copy of `connection` and answers its output (anything else is an error). */
export async function outputOf(
  connector: ConnectorDefinition,
  connection: Record<string, unknown>,
  path: string,
  options: ExecuteOptions = {},
): Promise<any> {
  const result = await execute(connector, path, { connection: { ...connection }, ...options });
  if (result.kind !== 'output') throw new Error(`expected an output, got ${result.kind}`);
  return result.output;
}

/** `attempt` fails with a message naming `status` and not containing `secret`. */
export async function expectRefusedWithout(attempt: Promise<unknown>, secret: string, status = /401/): Promise<void> {
  const error = await attempt.then(
    () => undefined,
    (e: Error) => e,
  );
  expect(error?.message).toMatch(status);
  expect(error?.message).not.toContain(secret);
}
