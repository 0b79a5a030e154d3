/** `/api/mcp-tokens`: create, list and delete the scoped tokens of the MCP endpoint (mcp-tokens.ts). */
import type { FastifyInstance } from 'fastify';
import { McpTokens } from '../mcp-tokens.js';
import type { ServerContext } from '../runtime/context.js';
import { answer, empty, failure, invalid, nameProperty, notFound, params, unauthorized } from './schemas.js';

const mcpToken = {
  type: 'object',
  required: ['name', 'connections', 'createdAt'],
  properties: {
    name: { type: 'string' },
    connections: { type: 'array', items: { type: 'string' }, description: 'The connections whose actions it may use' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const mcpTokenInput = {
  type: 'object',
  required: ['name', 'connections'],
  additionalProperties: false,
  properties: {
    name: nameProperty,
    connections: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', minLength: 1 },
      description: 'The stored connections whose actions the token may list and call at `/mcp`',
    },
  },
};

export async function mcpTokenRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const tokens = new McpTokens(context.store);

  app.get(
    '/api/mcp-tokens',
    {
      schema: {
        summary: 'List the MCP tokens, by name (without the tokens)',
        response: {
          200: answer('The tokens', { type: 'object', properties: { items: { type: 'array', items: mcpToken } } }),
          ...unauthorized,
        },
      },
    },
    async () => ({ items: await tokens.list() }),
  );

  app.post<{ Body: { name: string; connections: string[] } }>(
    '/api/mcp-tokens',
    {
      schema: {
        summary: 'Create a token for `/mcp` limited to some connections; the token is in the answer, this once',
        body: mcpTokenInput,
        response: {
          201: answer('The token', {
            ...mcpToken,
            required: [...mcpToken.required, 'token'],
            properties: { ...mcpToken.properties, token: { type: 'string', description: 'Shown this once' } },
          }),
          ...invalid,
          ...unauthorized,
          404: failure('A connection named does not exist'),
          409: failure('The name is taken'),
        },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return tokens.create(request.body);
    },
  );

  app.delete<{ Params: { name: string } }>(
    '/api/mcp-tokens/:name',
    {
      schema: {
        summary: 'Delete an MCP token: it stops working at once',
        params: params('name'),
        response: { 204: empty('Deleted'), ...unauthorized, ...notFound },
      },
    },
    async (request, reply) => {
      await tokens.remove(request.params.name);
      reply.status(204).send();
    },
  );
}
