/** `/api/agents`: register, list, read, revoke and rotate on-premises agents (agents/service.ts). */
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../runtime/context.js';
import {
  answer,
  empty,
  failure,
  IDENTIFIER,
  invalid,
  nameProperty,
  notFound,
  params,
  ref,
  unauthorized,
} from './schemas.js';

type Named = { Params: { name: string } };

const agentInput = {
  type: 'object',
  required: ['name', 'group'],
  additionalProperties: false,
  properties: {
    name: nameProperty,
    group: {
      type: 'string',
      minLength: 1,
      description: `The group a connection picks; its agents share the load and stand in for each other. ${IDENTIFIER}`,
    },
  },
};

export async function agentRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { agents } = context;
  const byName = params('name');

  app.get(
    '/api/agents',
    {
      schema: {
        summary: 'List the on-premises agents, by name',
        response: {
          200: answer('The agents', { type: 'object', properties: { items: { type: 'array', items: ref('Agent') } } }),
          ...unauthorized,
        },
      },
    },
    async () => ({ items: await agents.list() }),
  );

  app.post<{ Body: { name: string; group: string } }>(
    '/api/agents',
    {
      schema: {
        summary: 'Register an agent; its key is in the answer, this once',
        body: agentInput,
        response: {
          201: answer('The agent and its key', ref('AgentWithKey')),
          ...invalid,
          ...unauthorized,
          409: failure('The name is taken'),
        },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return agents.create(request.body);
    },
  );

  app.get<Named>(
    '/api/agents/:name',
    {
      schema: {
        summary: 'One agent',
        params: byName,
        response: { 200: answer('The agent', ref('Agent')), ...unauthorized, ...notFound },
      },
    },
    async (request) => agents.get(request.params.name),
  );

  app.delete<Named>(
    '/api/agents/:name',
    {
      schema: {
        summary: 'Revoke an agent: its key stops working and its sessions close now',
        params: byName,
        response: { 204: empty('Revoked'), ...unauthorized, ...notFound },
      },
    },
    async (request, reply) => {
      await agents.remove(request.params.name);
      reply.status(204).send();
    },
  );

  app.post<Named>(
    '/api/agents/:name/rotate',
    {
      schema: {
        summary: 'Give an agent a new key (shown this once); sessions with the old key close',
        params: byName,
        response: { 200: answer('The agent and its new key', ref('AgentWithKey')), ...unauthorized, ...notFound },
      },
    },
    async (request) => agents.rotate(request.params.name),
  );
}
