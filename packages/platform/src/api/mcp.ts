/**
 * `/mcp`: the actions of stored connections as Model Context Protocol tools, over Streamable
 * HTTP (stateless: every POST is answered on its own, as JSON). The admin token sees every
 * connection; a scoped MCP token (mcp-tokens.ts) the connections it names. A tool is
 * `<connection>__<action>` (shortened to what assistants accept: the SDK's tool-names.ts); a
 * call runs the action as `POST /api/connectors/:name/run` does — job-less, in the connector's
 * isolated hosts, through the connection's agent group — and answers its output as JSON, or a
 * tool error with the connector's message, secrets redacted.
 *
 * The token is checked by the `onRequest` hook of the scope that holds the route the router
 * matched, like `/api` (auth.ts); the route belongs to the `api` role (roles.ts).
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { messageOf } from '@weft/sdk';
import {
  actionOfTool,
  callTool,
  listTools,
  mayBeUnder,
  type ToolDefinition,
  type ToolSource,
  toolError,
} from '@weft/sdk/runtime';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redactorFor } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { type McpCaller, McpTokens } from '../mcp-tokens.js';
import type { ServerContext } from '../runtime/context.js';
import { tokenMatches } from './auth.js';
import { errorBody } from './errors.js';
import { VERSION } from './health.js';
import { invalidParams } from './mcp-params.js';

/** Connections the admin token lists tools of (a page of the store's list, by name). */
const MAX_ADMIN_CONNECTIONS = 1000;

const UNAUTHORIZED_HINT =
  'Send the admin token or an MCP token (POST /api/mcp-tokens) as "Authorization: Bearer <token>"';

/** The `onRequest` hook of the `/mcp` scope: the admin token or a scoped token, else 401. */
function requireMcpCaller(adminToken: string, tokens: McpTokens, callers: WeakMap<FastifyRequest, McpCaller>) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (tokenMatches(header, adminToken)) {
      callers.set(request, { admin: true });
      return;
    }
    const given = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
    const record = given ? await tokens.authenticate(given) : undefined;
    if (record) {
      callers.set(request, { admin: false, token: record.name, connections: record.connections });
      return;
    }
    return reply.status(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', UNAUTHORIZED_HINT));
  };
}

async function connectionsOf(context: ServerContext, caller: McpCaller): Promise<readonly string[]> {
  if (!caller.admin) return caller.connections;
  const page = await context.store.listConnections({ limit: MAX_ADMIN_CONNECTIONS });
  return page.items.map((record) => record.name);
}

/** A connection's actions as a tool source; undefined when it cannot be opened (gone, connector removed). */
async function sourceOf(context: ServerContext, connection: string): Promise<ToolSource | undefined> {
  try {
    const live = await context.connections.live(connection);
    const redactor = redactorFor(live.definition, live.values);
    return {
      connector: live.definition,
      run: runOperation,
      prefix: connection,
      redact: (text) => redactor.redact(text),
      options: {
        connection: live.values,
        mode: 'interactive',
        refreshGate: live.refreshGate,
        dispatcher: live.dispatcher,
      },
    };
  } catch (error) {
    context.log('warn', `MCP: connection "${connection}" left out: ${messageOf(error)}`);
    return undefined;
  }
}

function mcpServer(context: ServerContext, caller: McpCaller): Server {
  const server = new Server({ name: 'weft', title: 'Weft', version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: ToolDefinition[] = [];
    for (const connection of await connectionsOf(context, caller)) {
      const source = await sourceOf(context, connection);
      if (!source) continue;
      const listed = await listTools(source);
      tools.push(...listed.tools);
      for (const problem of listed.problems) context.log('warn', `MCP: tool left out: ${problem}`);
    }
    return { tools };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    // The connections whose tools the name may be, longest first (names may themselves hold
    // `__`); the first with an action of that tool name runs it.
    const candidates = (await connectionsOf(context, caller))
      .filter((connection) => mayBeUnder(connection, name))
      .sort((a, b) => b.length - a.length);
    for (const connection of candidates) {
      const source = await sourceOf(context, connection);
      const action = source && actionOfTool(source, name);
      if (source && action) return callTool(source, action, request.params.arguments ?? {});
    }
    return toolError(`No tool named "${name}"`);
  });
  return server;
}

export async function mcpRoutes(app: FastifyInstance, context: ServerContext, adminToken: string): Promise<void> {
  const callers = new WeakMap<FastifyRequest, McpCaller>();
  app.addHook('onRequest', requireMcpCaller(adminToken, new McpTokens(context.store), callers));

  app.post('/mcp', async (request, reply) => {
    const caller = callers.get(request);
    if (!caller) return reply.status(401).send(errorBody('UNAUTHORIZED', UNAUTHORIZED_HINT));
    // The client's malformed params are its mistake (-32602), not the SDK's "Internal error".
    const malformed = invalidParams(request.body);
    if (malformed) return reply.status(200).send(malformed);
    const server = mcpServer(context, caller);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      // Hijacked: Fastify's error handler no longer answers for this request.
      context.log('error', `MCP: a request failed: ${messageOf(error)}`);
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify(errorBody('INTERNAL', 'The MCP request failed; see the server log')));
      }
    }
  });

  // Stateless: no server-sent event stream to open, no session to end.
  const notAllowed = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .status(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: POST JSON-RPC to /mcp' },
        id: null,
      });
  app.get('/mcp', notAllowed);
  app.delete('/mcp', notAllowed);
}
