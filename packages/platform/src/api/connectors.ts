/**
 * `/api/connectors`: the list and one connector's description, pushing a connector's source
 * (validated, versioned), reading stored sources and versions, and resolving dynamic fields and
 * pick lists for forms through the executor, with a connection.
 */

import {
  type ConnectorDefinition,
  type Field,
  fieldsToJsonSchema,
  isWeftError,
  messageOf,
  type Problem,
} from '@weft/sdk';
import type { RefreshGate } from '@weft/sdk/operations';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { type LiveConnection, redactorFor } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { isDomainError, NotFoundError } from '../errors.js';
import { invalid, isObject, type Json, nameAt, stringAt } from '../input.js';
import type { RegisteredConnector } from '../registry.js';
import type { ServerContext } from '../runtime/context.js';
import { connectorFailure, fieldsBody, fieldsOperation, fieldsRequest } from './connector-fields.js';
import { describeConnector, summarizeConnector } from './describe.js';
import { errorBody } from './errors.js';
import { liveConnectionFor } from './live-connection.js';
import { answer, failure, invalid as invalidAnswer, list, notFound, params, ref, unauthorized } from './schemas.js';

/** Bundled sources carry an inline source map: allow more than the API's usual 1 MiB. */
export const PUSH_BODY_LIMIT = 10 * 1024 * 1024;

type Named = { Params: { name: string } };

function connectorNotFound(name: string): NotFoundError {
  return new NotFoundError('CONNECTOR_NOT_FOUND', `No connector named "${name}"`, 'name');
}

/** `name` and `source` must be present: the handler says so, `name` first (it is checked before any code runs). */
const pushBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    source: {
      type: 'string',
      minLength: 1,
      description: 'The bundled ES module `loadConnectorFile` produces (what `weft push` sends); up to 10 MiB',
    },
    name: {
      type: 'string',
      minLength: 1,
      description:
        "The connector's name, checked before the source runs; must agree with the definition's `name` when it sets one",
    },
  },
};

const byName = params('name');

/** `?version=`: a positive integer, or undefined. */
function versionQuery(query: unknown): number | undefined {
  const q = isObject(query) ? query : {};
  if (q.version === undefined || q.version === '') return undefined;
  const text = String(q.version);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalid('version', 'must be a version number (1, 2, ...)');
  return Number(text);
}

function pushError(reply: FastifyReply, error: unknown): FastifyReply {
  const problems = (error as { problems?: Problem[] }).problems;
  if (isWeftError(error) && Array.isArray(problems) && problems.length) {
    // Every problem of the definition, each with its path in the definition.
    return reply.status(400).send({
      error: { code: error.code, message: error.message, path: problems[0].path, problems },
    });
  }
  const code = isWeftError(error) || isDomainError(error) ? error.code : 'CONNECTOR_NOT_LOADABLE';
  return reply.status(400).send(errorBody(code, messageOf(error), 'source'));
}

