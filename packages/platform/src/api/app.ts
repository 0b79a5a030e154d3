/**
 * The HTTP API (Fastify). Every `/api` route but health and the OpenAPI description is
 * registered in the guarded scope, which needs `Authorization: Bearer <admin token>` (auth.ts);
 * webhooks, resumes, the OAuth callback and the console sit outside `/api`, without a token.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { recipeStatusQuery } from '../recipes/service.js';
import type { ServerContext } from '../runtime/context.js';
import { registerWebhookRoutes } from '../runtime/ingress.js';
import { registerResumeRoutes } from '../runtime/resume.js';
import { ApiScopes, requireAdminToken } from './auth.js';
import { pageQuery } from './body.js';
import { registerConnectorRoutes } from './connectors.js';
import { registerConsoleRoutes } from './console.js';
import { describeConnector, summarizeConnector } from './describe.js';
import { ApiError, errorBody, handleError } from './errors.js';
import { type HostPolicy, hostGuard } from './hosts.js';
import { registerJobRoutes } from './jobs.js';
import { nestsDeeperThan, tooDeep } from './nesting.js';
import { registerOAuthCallbackRoute, registerOAuthStartRoute } from './oauth.js';
import { openapi } from './openapi.js';
import { registerRunRoutes } from './run.js';

export const VERSION = '0.1.0';

export interface AppOptions {
  context: ServerContext;
  token: string;
  /** Fastify's logger; off in tests. */
  logger?: boolean | Record<string, unknown>;
  bodyLimit?: number;
  /** Names the server answers to when bound to loopback (hosts.ts); undefined: any. */
  hosts?: HostPolicy;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { context } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
  });
  app.setErrorHandler(handleError);
  // JSON only (any other type is a 415; webhooks and resumes take every type in their scopes).
  // An empty body sent as JSON is no body: clients that always send the content type (and
  // POST routes that take nothing, like start, stop and rerun) must not get a 400 for it.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') done(null, undefined);
    else if (nestsDeeperThan(text)) done(tooDeep('The request body'), undefined);
    else parseJson(request, text, done);
  });
  // First of all: a request addressed to a name this server does not answer to runs nothing.
  if (options.hosts) app.addHook('onRequest', hostGuard(options.hosts));
  const scopes = new ApiScopes();
  scopes.watch(app);
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  app.decorate('weftRoutes', routes);
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`));
  });

  app.register(async (open) => {
    scopes.mark(open);
    open.get('/api/health', async () => ({ status: 'ok', version: VERSION }));
    open.get('/api/openapi.json', async () => openapi(VERSION));
  });
  app.register(async (api) => {
    scopes.mark(api);
    api.addHook('onRequest', requireAdminToken(options.token));
    registerApiRoutes(api, context);
    registerConnectorRoutes(api, context);
    registerJobRoutes(api, context);
    registerOAuthStartRoute(api, context);
    registerRunRoutes(api, context);
  });

  registerOAuthCallbackRoute(app, context);
  registerWebhookRoutes(app, context);
  registerResumeRoutes(app, context);
  registerConsoleRoutes(app);

  return app;
}

/** Connectors (list, describe), connections and recipes; called inside the guarded scope. */
function registerApiRoutes(app: FastifyInstance, context: ServerContext): void {
  const { registry, connections, recipes } = context;

  app.get('/api/connectors', async () => ({
    items: registry.list().map(summarizeConnector),
    nextCursor: null,
    problems: registry.problems,
  }));

  app.get<{ Params: { name: string } }>('/api/connectors/:name', async (request) => {
    const connector = registry.get(request.params.name);
    if (!connector) {
      throw new ApiError(404, 'CONNECTOR_NOT_FOUND', `No connector named "${request.params.name}"`, 'name');
    }
    return describeConnector(connector);
  });

  type Named = { Params: { name: string } };
  app.get('/api/connections', async (request) => connections.list(pageQuery(request.query)));
  app.post('/api/connections', async (request, reply) => {
    reply.status(201);
    return connections.create(request.body);
  });
  app.get<Named>('/api/connections/:name', async (request) => connections.get(request.params.name));
  app.patch<Named>('/api/connections/:name', async (request) => connections.update(request.params.name, request.body));
  app.delete<Named>('/api/connections/:name', async (request, reply) => {
    const name = request.params.name;
    await connections.get(name);
    await connections.remove(name, await recipes.usingConnection(name));
    reply.status(204).send();
  });
  app.post<Named>('/api/connections/:name/test', async (request) => connections.test(request.params.name));

  type ById = { Params: { id: string } };
  app.get('/api/recipes', async (request) =>
    recipes.list({ ...pageQuery(request.query), status: recipeStatusQuery(request.query) }),
  );
  app.post('/api/recipes', async (request, reply) => {
    reply.status(201);
    return recipes.create(request.body);
  });
  app.get<ById>('/api/recipes/:id', async (request) => recipes.get(request.params.id));
  app.put<ById>('/api/recipes/:id', async (request) => recipes.replace(request.params.id, request.body));
  app.delete<ById>('/api/recipes/:id', async (request, reply) => {
    await recipes.remove(request.params.id);
    reply.status(204).send();
  });
  app.post<ById>('/api/recipes/:id/start', async (request) => recipes.start(request.params.id));
  app.post<ById>('/api/recipes/:id/stop', async (request) => recipes.stop(request.params.id));
}
