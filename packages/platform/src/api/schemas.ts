/**
 * The pieces of the route schemas: named component schemas (the OpenAPI document lists them
 * under `components.schemas`; responses and documented bodies refer to them), and helpers for
 * params, pages and responses. Response schemas document answers; they never filter them
 * (app.ts serializes with JSON.stringify).
 */

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

/** What a name of a connection, an agent, an agent group or an MCP token may be (checked by the service). */
export const IDENTIFIER = 'Letters, digits, `.`, `_`, `-`; starts with a letter or digit; at most 100 characters';

/** The `name` property of a body that creates one. */
export const nameProperty: Schema = { type: 'string', minLength: 1, description: IDENTIFIER };

/** A JSON answer with this schema. */
export const answer = (description: string, schema: Schema = { type: 'object' }): Schema => ({
  description,
  ...schema,
});
/** An answer without a body (204, 302). */
export const empty = (description: string): Schema => ({ description, type: 'null' });
/** An error answer: `{ error: { code, message, path? } }`. */
export const failure = (description: string): Schema => ({ description, ...ref('Error') });

export const unauthorized = { 401: failure('Missing or invalid token') };
export const notFound = { 404: failure('Not found') };
export const invalid = {
  400: failure('Invalid request: `path` names the bad value (e.g. `values.port`, `steps[1].action`)'),
};

/** Path parameters, each a string. */
export const params = (...names: string[]): Schema => ({
  type: 'object',
  required: names,
  properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
});

export const pageProperties = {
  limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
  cursor: { type: 'string', description: 'The `nextCursor` of the previous page' },
};

export const list = (item: Schema): Schema => ({
  type: 'object',
  required: ['items', 'nextCursor'],
  properties: { items: { type: 'array', items: item }, nextCursor: { type: ['string', 'null'] } },
});

/** `components.schemas` of the document: what the routes' responses (and documented bodies) refer to. */
export const components: Record<string, Schema> = {
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
  Connection: {
    type: 'object',
    required: ['name', 'connector', 'createdAt', 'updatedAt'],
    properties: {
      name: { type: 'string' },
      connector: { type: 'string' },
      values: { type: 'object', description: 'Secret values are `"[REDACTED]"`' },
      agentGroup: {
        type: 'string',
        description: 'The agent group whose agents carry its HTTP (connectors with `secureTunnel: true`)',
      },
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
  Agent: {
    type: 'object',
    required: ['name', 'group', 'online', 'requestsServed'],
    properties: {
      name: { type: 'string' },
      group: { type: 'string' },
      online: { type: 'boolean', description: 'A session of the agent is open and heard from lately' },
      lastSeen: { type: ['string', 'null'], format: 'date-time' },
      version: { type: ['string', 'null'], description: 'The version the agent reported' },
      requestsServed: { type: 'integer' },
      lastError: { type: ['string', 'null'] },
      connectedAt: { type: ['string', 'null'], format: 'date-time' },
      createdAt: { type: 'string', format: 'date-time' },
    },
  },
  AgentWithKey: {
    type: 'object',
    required: ['agent', 'key'],
    properties: {
      agent: ref('Agent'),
      key: { type: 'string', description: 'The agent key, shown this once (Weft keeps only its hash)' },
    },
  },
  Step: {
    type: 'object',
    description:
      'One of: an action `{ id, connector, connection?, action, input, timeoutSeconds? }`; `{ id, if, then, else? }`; ' +
      '`{ id, foreach, as?, do }`; `{ id, stop: { error, message? } }`',
    required: ['id'],
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
      connector: { type: 'string' },
      connection: { type: 'string' },
      action: { type: 'string' },
      input: { type: 'object' },
      timeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600 },
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
      logs: {
        type: 'array',
        description:
          "The step's `ctx.log` lines, redacted: at most 200 of at most 2,048 characters, then one `… N more lines dropped` line",
        items: {
          type: 'object',
          required: ['level', 'message', 'at'],
          properties: {
            level: { type: 'string', enum: ['debug', 'info', 'warn', 'error'] },
            message: { type: 'string' },
            at: { type: 'string', format: 'date-time' },
            data: { description: 'The data logged with the line (JSON), when within the bound' },
          },
        },
      },
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
