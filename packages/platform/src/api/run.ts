/**
 * `POST /api/connectors/:name/run`: the SDK console runs one action with a stored connection,
 * through the same executor as jobs, and gets the output with every HTTP exchange (redacted).
 * Failures answer 4xx with the connector's message (redacted) and the exchanges made so far.
 */
import {
  type ConnectorDefinition,
  connectionSecrets,
  type HttpExchangeLog,
  isWeftError,
  messageOf,
  Redactor,
  ValidationError,
} from '@weft/sdk';
import { type Operation, runOperation } from '@weft/sdk/operations';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../runtime/context.js';
import { describeValue, invalid, isObject, objectBody, onlyKeys, stringAt } from './body.js';
import { ApiError, errorBody } from './errors.js';

/** Exchanges kept per run, and characters kept of each body (the console shows them, not stores). */
const MAX_EXCHANGES = 100;
const MAX_BODY = 64 * 1024;
const VISIBLE_TOKEN_KEYS = new Set(['expires_at', 'token_type', 'scope']);

type Named = { Params: { name: string } };

function needsConnection(definition: ConnectorDefinition): boolean {
  return (
    (definition.connection?.fields?.length ?? 0) > 0 ||
    (definition.connection?.authorization?.type ?? 'none') !== 'none'
  );
}

function clip(text: string | undefined): string | undefined {
  if (text === undefined || text.length <= MAX_BODY) return text;
  return `${text.slice(0, MAX_BODY)}… (${text.length - MAX_BODY} more characters)`;
}

/** Secrets of the connection: what the connector says, and every undeclared value (tokens). */
function redactorFor(definition: ConnectorDefinition, values: Record<string, unknown>): Redactor {
  const redactor = new Redactor(connectionSecrets(definition, values));
  const declared = new Set((definition.connection?.fields ?? []).map((f) => f.name));
  for (const [key, value] of Object.entries(values)) {
    if (!declared.has(key) && !VISIBLE_TOKEN_KEYS.has(key)) redactor.add(value);
  }
  return redactor;
}

function failure(error: unknown, redactor: Redactor): { status: number; code: string; message: string; path?: string } {
  if (!isWeftError(error)) return { status: 422, code: 'LAMBDA_FAILED', message: redactor.redact(messageOf(error)) };
  const message = redactor.redact(error.message);
  if (error instanceof ValidationError && error.code === 'INPUT_INVALID') {
    return { status: 400, code: error.code, message, path: error.problems[0]?.path };
  }
  const status = error.code.startsWith('UNKNOWN_') ? 404 : error.code === 'USAGE' ? 400 : 422;
  return { status, code: error.code, message };
}

export function registerRunRoutes(app: FastifyInstance, context: ServerContext): void {
  app.post<Named>('/api/connectors/:name/run', async (request, reply) => {
    const name = request.params.name;
    const body = objectBody(request.body);
    onlyKeys(body, ['connection', 'action', 'input', 'configFields']);
    const action = stringAt(body, 'action')!;
    const connectionName = stringAt(body, 'connection', { optional: true });
    const input = body.input ?? {};
    if (!isObject(input)) throw invalid('input', `must be an object of input values, not ${describeValue(input)}`);
    const configFields = body.configFields ?? {};
    if (!isObject(configFields)) {
      throw invalid('configFields', `must be an object of config field values, not ${describeValue(configFields)}`);
    }

    const registered = context.registry.get(name);
    if (!registered) throw new ApiError(404, 'CONNECTOR_NOT_FOUND', `No connector named "${name}"`, 'name');
    const definition = registered.definition;
    if (!definition.actions?.[action]) {
      const known = Object.keys(definition.actions ?? {});
      throw new ApiError(
        404,
        'UNKNOWN_PATH',
        `Connector "${name}" has no action "${action}" (actions: ${known.join(', ') || 'none'})`,
        'action',
      );
    }

    let connection: Record<string, unknown> = {};
    let onConnectionUpdate: ((values: Record<string, unknown>) => Promise<void>) | undefined;
    if (connectionName !== undefined) {
      const live = await context.connections.live(connectionName).catch((error: unknown) => {
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
    } else if (needsConnection(definition)) {
      throw invalid('connection', `is required: connector "${name}" needs a connection`);
    }

    const exchanges: HttpExchangeLog[] = [];
    const onExchange = (log: HttpExchangeLog) => {
      if (exchanges.length < MAX_EXCHANGES)
        exchanges.push({ ...log, requestBody: clip(log.requestBody), responseBody: clip(log.responseBody) });
    };
    try {
      const result = await runOperation<Operation>(
        definition,
        { kind: 'action', action, input, configFields },
        {
          connection,
          mode: 'interactive',
          onExchange,
          onConnectionUpdate,
        },
      );
      if (result.kind === 'suspended') return { reinvokeAfter: result.reinvokeAfter, exchanges };
      if (result.kind === 'waiting') return { waitForResume: result.waitForResume, exchanges };
      if (result.kind === 'stream') return { output: null, stream: true, exchanges };
      return { output: result.output, exchanges };
    } catch (error) {
      const f = failure(error, redactorFor(definition, connection));
      return reply.status(f.status).send({ ...errorBody(f.code, f.message, f.path), exchanges });
    }
  });
}
