/**
 * `/api/recipes`: list, create, read, replace, delete, start and stop recipes (recipes/service.ts).
 * A recipe body is checked whole by the domain (recipes/validate.ts lists every problem with
 * its path), so its schema documents the body (`docBody`, see health.ts) rather than checking it.
 */
import type { FastifyInstance } from 'fastify';
import { pageQuery } from '../input.js';
import { recipeStatusQuery } from '../recipes/service.js';
import type { ServerContext } from '../runtime/context.js';
import {
  answer,
  empty,
  failure,
  invalid,
  list,
  notFound,
  pageProperties,
  params,
  ref,
  unauthorized,
} from './schemas.js';

type ById = { Params: { id: string } };

const running = failure('The recipe is running (RECIPE_RUNNING)');

export async function recipeRoutes(app: FastifyInstance, context: ServerContext): Promise<void> {
  const { recipes } = context;
  const byId = params('id');

  app.get(
    '/api/recipes',
    {
      schema: {
        summary: 'List recipes, oldest first',
        querystring: {
          type: 'object',
          properties: { ...pageProperties, status: { type: 'string', description: '`stopped` or `running`' } },
        },
        response: { 200: answer('A page of recipes', list(ref('Recipe'))), ...invalid, ...unauthorized },
      },
    },
    async (request) => recipes.list({ ...pageQuery(request.query), status: recipeStatusQuery(request.query) }),
  );

  app.post(
    '/api/recipes',
    {
      schema: {
        summary: 'Create a recipe (validated whole; stopped)',
        docBody: ref('RecipeInput'),
        response: { 201: answer('The recipe, with warnings', ref('SavedRecipe')), ...invalid, ...unauthorized },
      },
    },
    async (request, reply) => {
      reply.status(201);
      return recipes.create(request.body);
    },
  );

  app.get<ById>(
    '/api/recipes/:id',
    {
      schema: {
        summary: 'One recipe with its status and, for webhook triggers, its webhook URL',
        params: byId,
        response: { 200: answer('The recipe', ref('Recipe')), ...unauthorized, ...notFound },
      },
    },
    async (request) => recipes.get(request.params.id),
  );

  app.put<ById>(
    '/api/recipes/:id',
    {
      schema: {
        summary: 'Replace a stopped recipe (read-only keys of a GET are ignored)',
        params: byId,
        docBody: ref('RecipeInput'),
        response: {
          200: answer('The recipe, with warnings', ref('SavedRecipe')),
          ...invalid,
          ...unauthorized,
          ...notFound,
          409: running,
        },
      },
    },
    async (request) => recipes.replace(request.params.id, request.body),
  );

  app.delete<ById>(
    '/api/recipes/:id',
    {
      schema: {
        summary: 'Delete a stopped recipe with its jobs',
        params: byId,
        response: { 204: empty('Deleted'), ...unauthorized, ...notFound, 409: running },
      },
    },
    async (request, reply) => {
      await recipes.remove(request.params.id);
      reply.status(204).send();
    },
  );

  app.post<ById>(
    '/api/recipes/:id/start',
    {
      schema: {
        summary: 'Start a recipe',
        params: byId,
        response: {
          200: answer('The recipe, running', ref('Recipe')),
          ...unauthorized,
          ...notFound,
          409: failure('The recipe is no longer valid (RECIPE_INVALID), e.g. a connection was deleted'),
        },
      },
    },
    async (request) => recipes.start(request.params.id),
  );

  app.post<ById>(
    '/api/recipes/:id/stop',
    {
      schema: {
        summary: 'Stop a recipe',
        params: byId,
        response: { 200: answer('The recipe, stopped', ref('Recipe')), ...unauthorized, ...notFound },
      },
    },
    async (request) => recipes.stop(request.params.id),
  );
}
