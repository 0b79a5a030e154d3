/**
 * `POST /api/connectors/:name/run`: the SDK console runs one action with a stored connection,
 * through the same executor as jobs, and gets the output with every HTTP exchange (redacted).
 * Failures answer 4xx with the connector's message (redacted) and the exchanges made so far.
 */
import { type ConnectorDefinition, type HttpExchangeLog, isWeftError, messageOf, ValidationError } from '@weft/sdk';
import type { Operation, RefreshGate } from '@weft/sdk/operations';
import type { Redactor } from '@weft/sdk/runtime';
import type { FastifyInstance } from 'fastify';
import { type LiveConnection, redactorFor } from '../connections.js';
import { runOperation } from '../connector-runtime.js';
import { NotFoundError } from '../errors.js';
import { invalid, type Json, stringAt } from '../input.js';
import { ConnectorHostError } from '../isolation/host-errors.js';
import type { ServerContext } from '../runtime/context.js';
import { errorBody } from './errors.js';
import { liveConnectionFor } from './live-connection.js';
import { answer, failure as failed, invalid as invalidAnswer, params, unauthorized } from './schemas.js';

/** Exchanges kept per run, and characters kept of each body (the console shows them, not stores). */
const MAX_EXCHANGES = 100;
const MAX_BODY = 64 * 1024;

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

function failure(error: unknown, redactor: Redactor): { status: number; code: string; message: string; path?: string } {
  if (error instanceof ConnectorHostError) return { status: 422, code: error.code, message: error.message };
  if (!isWeftError(error)) return { status: 422, code: 'LAMBDA_FAILED', message: redactor.redact(messageOf(error)) };
  const message = redactor.redact(error.message);
  if (error instanceof ValidationError && error.code === 'INPUT_INVALID') {
    return { status: 400, code: error.code, message, path: error.problems[0]?.path };
  }
  const status = error.code.startsWith('UNKNOWN_') ? 404 : error.code === 'USAGE' ? 400 : 422;
  return { status, code: error.code, message };
}

const nullableObject = { type: ['object', 'null'] };

const runSchema = {
  summary: 'Run one action with a connection (the SDK console): its output and HTTP exchanges, redacted',
  params: params('name'),
  body: {
    type: 'object',
    required: ['action'],
    additionalProperties: false,
    properties: {
      connection: { type: ['string', 'null'], minLength: 1 },
      action: { type: 'string', minLength: 1 },
      input: nullableObject,
      configFields: nullableObject,
    },
  },
  response: {
    200: answer('`{ output, exchanges }`', {
      type: 'object',
      required: ['exchanges'],
      properties: {
        output: {},
        reinvokeAfter: { type: 'object', description: 'A multistep action suspended: `{ seconds, continue }`' },
        exchanges: { type: 'array', items: { type: 'object' } },
      },
    }),
    ...invalidAnswer,
    ...unauthorized,
    404: failed('No such connector, action or connection (with `path`)'),
    422: failed('The action failed (its message, secrets redacted); the body also carries the `exchanges` made'),
  },
};

export async function runRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  app.post<Named>('/api/connectors/:name/run', { schema: runSchema }, async (request, reply) => {
    const name = request.params.name;
    const body = request.body as Json;
    const action = stringAt(body, 'action')!;
    const connectionName = stringAt(body, 'connection', { optional: true });
    const input = (body.input ?? {}) as Json;
    const configFields = (body.configFields ?? {}) as Json;

    const registered = context.registry.get(name);
    if (!registered) throw new NotFoundError('CONNECTOR_NOT_FOUND', `No connector named "${name}"`, 'name');
    const definition = registered.definition;
    if (!definition.actions?.[action]) {
      const known = Object.keys(definition.actions ?? {});
      throw new NotFoundError(
        'UNKNOWN_PATH',
        `Connector "${name}" has no action "${action}" (actions: ${known.join(', ') || 'none'})`,
        'action',
      );
    }

    let connection: Record<string, unknown> = {};
    let refreshGate: RefreshGate | undefined;
    let dispatcher: LiveConnection['dispatcher'];
    if (connectionName !== undefined) {
      const live = await liveConnectionFor(context.connections, connectionName, name);
      connection = live.values;
      refreshGate = live.refreshGate;
      dispatcher = live.dispatcher;
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
          refreshGate,
          dispatcher,
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
