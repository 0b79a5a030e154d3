/**
 * Connector routes beyond the list and the description (app.ts): pushing a connector's source
 * (validated, versioned), reading stored sources and versions, and resolving dynamic fields and
 * pick lists for forms through the executor, with a connection.
 */
import {
  type ConnectorDefinition,
  connectionSecrets,
  type Field,
  fieldsToJsonSchema,
  isWeftError,
  messageOf,
  type Problem,
  Redactor,
} from '@weft/sdk';
import { type Operation, runOperation } from '@weft/sdk/operations';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { RegisteredConnector } from '../registry.js';
import type { ServerContext } from '../runtime/context.js';
import { describeValue, invalid, isObject, type Json, nameAt, objectBody, onlyKeys, stringAt } from './body.js';
import { summarizeConnector } from './describe.js';
import { ApiError, errorBody } from './errors.js';

/** Bundled sources carry an inline source map: allow more than the API's usual 1 MiB. */
export const PUSH_BODY_LIMIT = 10 * 1024 * 1024;

/** Token descriptions a connection may hold that are not secret (as in connections.ts). */
const VISIBLE_TOKEN_KEYS = new Set(['expires_at', 'token_type', 'scope']);

type Named = { Params: { name: string } };

function connectorNotFound(name: string): ApiError {
  return new ApiError(404, 'CONNECTOR_NOT_FOUND', `No connector named "${name}"`, 'name');
}

/** `?version=`: a positive integer, or undefined. */
function versionQuery(query: unknown): number | undefined {
  const q = isObject(query) ? query : {};
  onlyKeys(q, ['version']);
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
  const code = isWeftError(error) ? error.code : 'CONNECTOR_NOT_LOADABLE';
  return reply.status(400).send(errorBody(code, messageOf(error), 'source'));
}

interface FieldsRequest {
  connection?: string;
  version?: number;
  action?: string;
  trigger?: string;
  kind: (typeof FIELD_KINDS)[number];
  configFields: Record<string, unknown>;
  pickList?: string;
  args?: Record<string, unknown>;
}

/** `description` and `help` resolve an operation's texts with the connection and config fields. */
const FIELD_KINDS = ['input', 'output', 'config', 'description', 'help'] as const;

function fieldsRequest(body: unknown): FieldsRequest {
  const obj = objectBody(body);
  onlyKeys(obj, ['connection', 'version', 'action', 'trigger', 'kind', 'configFields', 'pickList', 'args']);
  const action = stringAt(obj, 'action', { optional: true });
  const trigger = stringAt(obj, 'trigger', { optional: true });
  const pickList = stringAt(obj, 'pickList', { optional: true });
  const targets = [action && 'action', trigger && 'trigger', pickList && 'pickList'].filter(Boolean);
  if (targets.length !== 1) {
    throw invalid(
      targets[1] as string | undefined,
      targets.length
        ? `give only one of "action", "trigger" and "pickList", not ${targets.map((t) => `"${t}"`).join(' and ')}`
        : 'give "action" or "trigger" (with "kind") to resolve fields, or "pickList" for a pick list',
    );
  }
  let kind: FieldsRequest['kind'] = 'input';
  if (obj.kind !== undefined) {
    if (pickList) throw invalid('kind', 'is for fields of an action or a trigger, not for a pick list');
    if (!(FIELD_KINDS as readonly unknown[]).includes(obj.kind)) {
      throw invalid('kind', `must be one of ${FIELD_KINDS.map((k) => `"${k}"`).join(', ')}`);
    }
    kind = obj.kind as FieldsRequest['kind'];
  }
  const configFields = obj.configFields ?? {};
  if (!isObject(configFields)) {
    throw invalid('configFields', `must be an object of config field values, not ${describeValue(configFields)}`);
  }
  if (obj.args !== undefined) {
    if (!pickList) throw invalid('args', 'is for pick lists (the values of the fields named in pickListParams)');
    if (!isObject(obj.args))
      throw invalid('args', `must be an object of pick-list arguments, not ${describeValue(obj.args)}`);
  }
  let version: number | undefined;
  if (obj.version !== undefined && obj.version !== null) {
    if (!Number.isInteger(obj.version) || (obj.version as number) < 1) {
      throw invalid('version', 'must be a version number (1, 2, ...)');
    }
    version = obj.version as number;
  }
  return {
    connection: stringAt(obj, 'connection', { optional: true }),
    version,
    action,
    trigger,
    kind,
    configFields,
    pickList,
    args: obj.args as Json | undefined,
  };
}

