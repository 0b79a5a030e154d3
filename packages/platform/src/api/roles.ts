/**
 * Which role serves which route, decided on the route the router matched (its pattern), never
 * on how the request spelled its path: `api` serves `/api/*`, `/mcp`, the console and the OAuth
 * callback; `ingress` serves `/webhooks/*` (webhooks and resume URLs) and takes on-prem agents
 * (`/agents/connect`, an upgrade outside the router: agents/endpoint.ts); every process serves
 * the probes and `/metrics`. A matched route of a role this process does not play answers 421
 * `ROLE_NOT_SERVED` (a load balancer sent it to the wrong process); an unmatched one stays a 404.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from '../cluster/options.js';
import { errorBody } from './errors.js';

/** Routes every process serves, whatever its roles. */
const EVERY_PROCESS = new Set(['/healthz', '/readyz', '/metrics']);

/** The role a route pattern belongs to; undefined for the routes every process serves. */
export function roleOfRoute(pattern: string): Role | undefined {
  if (EVERY_PROCESS.has(pattern)) return undefined;
  if (pattern === '/webhooks' || pattern.startsWith('/webhooks/')) return 'ingress';
  // `/api/*`, the OAuth callback and the console (`/`, `/index.html`, `/assets/*`).
  return 'api';
}

/** The root `onRequest` hook refusing the routes of roles this process does not play. */
export function roleGate(roles: ReadonlySet<Role>) {
  const plays = [...roles].join(', ') || 'none';
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const pattern = request.routeOptions.url;
    if (pattern === undefined) return;
    const role = roleOfRoute(pattern);
    if (role === undefined || roles.has(role)) return;
    return reply
      .status(421)
      .send(
        errorBody(
          'ROLE_NOT_SERVED',
          `This process does not play the "${role}" role, which serves ${request.method} ${pattern} (it plays: ${plays}); send the request to a process with the "${role}" role`,
        ),
      );
  };
}
