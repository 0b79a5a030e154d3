/**
 * A connector's actions as tools for AI assistants (the Model Context Protocol: `weft mcp` and
 * the runtime's `/mcp`). Listing gives each action's name, description and input JSON Schema —
 * its config and input fields, dynamic ones resolved with the connection, static pick lists as
 * enums; a call runs the action (every step of a multistep one) and answers what an MCP
 * `tools/call` answers: the output as JSON (structured content and text), or a tool error with
 * the connector's message, secrets redacted.
 *
 * Plain data only, no MCP dependency: the hosts wire these to the protocol SDK, and run the
 * connector's code where they run it (`runner`: in this process or in a connector host).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import { humanize, type PickListOption } from '../model/fields.js';
import { connectionSecrets } from '../operations/setup.js';
import type { OperationRunner, RunOptions } from '../operations/types.js';
import { Redactor } from '../redact.js';
import { fieldsToJsonSchema, type JsonSchema } from '../schema/json-schema.js';
import type { ActionDefinition, ConnectorDefinition, Field } from '../types.js';
import { toolName } from './tool-names.js';

// Type aliases, not interfaces: the protocol SDK's result types take any object with these keys.
export type ToolDefinition = {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: 'object' } & JsonSchema;
};

export type ToolResult = {
  content: { type: 'text'; text: string }[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
};

export interface ToolSource {
  connector: ConnectorDefinition;
  /** Where the connector's code runs (`runOperation`, or a connector host's runner). */
  run: OperationRunner;
  /** The connection and the host's callbacks, given to every operation. */
  options: RunOptions;
  /** Redacts a failure's message (default: the connection's secrets, as `connectionSecrets` finds them). */
  redact?: (text: string) => string;
  /** Put before each tool name with `__` (the runtime: the connection's name); see tool-names.ts. */
  prefix?: string;
  /** Steps of a multistep action run before a call gives up (default 20). */
  maxSteps?: number;
  /** The longest wait between two steps of a multistep action (default 60 s). */
  maxStepWaitMs?: number;
}

/** The actions offered as tools: every action but deprecated ones, by name. */
function actionsOf(connector: ConnectorDefinition): [string, ActionDefinition][] {
  return Object.entries(connector.actions ?? {})
    .filter(([, action]) => !action.deprecated)
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The action a tool name stands for, or undefined when the name is not one of this source's. */
export function actionOfTool(source: Pick<ToolSource, 'prefix' | 'connector'>, name: string): string | undefined {
  return actionsOf(source.connector).find(([action]) => toolName(source.prefix, action) === name)?.[0];
}

/** Keywords whose values are data, not schemas: kept as they are. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required']);

/**
 * Editor hints (`x-…`) mean nothing to an assistant: the schema keeps standard keywords only.
 * Property names are names, not keywords (a field may be called `x-request-id`).
 */
function standardOnly(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(standardOnly);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith('x-')) continue;
    if (DATA_KEYWORDS.has(key)) out[key] = value;
    else if (key === 'properties' && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, standardOnly(inner)]));
    } else out[key] = standardOnly(value);
  }
  return out;
}

/** Named pick lists that take no arguments are static: their values become the field's enum. */
async function withStaticPickLists(source: ToolSource, fields: readonly Field[], lists: Map<string, unknown>) {
  const out: Field[] = [];
  for (const field of fields) {
    let next: Field = field;
    if (field.properties) next = { ...next, properties: await withStaticPickLists(source, field.properties, lists) };
    const named = typeof field.pickList === 'string' && !field.pickListParams ? field.pickList : undefined;
    if (named && (field.controlType === 'select' || field.controlType === 'multiselect')) {
      if (!lists.has(named)) {
        const rows = await source
          .run(source.connector, { kind: 'pick_list', name: named }, source.options)
          .then((result) => result.output)
          .catch(() => undefined);
        lists.set(named, rows);
      }
      const rows = lists.get(named);
      if (Array.isArray(rows) && rows.every((row) => Array.isArray(row) && row.length >= 2)) {
        next = { ...next, pickList: rows as PickListOption[] };
      }
    }
    out.push(next);
  }
  return out;
}

