/**
 * The public `/api` routes (no token): liveness and the OpenAPI description, which
 * `@fastify/swagger` builds from the schemas of the routes the server holds.
 */
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import type { OpenAPIV3_1 } from 'openapi-types';
import type { Store } from '../store/store.js';
import { answer, components } from './schemas.js';

export const VERSION = '0.1.0';

declare module 'fastify' {
  interface FastifySchema {
    /** A body the domain checks whole: documented with this schema, not validated by it. */
    docBody?: unknown;
  }
}

/** Collects the route schemas: register on the root instance before any route. */
export function registerOpenApi(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Weft API', version: VERSION },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        schemas: components as Record<string, OpenAPIV3_1.SchemaObject>,
      },
      security: [{ bearer: [] }],
    },
    // The description is of the API: webhooks, resumes, the OAuth callback and the console
    // are other doors (docs/reference/api.md lists them).
    transform: ({ schema, url }) => {
      if (!url.startsWith('/api/')) return { schema: { ...schema, hide: true }, url };
      const { docBody, ...rest } = schema ?? {};
      return { schema: docBody === undefined ? rest : { ...rest, body: docBody }, url };
    },
  });
}

/**
 * Probes for an orchestrator (outside `/api`, no token): `/healthz` says the process is up;
 * `/readyz` that it can serve — the database answers and its migrations are current — else 503
 * with the reason.
 */
export async function probeRoutes(open: FastifyInstance, store: Pick<Store, 'notReady'>): Promise<void> {
  open.get('/healthz', async () => ({ status: 'ok', version: VERSION }));
  open.get('/readyz', async (_request, reply) => {
    const reason = await store.notReady();
    if (reason) return reply.status(503).send({ status: 'not ready', reason });
    return { status: 'ready' };
  });
}

export async function healthRoutes(open: FastifyInstance): Promise<void> {
  open.get(
    '/api/health',
    { schema: { summary: 'Liveness', security: [], response: { 200: answer('{ "status": "ok" }') } } },
    async () => ({ status: 'ok', version: VERSION }),
  );
  open.get(
    '/api/openapi.json',
    { schema: { summary: 'This description', security: [], response: { 200: answer('OpenAPI 3.1') } } },
    async () => open.swagger(),
  );
}
