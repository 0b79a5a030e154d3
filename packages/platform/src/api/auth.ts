/**
 * Who may call the API. The decision belongs to the route the router matched, never to the
 * request's raw URL: `/api` routes are registered inside an encapsulated Fastify scope whose
 * `onRequest` hook checks the admin token, so `/%61pi/...`, absolute-form targets and any other
 * spelling that reaches such a route passes the same check. `ApiScopes` refuses to start a
 * server holding an `/api` or `/mcp` route registered outside the scopes that mark theirs
 * (guarded, public, metrics, and `/mcp`, whose own hook takes the admin or a scoped MCP token).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { errorBody } from './errors.js';

export function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The `onRequest` hook of the guarded scope. */
export function requireAdminToken(token: string) {
  return requireBearer(token, 'Send the admin token as "Authorization: Bearer <token>" (see $WEFT_HOME/admin.token)');
}

/** What a scrape of `/metrics` without the metrics token is told. */
export const METRICS_TOKEN_HINT =
  'This server protects /metrics with WEFT_METRICS_TOKEN: send it as "Authorization: Bearer <token>"';

/** A hook that lets a request through only with `token` as its bearer token; else 401 with `hint`. */
export function requireBearer(token: string, hint: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (tokenMatches(request.headers.authorization, token)) return;
    return reply.status(401).header('www-authenticate', 'Bearer').send(errorBody('UNAUTHORIZED', hint));
  };
}

/** Routes by the scope that registered them; checked once the server is ready. */
export class ApiScopes {
  private readonly routes: RouteOptions[] = [];
  private readonly scoped = new WeakSet<RouteOptions>();

  /** Sees every route of the server (call on the root instance, before any route). */
  watch(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      this.routes.push(route);
    });
    app.addHook('onReady', async () => this.check());
  }

  /** Marks the routes a scope registers as deliberately placed (guarded or public). */
  mark(scope: FastifyInstance): void {
    scope.addHook('onRoute', (route) => {
      this.scoped.add(route);
    });
  }

  private check(): void {
    const stray = this.routes.filter((route) => /^\/(api|mcp)(?:\/|$)/i.test(route.url) && !this.scoped.has(route));
    if (stray.length) {
      const names = stray.map((r) => `${[r.method].flat().join(',')} ${r.url}`).join(', ');
      throw new Error(`API routes registered outside the authenticated scope: ${names}`);
    }
  }
}
