/**
 * What a guarded `/api` route does not take is refused, never ignored: a query parameter its
 * schema does not list (`GET /api/connections?status=running` would otherwise answer every
 * connection, unfiltered) and a body sent to a route that takes none (`POST .../test` with
 * `{"values": …}` would otherwise test the stored values and say "ok"). Registered as an
 * `onRoute` hook of the guarded scope (app.ts), so every route added there keeps the rule.
 */
import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { ApiError } from './errors.js';

const NO_QUERY = { type: 'object', additionalProperties: false, properties: {} };

type Schema = Record<string, unknown>;

/** True for what clients send when a route takes nothing: no body, or `{}`. */
function isNoBody(body: unknown): boolean {
  if (body === undefined) return true;
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
}

/** A `preValidation` hook refusing any body but none or `{}` (the route's own words in the message). */
function refuseBody(method: string, url: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (isNoBody(request.body)) return;
    throw new ApiError(
      400,
      'INVALID_REQUEST',
      `${method} ${url} takes no request body; send none (or {}): nothing in it would be read`,
    );
  };
}

/** The first path parameter or query value holding U+0000, which no name or id holds. */
function nulIn(values: unknown): string | undefined {
  if (typeof values !== 'object' || values === null) return undefined;
  for (const [key, value] of Object.entries(values)) {
    if ([value].flat().some((v) => typeof v === 'string' && v.includes('\u0000'))) return key;
  }
  return undefined;
}

/** A `preValidation` hook: a NUL in a path parameter or query value is a 400 (PostgreSQL would fail on it). */
async function refuseNul(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const key = nulIn(request.params) ?? nulIn(request.query);
  if (key === undefined) return;
  throw new ApiError(
    400,
    'INVALID_REQUEST',
    `${key}: holds the character U+0000 (NUL), which no name or id holds: remove it`,
    key,
  );
}

/** The `onRoute` hook: closes the query string of every route and the body of bodyless ones. */
export function strictRoute(route: RouteOptions): void {
  const schema: Schema = { ...((route.schema as Schema | undefined) ?? {}) };
  const query = schema.querystring as Schema | undefined;
  schema.querystring = query ? { ...query, additionalProperties: false } : NO_QUERY;
  route.schema = schema;
  route.preValidation = [...[route.preValidation ?? []].flat(), refuseNul];

  const methods = [route.method].flat().map(String);
  const takesBody = schema.body !== undefined || schema.docBody !== undefined;
  const writes = methods.find((m) => m !== 'GET' && m !== 'HEAD');
  if (takesBody || writes === undefined) return;
  const refuse = refuseBody(writes, route.url);
  route.preValidation = [...route.preValidation, refuse];
}
