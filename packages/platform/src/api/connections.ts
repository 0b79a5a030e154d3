/** `/api/connections`: list, create, read, change, delete and test connections (connections.ts). */
import type { FastifyInstance } from 'fastify';
import type { ConnectionInput, ConnectionPatch } from '../connections.js';
import { pageQuery } from '../input.js';
import type { ServerContext } from '../runtime/context.js';
import {
  answer,
  empty,
  failure,
  invalid,
  list,
  nameProperty,
  notFound,
  pageProperties,
  params,
  ref,
  unauthorized,
} from './schemas.js';

type Named = { Params: { name: string } };

const values = { type: ['object', 'null'], description: "Values of the connector's connection fields" };

const agentGroup = {
  type: ['string', 'null'],
  description:
    "The agent group whose agents carry the connection's HTTP (docs/auth/on-prem.md); only for connectors with `secureTunnel: true`. In a change, `null` sends directly again",
};

/** Bodies: the shape is checked here; the values against the connector's fields by the domain. */
const connectionInput = {
  type: 'object',
  required: ['name', 'connector'],
  additionalProperties: false,
  properties: {
    name: nameProperty,
    connector: { type: 'string', minLength: 1 },
    values,
    agentGroup,
  },
};

const connectionPatch = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: 'The same name (a connection cannot be renamed)' },
    connector: { type: 'string', description: 'The same connector' },
    values: {
      ...values,
      description: 'Merged into the stored values; `"[REDACTED]"` keeps a stored value, `null` removes one',
    },
    agentGroup,
  },
};

export async function connectionRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { connections, recipes } = context;
  const byName = params('name');

  app.get(
    '/api/connections',
    {
      schema: {
        summary: 'List connections, by name',
        querystring: { type: 'object', properties: pageProperties },
        response: { 200: answer('A page of connections', list(ref('Connection'))), ...invalid, ...unauthorized },
      },
    },
    async (request) => connections.list(pageQuery(request.query)),
  );

  app.post<{ Body: ConnectionInput }>(
    '/api/connections',
    {
      schema: {
        summary: 'Create a connection; values are checked against the connection fields and sealed',
        body: connectionInput,
        response: {
          201: answer('The connection, secrets redacted', ref('Connection')),
          ...invalid,
          ...unauthorized,
          409: failure('The name is taken'),
        },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return connections.create(request.body);
    },
  );

  app.get<Named>(
    '/api/connections/:name',
    {
      schema: {
        summary: 'One connection, secrets redacted',
        params: byName,
        response: {
          200: answer('The connection', ref('Connection')),
          ...unauthorized,
          ...notFound,
          409: failure('Sealed with another master key (VAULT_KEY_MISMATCH)'),
        },
      },
    },
    async (request) => connections.get(request.params.name),
  );

  app.patch<Named & { Body: ConnectionPatch }>(
    '/api/connections/:name',
    {
      schema: {
        summary: 'Change connection values (merged into the stored ones)',
        params: byName,
        body: connectionPatch,
        response: { 200: answer('The connection', ref('Connection')), ...invalid, ...unauthorized, ...notFound },
      },
    },
    async (request) => connections.update(request.params.name, request.body),
  );

  app.delete<Named>(
    '/api/connections/:name',
    {
      schema: {
        summary: 'Delete a connection no recipe uses',
        params: byName,
        response: {
          204: empty('Deleted'),
          ...unauthorized,
          ...notFound,
          409: failure('Used by a recipe (CONNECTION_IN_USE)'),
        },
      },
    },
    async (request, reply) => {
      const name = request.params.name;
      await connections.get(name);
      await connections.remove(name, await recipes.usingConnection(name));
      reply.status(204).send();
    },
  );

  app.post<Named>(
    '/api/connections/:name/test',
    {
      schema: {
        summary: "Run the connector's test with the connection",
        params: byName,
        response: { 200: answer('{ ok, message }', ref('ConnectionTest')), ...unauthorized, ...notFound },
      },
    },
    async (request) => connections.test(request.params.name),
  );
}