/** Checks the named action, trigger or pick list exists, so a typo is a 404 with its path. */
function fieldsOperation(name: string, definition: ConnectorDefinition, request: FieldsRequest): Operation {
  const known = (o: object | undefined) => Object.keys(o ?? {});
  const missing = (what: string, key: string, given: string, list: string[]) =>
    new ApiError(
      404,
      'UNKNOWN_PATH',
      `Connector "${name}" has no ${what} "${given}" (${what}s: ${list.join(', ') || 'none'})`,
      key,
    );
  if (request.pickList !== undefined) {
    if (typeof definition.pickLists?.[request.pickList] !== 'function') {
      throw missing('pick list', 'pickList', request.pickList, known(definition.pickLists));
    }
    return { kind: 'pick_list', name: request.pickList, args: request.args };
  }
  const section = request.action !== undefined ? 'actions' : 'triggers';
  const op = request.action ?? request.trigger!;
  const ops = section === 'actions' ? definition.actions : definition.triggers;
  if (!ops?.[op]) {
    throw missing(section === 'actions' ? 'action' : 'trigger', section.slice(0, -1), op, known(ops));
  }
  const kind = request.kind;
  const of = section === 'actions' ? 'action' : 'trigger';
  const { configFields } = request;
  return { kind: kind === 'description' || kind === 'help' ? kind : `${kind}_fields`, of, name: op, configFields };
}

/** Every secret a connection's values hold: what the connector says, and every undeclared value (tokens). */
export function redactorFor(definition: ConnectorDefinition, values: Record<string, unknown>): Redactor {
  const redactor = new Redactor(connectionSecrets(definition, values));
  const declared = new Set((definition.connection?.fields ?? []).map((f) => f.name));
  for (const [key, value] of Object.entries(values)) {
    if (!declared.has(key) && !VISIBLE_TOKEN_KEYS.has(key)) redactor.add(value);
  }
  return redactor;
}

/** Errors of the connector's own code: 404 for an unknown name, 400 for a bad request, else 422. */
function connectorFailure(error: unknown, redactor: Redactor): ApiError {
  if (!isWeftError(error)) {
    return new ApiError(422, 'LAMBDA_FAILED', redactor.redact(messageOf(error)));
  }
  const status = error.code.startsWith('UNKNOWN_')
    ? 404
    : error.code === 'USAGE' || error.code === 'INPUT_INVALID'
      ? 400
      : 422;
  return new ApiError(status, error.code, redactor.redact(error.message));
}

export function registerConnectorRoutes(app: FastifyInstance, context: ServerContext): void {
  const { registry, store } = context;

  app.post('/api/connectors', { bodyLimit: PUSH_BODY_LIMIT }, async (request, reply) => {
    // Importing the source runs its code on this host: everything that can be checked without
    // it is checked first (the token was, by the scope), the name above all.
    const body = objectBody(request.body);
    onlyKeys(body, ['source', 'name']);
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
    reply.status(created ? 201 : 200);
    return pushedView(connector, created);
  });

  app.get<Named>('/api/connectors/:name/versions', async (request) => {
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

  app.get<Named>('/api/connectors/:name/source', async (request) => {
    const name = request.params.name;
    const version = versionQuery(request.query) ?? registry.get(name)?.version.version;
    if (version === undefined) {
      if (!(await store.connectorVersions(name)).length) throw connectorNotFound(name);
      throw new ApiError(404, 'CONNECTOR_NOT_FOUND', `Connector "${name}" is not loaded: ask for a ?version=`, 'name');
    }
    const source = await store.connectorSource(name, version);
    if (source === undefined) {
      const known = (await store.connectorVersions(name)).map((v) => v.version);
      if (!known.length) throw connectorNotFound(name);
      throw new ApiError(
        404,
        'CONNECTOR_VERSION_NOT_FOUND',
        `Connector "${name}" has no version ${version} (versions: ${known.join(', ')})`,
        'version',
      );
    }
    return { name, version, source };
  });

  app.post<Named>('/api/connectors/:name/fields', async (request) => {
    const name = request.params.name;
    const registered = registry.get(name);
    const fields = fieldsRequest(request.body);
    let definition: ConnectorDefinition;
    if (fields.version !== undefined && fields.version !== registered?.version.version) {
      try {
        definition = await registry.definitionAt(name, fields.version);
      } catch (error) {
        if (!registered && !(await store.connectorVersions(name)).length) throw connectorNotFound(name);
        throw new ApiError(404, 'CONNECTOR_VERSION_NOT_FOUND', messageOf(error), 'version');
      }
    } else if (registered) {
      definition = registered.definition;
    } else {
      throw connectorNotFound(name);
    }
    const operation = fieldsOperation(name, definition, fields);

    let connection: Record<string, unknown> = {};
    let onConnectionUpdate: ((values: Record<string, unknown>) => Promise<void>) | undefined;
    if (fields.connection !== undefined) {
      const live = await context.connections.live(fields.connection).catch((error) => {
        if (error instanceof ApiError && error.code === 'CONNECTION_NOT_FOUND') {
          throw new ApiError(404, error.code, error.message, 'connection');
        }
        throw error;
      });
      if (live.connector !== name) {
        throw invalid('connection', `belongs to the connector "${live.connector}", not "${name}"`);
      }
      connection = live.values;
      onConnectionUpdate = live.onConnectionUpdate;
    }

    const redactor = redactorFor(definition, connection);
    let output: unknown;
    try {
      const result = await runOperation(definition, operation, {
        connection,
        mode: 'interactive',
        onConnectionUpdate,
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
