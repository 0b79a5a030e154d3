/**
 * `/mcp` requests whose params break their method's schema (`tools/call` with `arguments: "x"`,
 * `initialize` without `protocolVersion`): the MCP SDK parses them inside the handler and
 * answers -32603 "Internal error" with the validator's issues dumped as JSON. This answers the
 * client's mistake as what it is, before the SDK sees it: -32602 Invalid params, naming the field.
 */
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  ListToolsRequestSchema,
  PingRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';

interface Checked {
  safeParse(value: unknown): { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
}

/** The methods `/mcp` serves, with the SDK's schemas of their requests. */
const REQUESTS: Readonly<Record<string, Checked>> = {
  initialize: InitializeRequestSchema,
  ping: PingRequestSchema,
  'tools/list': ListToolsRequestSchema,
  'tools/call': CallToolRequestSchema,
};

export interface InvalidParamsAnswer {
  jsonrpc: '2.0';
  id: string | number;
  error: { code: number; message: string };
}

/** The JSON-RPC answer to one request whose params are malformed; undefined for anything else. */
export function invalidParams(message: unknown): InvalidParamsAnswer | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const { id, method } = message as { id?: unknown; method?: unknown };
  if ((typeof id !== 'string' && typeof id !== 'number') || typeof method !== 'string') return undefined;
  const schema = Object.hasOwn(REQUESTS, method) ? REQUESTS[method] : undefined;
  const issue = schema?.safeParse(message).error?.issues[0];
  if (!issue) return undefined;
  const where = issue.path.map(String).join('.') || 'params';
  return {
    jsonrpc: '2.0',
    id,
    error: { code: ErrorCode.InvalidParams, message: `Invalid params: ${where}: ${issue.message.slice(0, 200)}` },
  };
}