async function describe(source: ToolSource, name: string, action: ActionDefinition): Promise<string> {
  const { connector, run, options } = source;
  const title = action.title ?? humanize(name);
  const parts = [`${connector.title}: ${title}.`];
  if (action.subtitle) parts.push(action.subtitle);
  const text = (kind: 'description' | 'help') =>
    run(connector, { kind, of: 'action', name }, options)
      .then((result) => result.output)
      .catch(() => null);
  const description = typeof action.description === 'string' ? action.description : await text('description');
  if (typeof description === 'string' && description) parts.push(description);
  const help = typeof action.help === 'string' ? { body: action.help } : action.help ? await text('help') : null;
  if (help && typeof help === 'object' && 'body' in help && help.body) {
    parts.push(help.learnMoreUrl ? `${help.body}\n\nMore: ${help.learnMoreUrl}` : help.body);
  }
  return parts.join('\n\n');
}

/** One action's tool: its fields resolved with the connection (config fields unset). */
async function toolOf(source: ToolSource, name: string, lists: Map<string, unknown>): Promise<ToolDefinition> {
  const { connector, run, options } = source;
  const action = connector.actions![name];
  const input = await run(connector, { kind: 'input_fields', of: 'action', name }, options);
  const fields = [...(action.configFields ?? []), ...input.output];
  const resolved = await withStaticPickLists(source, fields, lists);
  const schema = standardOnly(fieldsToJsonSchema(resolved, { mode: 'input' })) as ToolDefinition['inputSchema'];
  return {
    name: toolName(source.prefix, name),
    title: `${connector.title}: ${action.title ?? humanize(name)}`,
    description: await describe(source, name, action),
    inputSchema: schema,
  };
}

/**
 * Every action as a tool. An action whose fields cannot be resolved (its lambda failed) is
 * left out and named in `problems` (redacted), so one broken action hides no other.
 */
export async function listTools(source: ToolSource): Promise<{ tools: ToolDefinition[]; problems: string[] }> {
  const tools: ToolDefinition[] = [];
  const problems: string[] = [];
  const lists = new Map<string, unknown>();
  const redact = redactOf(source);
  for (const [name] of actionsOf(source.connector)) {
    try {
      tools.push(await toolOf(source, name, lists));
    } catch (error) {
      problems.push(`${toolName(source.prefix, name)}: ${redact(messageOf(error))}`);
    }
  }
  return { tools, problems };
}

function redactOf(source: ToolSource): (text: string) => string {
  if (source.redact) return source.redact;
  const redactor = new Redactor(connectionSecrets(source.connector, source.options.connection ?? {}));
  for (const secret of source.options.secrets ?? []) redactor.add(secret);
  return (text) => redactor.redact(text);
}

export function toolError(message: string): ToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}

/** An action's output as a tool result: structured content is an object, so other values are `{ result }`. */
export function toolOutput(output: unknown): ToolResult {
  const value = output === undefined ? null : output;
  const structured =
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { result: value };
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: structured };
}

/** Runs the action a tool stands for with the call's arguments (config field values included). */
export async function callTool(source: ToolSource, action: string, args: Record<string, unknown> = {}) {
  const { connector, run, options } = source;
  const maxSteps = source.maxSteps ?? 20;
  try {
    let result = await run(connector, { kind: 'action', action, input: args }, options);
    for (let step = 1; result.kind === 'suspended'; step++) {
      if (step >= maxSteps) {
        return toolError(`The action is still running after ${maxSteps} steps; run it as a job instead.`);
      }
      const wait = Math.min(result.reinvokeAfter.seconds * 1000, source.maxStepWaitMs ?? 60_000);
      if (wait > 0) await sleep(wait);
      result = await run(
        connector,
        { kind: 'action', action, input: args, continue: result.reinvokeAfter.continue },
        options,
      );
    }
    if (result.kind === 'waiting') {
      return toolError('The action waits for a resume request, which a tool call cannot give; run it in a recipe.');
    }
    return toolOutput(result.output);
  } catch (error) {
    return toolError(redactOf(source)(messageOf(error)));
  }
}
