/**
 * The OpenAPI description served at `/api/openapi.json`: the routes this server implements
 * (a test checks that every `/api/` route is listed, and nothing more).
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({ description, content: { 'application/json': { schema } } });
const errorResponse = (description: string) => json(ref('Error'), description);
const body = (schema: unknown) => ({ required: true, content: { 'application/json': { schema } } });

const errors = { '401': errorResponse('Missing or invalid token') };
const notFound = { '404': errorResponse('Not found') };
const invalid = {
  '400': errorResponse('Invalid request: `path` names the bad value (e.g. `values.port`, `steps[1].action`)'),
};

const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const pageParams = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 50 } },
  { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'The `nextCursor` of the previous page' },
];
const list = (item: unknown) => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});

const schemas = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, path: { type: 'string' } },
      },
    },
  },
  ConnectionInput: {
    type: 'object',
    required: ['name', 'connector'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' },
      connector: { type: 'string' },
      values: { type: 'object', description: "Values of the connector's connection fields" },
    },
  },
  ConnectionPatch: {
    type: 'object',
    additionalProperties: false,
    properties: {
      values: {
        type: 'object',
        description: 'Merged into the stored values; `"[REDACTED]"` keeps a stored value, `null` removes one',
      },
    },
  },
  Connection: {
    type: 'object',
    required: ['name', 'connector', 'createdAt', 'updatedAt'],
    properties: {
      name: { type: 'string' },
      connector: { type: 'string' },
      values: { type: 'object', description: 'Secret values are `"[REDACTED]"`' },
      error: {
        type: 'object',
        description: 'In lists only: why the values cannot be opened (e.g. VAULT_KEY_MISMATCH)',
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
    },
  },
  ConnectionTest: {
    type: 'object',
    required: ['ok', 'message'],
    properties: { ok: { type: 'boolean' }, message: { type: 'string' } },
  },
  Step: {
    type: 'object',
    description:
      'One of: an action `{ id, connector, connection?, action, input }`; `{ id, if, then, else? }`; ' +
      '`{ id, foreach, as?, do }`; `{ id, stop: { error, message? } }`',
    required: ['id'],
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      connector: { type: 'string' },
      connection: { type: 'string' },
      action: { type: 'string' },
      input: { type: 'object' },
      if: { type: ['string', 'boolean'] },
      then: { type: 'array', items: { $ref: '#/components/schemas/Step' } },
      else: { type: 'array', items: { $ref: '#/components/schemas/Step' } },
      foreach: { type: 'string' },
      as: { type: 'string', default: 'item' },
      do: { type: 'array', items: { $ref: '#/components/schemas/Step' } },
      stop: { type: 'object', properties: { error: { type: 'boolean' }, message: { type: 'string' } } },
    },
  },
  RecipeInput: {
    type: 'object',
    required: ['name', 'trigger', 'steps'],
    properties: {
      name: { type: 'string', maxLength: 200 },
      trigger: {
        type: 'object',
        required: ['connector', 'trigger'],
        properties: {
          connector: { type: 'string' },
          connection: { type: 'string' },
          trigger: { type: 'string' },
          input: { type: 'object' },
          pollIntervalSeconds: { type: 'integer', minimum: 1, default: 300 },
        },
      },
      steps: { type: 'array', items: ref('Step') },
      onError: { type: 'array', items: ref('Step'), default: [] },
      concurrency: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
    },
  },
  Recipe: {
    allOf: [
      ref('RecipeInput'),
      {
        type: 'object',
        required: ['id', 'status', 'connectorVersions', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string' },
          status: { type: 'string', enum: ['stopped', 'running'] },
          connectorVersions: { type: 'object', additionalProperties: { type: 'integer' } },
          webhookUrl: {
            type: 'string',
            format: 'uri',
            description: 'Webhook triggers: the absolute URL of this recipe',
          },
          staticWebhookUrl: {
            type: 'string',
            format: 'uri',
            description: "Static webhook triggers: the connector's URL",
          },
          createdAt: { type: 'string', format: 'date-time' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    ],
  },
};

export function openapi(version: string) {
  return {
    openapi: '3.1.0',
    info: { title: 'Weft API', version },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas,
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/health': {
        get: { summary: 'Liveness', security: [], responses: { '200': { description: '{ "status": "ok" }' } } },
      },
      '/api/openapi.json': {
        get: { summary: 'This description', security: [], responses: { '200': { description: 'OpenAPI 3.1' } } },
      },
      '/api/connectors': {
        get: {
          summary: 'List connectors',
          responses: { '200': { description: '{ items, nextCursor, problems }' }, ...errors },
        },
      },
      '/api/connectors/{name}': {
        get: {
          summary: "One connector's actions and triggers with resolved static fields",
          parameters: [pathParam('name')],
          responses: { '200': { description: 'The connector' }, ...errors, ...notFound },
        },
      },
      '/api/connections': {
        get: {
          summary: 'List connections, by name',
          parameters: pageParams,
          responses: { '200': json(list(ref('Connection')), 'A page of connections'), ...invalid, ...errors },
        },
        post: {
          summary: 'Create a connection; values are checked against the connection fields and sealed',
          requestBody: body(ref('ConnectionInput')),
          responses: {
            '201': json(ref('Connection'), 'The connection, secrets redacted'),
            ...invalid,
            ...errors,
            '409': errorResponse('The name is taken'),
          },
        },
      },
      '/api/connections/{name}': {
        get: {
          summary: 'One connection, secrets redacted',
          parameters: [pathParam('name')],
          responses: {
            '200': json(ref('Connection'), 'The connection'),
            ...errors,
            ...notFound,
            '409': errorResponse('Sealed with another master key (VAULT_KEY_MISMATCH)'),
          },
        },
        patch: {
          summary: 'Change connection values (merged into the stored ones)',
          parameters: [pathParam('name')],
          requestBody: body(ref('ConnectionPatch')),
          responses: { '200': json(ref('Connection'), 'The connection'), ...invalid, ...errors, ...notFound },
        },
        delete: {
          summary: 'Delete a connection no recipe uses',
          parameters: [pathParam('name')],
          responses: {
            '204': { description: 'Deleted' },
            ...errors,
            ...notFound,
            '409': errorResponse('Used by a recipe (CONNECTION_IN_USE)'),
          },
        },
      },
      '/api/connections/{name}/test': {
        post: {
          summary: "Run the connector's test with the connection",
          parameters: [pathParam('name')],
          responses: { '200': json(ref('ConnectionTest'), '{ ok, message }'), ...errors, ...notFound },
        },
      },
      '/api/recipes': {
        get: {
          summary: 'List recipes, oldest first',
          parameters: [
            ...pageParams,
            { name: 'status', in: 'query', schema: { type: 'string', enum: ['stopped', 'running'] } },
          ],
          responses: { '200': json(list(ref('Recipe')), 'A page of recipes'), ...invalid, ...errors },
        },
        post: {
          summary: 'Create a recipe (validated whole; stopped)',
          requestBody: body(ref('RecipeInput')),
          responses: { '201': json(ref('Recipe'), 'The recipe'), ...invalid, ...errors },
        },
      },
      '/api/recipes/{id}': {
        get: {
          summary: 'One recipe with its status and, for webhook triggers, its webhook URL',
          parameters: [pathParam('id')],
          responses: { '200': json(ref('Recipe'), 'The recipe'), ...errors, ...notFound },
        },
        put: {
          summary: 'Replace a stopped recipe (read-only keys of a GET are ignored)',
          parameters: [pathParam('id')],
          requestBody: body(ref('RecipeInput')),
          responses: {
            '200': json(ref('Recipe'), 'The recipe'),
            ...invalid,
            ...errors,
            ...notFound,
            '409': errorResponse('The recipe is running (RECIPE_RUNNING)'),
          },
        },
        delete: {
          summary: 'Delete a stopped recipe with its jobs',
          parameters: [pathParam('id')],
          responses: {
            '204': { description: 'Deleted' },
            ...errors,
            ...notFound,
            '409': errorResponse('The recipe is running (RECIPE_RUNNING)'),
          },
        },
      },
      '/api/recipes/{id}/start': {
        post: {
          summary: 'Start a recipe',
          parameters: [pathParam('id')],
          responses: {
            '200': json(ref('Recipe'), 'The recipe, running'),
            ...errors,
            ...notFound,
            '409': errorResponse('The recipe is no longer valid (RECIPE_INVALID), e.g. a connection was deleted'),
          },
        },
      },
      '/api/recipes/{id}/stop': {
        post: {
          summary: 'Stop a recipe',
          parameters: [pathParam('id')],
          responses: { '200': json(ref('Recipe'), 'The recipe, stopped'), ...errors, ...notFound },
        },
      },
    },
  };
}