export async function connectorRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { registry, store } = context;

  app.get(
    '/api/connectors',
    {
      schema: {
        summary: 'List connectors',
        response: { 200: answer('{ items, nextCursor, problems }'), ...unauthorized },
      },
    },
    async () => ({ items: registry.list().map(summarizeConnector), nextCursor: null, problems: registry.problems }),
  );

  app.get<Named>(
    '/api/connectors/:name',
    {
      schema: {
        summary: "One connector's actions and triggers with resolved static fields",
        params: byName,
        response: { 200: answer('The connector'), ...unauthorized, ...notFound },
      },
    },
    async (request) => {
      const connector = registry.get(request.params.name);
      if (!connector) throw connectorNotFound(request.params.name);
      return describeConnector(connector);
    },
  );

  const pushSchema = {
    summary: 'Push a connector source: loaded, validated, and a new version when it changed',
    body: pushBody,
    response: {
      201: answer('A new version, now current', ref('ConnectorPushed')),
      200: answer('The source equals the current version: nothing changed', ref('ConnectorPushed')),
      400: {
        description:
          'A bad body (INVALID_REQUEST), a bad name (NAME_INVALID), a source that does not load (CONNECTOR_NOT_LOADABLE, ' +
          'CONNECTOR_NO_DEFAULT_EXPORT, path `source`) or a definition with problems (DEFINITION_INVALID)',
        oneOf: [ref('Error'), ref('DefinitionErrors')],
      },
      ...unauthorized,
      413: failure('The source is over 10 MiB'),
    },
  };
  app.post('/api/connectors', { bodyLimit: PUSH_BODY_LIMIT, schema: pushSchema }, async (request, reply) => {
    // Importing the source runs its code on this host: everything that can be checked without
    // it is checked first (the token was, by the scope), the name above all.
    const body = request.body as Json;
    if (body.name === undefined || body.name === null) {
      throw invalid('name', "is required: the connector's name, checked before its code runs (weft push sends it)");
    }
    const name = nameAt(body, 'name');
    const source = stringAt(body, 'source')!;
    let definition: ConnectorDefinition;
    try {
      definition = await registry.loadSource(source);
    } catch (error) {
      return pushError(reply, error);
    }
    const own = typeof definition.name === 'string' && definition.name ? definition.name : undefined;
    if (own && own !== name) {
      throw invalid('name', `the definition names this connector "${own}": push it as "${own}" or change its name`);
    }
    const { connector, created } = await registry.publish(name, source, definition);
    if (created) await context.changes.publish('connector.pushed', name);
    reply.status(created ? 201 : 200);
    return pushedView(connector, created);
  });

  const versionsSchema = {
    summary: "A connector's stored versions, newest first",
    params: byName,
    response: { 200: answer('The versions', list(ref('ConnectorVersion'))), ...unauthorized, ...notFound },
  };
  app.get<Named>('/api/connectors/:name/versions', { schema: versionsSchema }, async (request) => {
    const name = request.params.name;
    const versions = await store.connectorVersions(name);
    if (!versions.length) throw connectorNotFound(name);
    const current = registry.get(name)?.version.version;
    return {
      items: versions.map((v) => ({
        name: v.name,
        version: v.version,
        checksum: v.checksum,
        origin: v.origin,
        createdAt: v.createdAt,
        current: v.version === current,
      })),
      nextCursor: null,
    };
  });

  const sourceSchema = {
    summary: 'The bundled source of a connector version (default: the current one)',
    params: byName,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: { version: { description: 'A version number (1, 2, ...)' } },
    },
    response: {
      200: answer('{ name, version, source }', ref('ConnectorSource')),
      ...invalidAnswer,
      ...unauthorized,
      404: failure('No such connector (CONNECTOR_NOT_FOUND) or version (CONNECTOR_VERSION_NOT_FOUND)'),
    },
  };
  app.get<Named>('/api/connectors/:name/source', { schema: sourceSchema }, async (request) => {
    const name = request.params.name;
    const version = versionQuery(request.query) ?? registry.get(name)?.version.version;
    if (version === undefined) {
      if (!(await store.connectorVersions(name)).length) throw connectorNotFound(name);
      throw new NotFoundError('CONNECTOR_NOT_FOUND', `Connector "${name}" is not loaded: ask for a ?version=`, 'name');
    }
    const source = await store.connectorSource(name, version);
    if (source === undefined) {
      const known = (await store.connectorVersions(name)).map((v) => v.version);
      if (!known.length) throw connectorNotFound(name);
      throw new NotFoundError(
        'CONNECTOR_VERSION_NOT_FOUND',
        `Connector "${name}" has no version ${version} (versions: ${known.join(', ')})`,
        'version',
      );
    }
    return { name, version, source };
  });

  const fieldsSchema = {
    summary: 'Resolve dynamic fields of an action or trigger, or a pick list, for a connection and config',
    params: byName,
    body: fieldsBody,
    response: {
      200: answer('`{ fields, schema }`, or `{ options }` for a pick list', ref('FieldsResponse')),
      ...invalidAnswer,
      ...unauthorized,
      404: failure('No such connector, version, connection, action, trigger or pick list (with `path`)'),
      422: failure(
        "The connector's code failed (its message, secrets redacted): LAMBDA_FAILED, CONNECTOR_ERROR, HTTP_ERROR, ...",
      ),
    },
  };
  app.post<Named>('/api/connectors/:name/fields', { schema: fieldsSchema }, async (request) => {
    const name = request.params.name;
    const registered = registry.get(name);
    const fields = fieldsRequest(request.body);
    let definition: ConnectorDefinition;
    if (fields.version !== undefined && fields.version !== registered?.version.version) {
      try {
        definition = await registry.definitionAt(name, fields.version);
      } catch (error) {
        if (!registered && !(await store.connectorVersions(name)).length) throw connectorNotFound(name);
        throw new NotFoundError('CONNECTOR_VERSION_NOT_FOUND', messageOf(error), 'version');
      }
    } else if (registered) {
      definition = registered.definition;
    } else {
      throw connectorNotFound(name);
    }
    const operation = fieldsOperation(name, definition, fields);

    let connection: Record<string, unknown> = {};
    let refreshGate: RefreshGate | undefined;
    let dispatcher: LiveConnection['dispatcher'];
    if (fields.connection !== undefined) {
      const live = await liveConnectionFor(context.connections, fields.connection, name);
      connection = live.values;
      refreshGate = live.refreshGate;
      dispatcher = live.dispatcher;
    }

    const redactor = redactorFor(definition, connection);
    let output: unknown;
    try {
      const result = await runOperation(definition, operation, {
        connection,
        mode: 'interactive',
        refreshGate,
        dispatcher,
      });
      output = result.kind === 'output' ? result.output : null;
    } catch (error) {
      throw connectorFailure(error, redactor);
    }

    if (fields.pickList !== undefined) return { options: output };
    if (fields.kind === 'description') return { description: output };
    if (fields.kind === 'help') return { help: output };
    const list = (Array.isArray(output) ? output : []) as Field[];
    let schema: unknown;
    try {
      schema = fieldsToJsonSchema(list, { mode: fields.kind === 'output' ? 'output' : 'input' });
    } catch (error) {
      throw connectorFailure(error, redactor);
    }
    return { fields: list, schema };
  });
}

function pushedView(connector: RegisteredConnector, created: boolean) {
  return {
    ...summarizeConnector(connector),
    checksum: connector.version.checksum,
    origin: connector.version.origin,
    createdAt: connector.version.createdAt,
    created,
  };
}
