/**
 * The HTTP API (Fastify). Every `/api` route but health and the OpenAPI description is
 * registered in the guarded scope, which needs `Authorization: Bearer <admin token>` (auth.ts);
 * webhooks, resumes, the OAuth callback and the console sit outside `/api`, without a token;
 * `/mcp` has its own scope, which takes the admin token or a scoped MCP token.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServerContext } from '../runtime/context.js';
import { agentRoutes } from './agents.js';
import { ApiScopes, METRICS_TOKEN_HINT, requireAdminToken, requireBearer } from './auth.js';
import { connectionRoutes } from './connections.js';
import { connectorRoutes } from './connectors.js';
import { registerConsoleRoutes } from './console.js';
import { errorBody, handleClientError, handleError, handleFrameworkError, MAX_PATH_PARAMETER } from './errors.js';
import { healthRoutes, probeRoutes, registerOpenApi, VERSION } from './health.js';
import { type HostPolicy, hostGuard } from './hosts.js';
import { jobRoutes } from './jobs.js';
import { parseJsonBodies } from './json-body.js';
import { mcpRoutes } from './mcp.js';
import { mcpTokenRoutes } from './mcp-tokens.js';
import { oauthStartRoutes, registerOAuthCallbackRoute } from './oauth.js';
import { recipeRoutes } from './recipes.js';
import { registerResumeRoutes } from './resume.js';
import { roleGate } from './roles.js';
import { runRoutes } from './run.js';
import { strictRoute } from './strict-routes.js';
import { validatorCompiler } from './validation.js';
import { registerWebhookRoutes } from './webhooks.js';

export { VERSION };

export interface AppOptions {
  context: ServerContext;
  token: string;
  /** Fastify's logger; off in tests. */
  logger?: boolean | Record<string, unknown>;
  bodyLimit?: number;
  /** Names the server answers to when bound to loopback (hosts.ts); undefined: any. */
  hosts?: HostPolicy;
  /** When set, `GET /metrics` needs it as a bearer token (`WEFT_METRICS_TOKEN`); else it is open. */
  metricsToken?: string;
}

export function buildApp(options: AppOptions): FastifyInstance {
  const { context } = options;
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    // What the router and the HTTP parser refuse is answered in the API's shape (errors.ts).
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER },
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  });
  app.setErrorHandler((error, request, reply) => handleError(error, request, reply, context.log));
  // Route schemas check requests (validation.ts) and describe answers (the OpenAPI document):
  // they never filter what a route answers.
  app.setValidatorCompiler(validatorCompiler());
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // JSON only, UTF-8 and uncompressed (any other type is a 415; webhooks and resumes take every
  // type in their scopes).
  parseJsonBodies(app);
  // First of all: a request addressed to a name this server does not answer to runs nothing.
  if (options.hosts) app.addHook('onRequest', hostGuard(options.hosts));
  // Then the roles: a route of a role this process does not play is a 421 (roles.ts).
  app.addHook('onRequest', roleGate(context.cluster.roles));
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

  registerOpenApi(app);

  app.register(async (open) => {
    scopes.mark(open);
    await open.register(healthRoutes);
    await open.register(async (probes) => probeRoutes(probes, context.store));
  });
  // One plugin per resource, all inside the guarded scope: its hook checks the token first.
  app.register(async (api) => {
    scopes.mark(api);
    api.addHook('onRequest', requireAdminToken(options.token));
    // Unknown query parameters and bodies of bodyless routes are refused, not ignored.
    api.addHook('onRoute', strictRoute);
    for (const routes of [
      connectorRoutes,
      connectionRoutes,
      recipeRoutes,
      jobRoutes,
      oauthStartRoutes,
      runRoutes,
      agentRoutes,
      mcpTokenRoutes,
    ]) {
      await api.register(async (resource) => routes(resource, context));
    }
  });

  // `/mcp`: tools for AI assistants, behind the admin token or a scoped MCP token (mcp.ts).
  app.register(async (mcp) => {
    scopes.mark(mcp);
    await mcpRoutes(mcp, context, options.token);
  });

  // `GET /metrics`, for Prometheus: open like the probes (SPEC §11), unless WEFT_METRICS_TOKEN is set.
  app.register(async (metrics) => {
    scopes.mark(metrics);
    if (options.metricsToken) metrics.addHook('onRequest', requireBearer(options.metricsToken, METRICS_TOKEN_HINT));
    metrics.get('/metrics', async (_request, reply) => {
      reply.header('content-type', context.metrics.contentType);
      return context.metrics.text();
    });
  });
  // Webhook requests and how long each took to answer (after its commit), whatever the answer.
  app.addHook('onResponse', (request, reply, done) => {
    if (
      request.routeOptions.url?.startsWith('/webhooks/') &&
      !request.routeOptions.url.startsWith('/webhooks/resume')
    ) {
      context.metrics.webhookAnswered(reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });

  registerOAuthCallbackRoute(app, context);
  registerWebhookRoutes(app, context);
  registerResumeRoutes(app, context);
  registerConsoleRoutes(app);

  return app;
}
