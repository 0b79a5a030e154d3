/**
 * What forms and `weft exec` read about an action or a trigger without running it: its field
 * lists, sample output, description and help, and the connector's object definitions.
 */
import { WeftError } from '../errors.js';
import { configScope, createBaseContext, type RunEnvironment, withFields } from '../execute/context.js';
import { fieldsOnly, type HelpText, operationText, sampleOutput } from '../execute/fields.js';
import type { DescribeOperation, ObjectDefinitionOperation } from '../model/operations.js';
import type { ActionDefinition, Field, TriggerDefinition } from '../types.js';
import { findAction } from './action.js';
import { findTrigger } from './poll.js';
import { type OutputResult, output } from './types.js';

const FIELD_LISTS = {
  input_fields: 'inputFields',
  output_fields: 'outputFields',
  config_fields: 'configFields',
} as const;

function describedOf(env: RunEnvironment, operation: DescribeOperation) {
  const definition: ActionDefinition | TriggerDefinition =
    operation.of === 'action' ? findAction(env.connector, operation.name) : findTrigger(env.connector, operation.name);
  const where = `${operation.of === 'action' ? 'actions' : 'triggers'}.${operation.name}`;
  return { definition, where };
}

/** The operation's `description` or `help`, evaluated when it is a function. */
function describedText(env: RunEnvironment, operation: DescribeOperation, key: 'description' | 'help') {
  const { definition, where } = describedOf(env, operation);
  return operationText(where, definition, key, env, operation);
}

/** `input_fields`, `output_fields`, `config_fields`. */
export async function runFieldList(env: RunEnvironment, operation: DescribeOperation): Promise<OutputResult<Field[]>> {
  const { definition, where } = describedOf(env, operation);
  const which = FIELD_LISTS[operation.kind as keyof typeof FIELD_LISTS];
  if (!which) throw new WeftError('UNKNOWN_PATH', `${where} has no field list "${operation.kind}".`);
  return output(await fieldsOnly(where, definition, which, env, operation));
}

export async function runSampleOutput(env: RunEnvironment, operation: DescribeOperation): Promise<OutputResult> {
  const { definition, where } = describedOf(env, operation);
  return output(await sampleOutput(where, definition, env, operation));
}

export async function runDescription(
  env: RunEnvironment,
  operation: DescribeOperation,
): Promise<OutputResult<string | null>> {
  const text = await describedText(env, operation, 'description');
  return output(typeof text === 'string' ? text : null);
}

export async function runHelp(
  env: RunEnvironment,
  operation: DescribeOperation,
): Promise<OutputResult<HelpText | null>> {
  const text = await describedText(env, operation, 'help');
  return output(text === null || typeof text === 'string' ? null : text);
}

export async function runObjectDefinition(
  env: RunEnvironment,
  operation: ObjectDefinitionOperation,
): Promise<OutputResult<Field[]>> {
  const { name } = operation;
  const ctx = withFields(createBaseContext(env), configScope(env, operation.configFields ?? {}));
  if (!env.connector.objectDefinitions?.[name]) {
    const known = Object.keys(env.connector.objectDefinitions ?? {});
    throw new WeftError(
      'UNKNOWN_OBJECT_DEFINITION',
      `Unknown object definition "${name}". Object definitions of this connector: ${known.join(', ') || 'none'}`,
    );
  }
  return output(await ctx.objectDefinitions[name]);
}
