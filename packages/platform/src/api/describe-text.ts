/**
 * `description` and `help` of an action or trigger as the API shows them. Functions are run
 * (with no connection and no config fields: a description of the operation, not of a recipe);
 * one that throws, hangs or returns the wrong type gives a problem next to the operation, never
 * a failed request.
 */
import { type ActionDefinition, type ConnectorDefinition, messageOf, type TriggerDefinition } from '@weft/sdk';
import type { HelpText, OperationTexts } from '@weft/sdk/model';
import { runOperation } from '../connector-runtime.js';

/** A description computes a sentence: it gets this long before it is given up. */
const TEXT_TIMEOUT_MS = 2000;

export async function operationTexts(
  definition: ConnectorDefinition,
  section: 'actions' | 'triggers',
  name: string,
  op: ActionDefinition | TriggerDefinition,
): Promise<OperationTexts> {
  const out: OperationTexts = {};
  const problems: { path: string; message: string }[] = [];
  if (typeof op.description === 'function') out.dynamicDescription = true;
  for (const which of ['description', 'help'] as const) {
    const given = op[which];
    if (given === undefined || given === null) continue;
    if (typeof given === 'string') {
      if (which === 'description') out.description = given;
      else out.help = { body: given };
      continue;
    }
    const path = `${section}.${name}.${which}`;
    try {
      const of = section === 'actions' ? 'action' : 'trigger';
      const operation = { kind: which, of, name, configFields: {} } as const;
      const result = await withTimeout(runOperation(definition, operation, { connection: {} }), path);
      const value = result.kind === 'output' ? result.output : null;
      if (value === null) continue;
      if (which === 'description') out.description = value as string;
      else out.help = value as HelpText;
    } catch (error) {
      problems.push({ path, message: messageOf(error) });
    }
  }
  if (problems.length) out.problems = problems;
  return out;
}

function withTimeout<T>(promise: Promise<T>, path: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${path} did not finish within ${TEXT_TIMEOUT_MS} ms`)), TEXT_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
