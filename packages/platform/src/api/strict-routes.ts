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

/** The `onRoute` hook: closes the query string of every route and the body of bodyless ones. */
export function strictRoute(route: RouteOptions): void {
  const schema: Schema = { ...((route.schema as Schema | undefined) ?? {}) };
  const query = schema.querystring as Schema | undefined;
  schema.querystring = query ? { ...query, additionalProperties: false } : NO_QUERY;
  route.schema = schema;

  const methods = [route.method].flat().map(String);
  const takesBody = schema.body !== undefined || schema.docBody !== undefined;
  const writes = methods.find((m) => m !== 'GET' && m !== 'HEAD');
  if (takesBody || writes === undefined) return;
  const refuse = refuseBody(writes, route.url);
  route.preValidation = [...[route.preValidation ?? []].flat(), refuse];
}
