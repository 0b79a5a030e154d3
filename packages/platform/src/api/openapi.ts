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
  Problem: {
    type: 'object',
    required: ['path', 'message'],
    properties: { path: { type: 'string' }, message: { type: 'string' } },
  },
  DefinitionErrors: {
    type: 'object',
    required: ['error'],
    description: 'A pushed definition with problems: every problem with its path in the definition',
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message', 'path', 'problems'],
        properties: {
          code: { type: 'string', enum: ['DEFINITION_INVALID'] },
          message: { type: 'string' },
          path: { type: 'string', description: "The first problem's path (e.g. `actions.create_contact.execute`)" },
          problems: { type: 'array', items: { $ref: '#/components/schemas/Problem' } },
        },
      },
    },
  },
  ConnectorPush: {
    type: 'object',
    required: ['source', 'name'],
    additionalProperties: false,
    properties: {
      source: {
        type: 'string',
        description: 'The bundled ES module `loadConnectorFile` produces (what `weft push` sends); up to 10 MiB',
      },
      name: {
        type: 'string',
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$',
        description:
          "The connector's name, checked before the source runs; must agree with the definition's `name` when it sets one",
      },
    },
  },
  ConnectorPushed: {
    type: 'object',
    required: ['name', 'title', 'version', 'actions', 'triggers', 'checksum', 'origin', 'createdAt', 'created'],
    properties: {
      name: { type: 'string' },
      title: { type: 'string' },
      description: { type: 'string' },
      version: { type: 'integer', description: 'The current version: new connections and recipes use it' },
      actions: { type: 'array', items: { type: 'string' } },
      triggers: { type: 'array', items: { type: 'string' } },
      checksum: { type: 'string', description: 'SHA-256 of the source' },
      origin: { type: 'string', description: '`push`, or the file a folder connector was loaded from' },
      createdAt: { type: 'string', format: 'date-time' },
      created: { type: 'boolean', description: 'False when the source equals the current version (200)' },
    },
  },
  ConnectorVersion: {
    type: 'object',
    required: ['name', 'version', 'checksum', 'origin', 'createdAt', 'current'],
    properties: {
      name: { type: 'string' },
      version: { type: 'integer' },
      checksum: { type: 'string' },
      origin: { type: 'string' },
      createdAt: { type: 'string', format: 'date-time' },
      current: { type: 'boolean' },
    },
  },
  ConnectorSource: {
    type: 'object',
    required: ['name', 'version', 'source'],
    properties: { name: { type: 'string' }, version: { type: 'integer' }, source: { type: 'string' } },
  },
  FieldsRequest: {
    type: 'object',
    additionalProperties: false,
    description: 'One of `action`, `trigger` (with `kind`) or `pickList`',
    properties: {
      connection: { type: 'string', description: 'A connection of this connector: the lambdas run with its values' },
      version: { type: 'integer', minimum: 1, description: 'A stored version (default: the current one)' },
      action: { type: 'string' },
      trigger: { type: 'string' },
      kind: {
        type: 'string',
        enum: ['input', 'output', 'config', 'description', 'help'],
        default: 'input',
        description:
          "`description` and `help` give the operation's texts, computed with the connection and config fields",
      },
      configFields: { type: 'object', description: 'Config field values the fields may depend on' },
      pickList: { type: 'string' },
      args: {
        type: 'object',
        description: 'Pick lists: the values of the fields named in `pickListParams`; tree pick lists: `parentId`',
      },
    },
  },
  FieldsResponse: {
    oneOf: [
      {
        type: 'object',
        required: ['fields', 'schema'],
        properties: {
          fields: {
            type: 'array',
            items: { type: 'object' },
            description: 'Schema fields as the connector gives them',
          },
          schema: { type: 'object', description: 'The fields as JSON Schema' },
        },
      },
      {
        type: 'object',
        required: ['options'],
        properties: {
          options: {
            type: 'array',
            items: { type: 'array' },
            description: '`[label, value]` pairs; tree pick lists: `[label, value, childPath?, hasChildren?]`',
          },
        },
      },
      { type: 'object', required: ['description'], properties: { description: { type: ['string', 'null'] } } },
      {
        type: 'object',
        required: ['help'],
        properties: {
          help: {
            type: ['object', 'null'],
            properties: { body: { type: 'string' }, learnMoreUrl: { type: 'string' } },
          },
        },
      },
    ],
  },
  JobError: {
    type: ['object', 'null'],
    required: ['code', 'message'],
    properties: { code: { type: 'string' }, message: { type: 'string' }, stepId: { type: 'string' } },
  },
  Job: {
    type: 'object',
    required: [
      'id',
      'recipeId',
      'status',
      'trigger',
      'error',
      'attempts',
      'rerunOf',
      'createdAt',
      'startedAt',
      'finishedAt',
    ],
    properties: {
      id: { type: 'string' },
      recipeId: { type: 'string' },
      status: { type: 'string', enum: ['pending', 'running', 'suspended', 'succeeded', 'failed', 'stopped'] },
      trigger: { description: 'The trigger event' },
      error: { $ref: '#/components/schemas/JobError' },
      attempts: { type: 'integer' },
      rerunOf: { type: ['string', 'null'], description: 'The job this one re-runs' },
      runAt: {
        type: ['string', 'null'],
        format: 'date-time',
        description: 'When a pending or suspended job runs next',
      },
      createdAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      startedAt: { type: ['string', 'null'], format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  JobStep: {
    type: 'object',
    required: ['id', 'status', 'input', 'output', 'error', 'startedAt', 'finishedAt'],
    properties: {
      id: { type: 'string', description: "The recipe step's id" },
      seq: { type: 'integer', description: 'Order of execution within the job' },
      status: { type: 'string', enum: ['pending', 'running', 'suspended', 'succeeded', 'failed', 'stopped'] },
      input: {},
      output: {},
      error: { $ref: '#/components/schemas/JobError' },
      attempts: { type: 'integer' },
      startedAt: { type: ['string', 'null'], format: 'date-time' },
      finishedAt: { type: ['string', 'null'], format: 'date-time' },
    },
  },
  JobDetail: {
    allOf: [
      ref('Job'),
      {
        type: 'object',
        required: ['steps'],
        properties: { steps: { type: 'array', items: ref('JobStep') } },
      },
    ],
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
  SavedRecipe: {
    allOf: [
      ref('Recipe'),
      {
        type: 'object',
        required: ['warnings'],
        properties: {
          warnings: {
            type: 'array',
            description: 'Datapills that could not be checked: output fields given as functions did not resolve',
            items: {
              type: 'object',
              required: ['code', 'path', 'message', 'datapills'],
              properties: {
                code: { type: 'string', enum: ['DATAPILLS_UNCHECKED'] },
                path: { type: 'string', description: 'The trigger or step whose output fields did not resolve' },
                message: { type: 'string' },
                datapills: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['datapill', 'path'],
                    properties: { datapill: { type: 'string' }, path: { type: 'string' } },
                  },
                },
              },
            },
          },
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
        post: {
          summary: 'Push a connector source: loaded, validated, and a new version when it changed',
          requestBody: body(ref('ConnectorPush')),
          responses: {
            '201': json(ref('ConnectorPushed'), 'A new version, now current'),
            '200': json(ref('ConnectorPushed'), 'The source equals the current version: nothing changed'),
            '400': {
              description:
                'A bad body (INVALID_REQUEST), a bad name (NAME_INVALID), a source that does not load (CONNECTOR_NOT_LOADABLE, ' +
                'CONNECTOR_NO_DEFAULT_EXPORT, path `source`) or a definition with problems (DEFINITION_INVALID)',
              content: { 'application/json': { schema: { oneOf: [ref('Error'), ref('DefinitionErrors')] } } },
            },
            ...errors,
            '413': errorResponse('The source is over 10 MiB'),
          },
        },
      },
      '/api/connectors/{name}': {
        get: {
          summary: "One connector's actions and triggers with resolved static fields",
          parameters: [pathParam('name')],
          responses: { '200': { description: 'The connector' }, ...errors, ...notFound },
        },
      },
      '/api/connectors/{name}/versions': {
        get: {
          summary: "A connector's stored versions, newest first",
          parameters: [pathParam('name')],
          responses: { '200': json(list(ref('ConnectorVersion')), 'The versions'), ...errors, ...notFound },
        },
      },
      '/api/connectors/{name}/source': {
        get: {
          summary: 'The bundled source of a connector version (default: the current one)',
          parameters: [pathParam('name'), { name: 'version', in: 'query', schema: { type: 'integer', minimum: 1 } }],
          responses: {
            '200': json(ref('ConnectorSource'), '{ name, version, source }'),
            ...invalid,
            ...errors,
            '404': errorResponse('No such connector (CONNECTOR_NOT_FOUND) or version (CONNECTOR_VERSION_NOT_FOUND)'),
          },
        },
      },
      '/api/connectors/{name}/fields': {
        post: {
          summary: 'Resolve dynamic fields of an action or trigger, or a pick list, for a connection and config',
          parameters: [pathParam('name')],
          requestBody: body(ref('FieldsRequest')),
          responses: {
            '200': json(ref('FieldsResponse'), '`{ fields, schema }`, or `{ options }` for a pick list'),
            ...invalid,
            ...errors,
            '404': errorResponse('No such connector, version, connection, action, trigger or pick list (with `path`)'),
            '422': errorResponse(
              "The connector's code failed (its message, secrets redacted): LAMBDA_FAILED, CONNECTOR_ERROR, HTTP_ERROR, ...",
            ),
          },
        },
      },
      '/api/connectors/{name}/run': {
        post: {
          summary: 'Run one action with a connection (the SDK console): its output and HTTP exchanges, redacted',
          parameters: [pathParam('name')],
          requestBody: body({
            type: 'object',
            required: ['action'],
            additionalProperties: false,
            properties: {
              connection: { type: 'string' },
              action: { type: 'string' },
              input: { type: 'object' },
              configFields: { type: 'object' },
            },
          }),
          responses: {
            '200': json(
              {
                type: 'object',
                required: ['exchanges'],
                properties: {
                  output: {},
                  reinvokeAfter: {
                    type: 'object',
                    description: 'A multistep action suspended: `{ seconds, continue }`',
                  },
                  exchanges: { type: 'array', items: { type: 'object' } },
                },
              },
              '`{ output, exchanges }`',
            ),
            ...invalid,
            ...errors,
            '404': errorResponse('No such connector, action or connection (with `path`)'),
            '422': errorResponse(
              'The action failed (its message, secrets redacted); the body also carries the `exchanges` made',
            ),
          },
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
      '/api/connections/{name}/oauth2/start': {
        get: {
          summary: 'Start the OAuth2 authorization-code flow of a connection',
          description:
            "Redirects (302) to the application's authorization URL; with `Accept: application/json` answers " +
            '`{ authorizationUrl }` instead. The application redirects back to `GET /oauth/callback`, which stores the tokens.',
          parameters: [pathParam('name')],
          responses: {
            '302': { description: 'To the authorization URL (`Location`)' },
            '200': json(
              {
                type: 'object',
                required: ['authorizationUrl'],
                properties: { authorizationUrl: { type: 'string', format: 'uri' } },
              },
              'With `Accept: application/json`',
            ),
            ...invalid,
            ...errors,
            ...notFound,
          },
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
          responses: { '201': json(ref('SavedRecipe'), 'The recipe, with warnings'), ...invalid, ...errors },
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
            '200': json(ref('SavedRecipe'), 'The recipe, with warnings'),
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
      '/api/jobs': {
        get: {
          summary: 'List jobs, newest first',
          parameters: [
            ...pageParams,
            { name: 'recipeId', in: 'query', schema: { type: 'string' } },
            {
              name: 'status',
              in: 'query',
              schema: { type: 'string', enum: ['pending', 'running', 'suspended', 'succeeded', 'failed', 'stopped'] },
            },
          ],
          responses: {
            '200': json(list(ref('Job')), 'A page of jobs'),
            ...invalid,
            ...errors,
            '404': errorResponse('No recipe with that `recipeId` (RECIPE_NOT_FOUND)'),
          },
        },
      },
      '/api/jobs/{id}': {
        get: {
          summary: 'One job with its steps',
          parameters: [pathParam('id')],
          responses: { '200': json(ref('JobDetail'), 'The job'), ...errors, '404': errorResponse('JOB_NOT_FOUND') },
        },
      },
      '/api/jobs/{id}/rerun': {
        post: {
          summary: 'A new job from the same trigger event (`rerunOf` names the original)',
          parameters: [pathParam('id')],
          responses: {
            '201': json(ref('JobDetail'), 'The new job, pending'),
            ...errors,
            '404': errorResponse('JOB_NOT_FOUND'),
            '409': errorResponse(
              'The job has not finished (JOB_NOT_FINISHED), or its recipe no longer exists (RECIPE_NOT_FOUND)',
            ),
          },
        },
      },
    },
  };
}
