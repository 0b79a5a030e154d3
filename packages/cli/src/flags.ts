/**
 * Every command's flags, one table each: main.ts declares them on commander, the commands take
 * the derived types. Light on purpose (main.ts imports it at start-up; commands load lazily).
 */
import { JOB_STATUSES, RECIPE_STATUSES } from '@weft/sdk/model';
import { type FlagSpec, type FlagsOf, flagTable } from './flag-table.js';

const CONNECTOR_FILE = 'the connector file (default: ./connector.ts or ./connector.js)';
const CONNECTION = {
  flags: '--connection <name>',
  description: 'which connection of a settings file with named connections',
} as const;
const settings = (description: string) => ({ flags: '--settings <file>', description }) as const;
const verbose = (description: string) => ({ flags: '--verbose', description }) as const;
/** Data flags take inline JSON, @file or a file path (see io.ts). */
const configFields = (description: string) => ({ flags: '--config-fields <json|@file>', description }) as const;
const args = (description: string) => ({ flags: '--args <json|@file>', description }) as const;

/** Where the API commands find the server and its admin token. */
const API = [
  { flags: '--server <url>', description: 'the Weft server (default: WEFT_URL or http://127.0.0.1:4000)' },
  { flags: '--token <token>', description: 'the admin API token (default: WEFT_TOKEN, else $WEFT_HOME/admin.token)' },
  { flags: '--json', description: 'print the API answer as JSON' },
] as const satisfies readonly FlagSpec[];

export const EXEC_FLAGS = flagTable([
  { flags: '--connector <file>', description: CONNECTOR_FILE },
  settings('connection values: settings.yaml or settings.yaml.enc (default: beside the connector, if present)'),
  CONNECTION,
  { flags: '--input <json|@file>', description: 'input: a JSON object (dedup: an event or an array of events)' },
  { flags: '--closure <json|@file>', description: 'a poll closure (JSON)' },
  args('a JSON array (method arguments) or object (pick-list arguments)'),
  configFields('config field values (a JSON object)'),
  { flags: '--continue <json|@file>', description: 'the `continue` value of a multistep action (JSON)' },
  { flags: '--webhook-payload <file>', description: 'a webhook payload (JSON file)' },
  { flags: '--webhook-headers <json|@file>', description: 'webhook request headers (a JSON object)' },
  { flags: '--webhook-params <json|@file>', description: 'webhook query parameters (a JSON object)' },
  { flags: '--webhook-raw-body <file>', description: 'the raw webhook body (any file)' },
  { flags: '--webhook-url <url>', description: 'the webhook URL given to webhook_subscribe' },
  {
    flags: '--webhook-subscribe-output <json|@file>',
    description: 'what webhook_subscribe returned (JSON), for unsubscribe/refresh',
  },
  {
    flags: '--output <file>',
    description: 'also write the result to this file (bytes: only the raw bytes, nothing printed)',
  },
  { flags: '--follow', description: 'keep polling while canPollMore; run every step of a multistep action' },
  {
    flags: '--seen <file>',
    description: 'polls: a file of seen dedup signatures; print only events that earlier runs did not',
  },
  verbose('show each HTTP exchange (secrets redacted) and full error details on stderr'),
  {
    flags: '--isolate',
    description:
      'run the connector in an isolated host with the limits weft serve applies (docs/running.md, Isolation)',
  },
  {
    flags: '--agent <file>',
    description:
      "send the connector's HTTP through an agent performing here with this agent.yaml, as `weft agent --config` would (docs/auth/on-prem.md)",
  },
  {
    flags: '--max-steps <n>',
    description: 'with --follow: stop after this many polls or steps',
    default: '100',
    positive: true,
  },
]);
export type ExecFlags = FlagsOf<typeof EXEC_FLAGS>;

export const MCP_FLAGS = flagTable([
  settings('connection values: settings.yaml or settings.yaml.enc (default: beside the connector, if present)'),
  CONNECTION,
  verbose('show each HTTP exchange (secrets redacted) and full error details on stderr'),
  {
    flags: '--isolate',
    description: 'run the connector in an isolated host with the limits weft serve applies',
  },
]);
export type McpFlags = FlagsOf<typeof MCP_FLAGS>;

export const LISTEN_FLAGS = flagTable([
  settings('connection values (default: the settings file beside the connector)'),
  CONNECTION,
  { flags: '--input <json|@file>', description: 'the trigger input (a JSON object)' },
  { flags: '--port <port>', description: 'port of the local receiver (0: any free port)', default: '0' },
  { flags: '--host <host>', description: 'address of the local receiver', default: '127.0.0.1' },
  { flags: '--public-url <url>', description: 'the URL the application should call (e.g. a tunnel to the receiver)' },
  { flags: '--max-body <size>', description: 'largest request body accepted, e.g. 1mb, 256kb', default: '1mb' },
  verbose('show HTTP exchanges, each request and full error details on stderr'),
]);
export type ListenFlags = FlagsOf<typeof LISTEN_FLAGS>;

export const CHECK_FLAGS = flagTable([
  settings('connection values, to also check lambdas that call the API'),
  CONNECTION,
  {
    flags: '--cassettes <dir>',
    description: 'cassettes whose recorded outputs to check (repeatable; default: every __cassettes__ folder)',
    repeatable: true,
  },
  configFields('config field values for every action and trigger (default: sampled)'),
  args('pick-list arguments (a JSON object) given to every pick list checked'),
]);
export type CheckFlags = FlagsOf<typeof CHECK_FLAGS>;

export const TEST_FLAGS = flagTable([
  {
    flags: '--record',
    description: 'record cassettes against the live API (sets WEFT_RECORD=1) instead of replaying them',
  },
  { flags: '--no-check', description: 'skip the contract checks' },
  {
    flags: '--isolate',
    description:
      "run the tests under a connector host's limits: no files outside the project, no processes or threads, the egress rules (docs/running.md, Isolation)",
  },
]);
export type TestFlags = FlagsOf<typeof TEST_FLAGS>;

export const GENERATE_TEST_FLAGS = flagTable([
  { flags: '--connector <file>', description: 'the connector file or folder', default: '.' },
  { flags: '--action <name>', description: 'only this action' },
  { flags: '--trigger <name>', description: 'only this trigger' },
  { flags: '--force', description: 'overwrite existing test and fixture files' },
  configFields('config field values written into the fixtures (default: sampled)'),
  args('pick-list arguments (a JSON object) for sampling pick-list fields'),
]);
export type GenerateFlags = FlagsOf<typeof GENERATE_TEST_FLAGS>;

export const IMPORT_OPENAPI_FLAGS = flagTable([
  { flags: '--out <dir>', description: 'the folder to write the connector project into (must not exist or be empty)' },
  {
    flags: '--only <list>',
    description: 'only these tags, operationIds or action names (comma-separated)',
  },
]);
export type ImportOpenApiFlags = FlagsOf<typeof IMPORT_OPENAPI_FLAGS>;

export const OAUTH2_FLAGS = flagTable([
  { flags: '--connector <file>', description: CONNECTOR_FILE },
  settings('where to store the tokens (default: the settings file beside the connector)'),
  CONNECTION,
  {
    flags: '--port <port>',
    description: 'the port of the redirect URI http://127.0.0.1:<port>/oauth/callback (0: any free port)',
    default: '45555',
  },
  { flags: '--no-browser', description: 'only print the authorization URL; do not open a browser' },
  { flags: '--timeout <seconds>', description: 'how long to wait for the redirect', default: '300' },
  verbose('show the token requests (secrets redacted) and full error details on stderr'),
]);
export type OAuth2Flags = FlagsOf<typeof OAUTH2_FLAGS>;

export const NEW_FLAGS = flagTable([
  { flags: '--title <title>', description: 'the connector title (default: from the folder name)' },
]);
export type NewFlags = FlagsOf<typeof NEW_FLAGS>;

export const SERVE_FLAGS = flagTable([
  { flags: '--port <port>', description: 'port to listen on', default: '4000' },
  { flags: '--host <host>', description: 'address to listen on', default: '127.0.0.1' },
  {
    flags: '--connectors <dir>',
    description:
      'a folder of connector folders, or one connector folder (repeatable; default: WEFT_CONNECTORS or the bundled examples)',
    repeatable: true,
  },
  {
    flags: '--database <url>',
    description:
      'a PostgreSQL database (postgres://…; default: WEFT_DATABASE_URL, else the embedded store in WEFT_HOME)',
  },
  {
    flags: '--role <roles>',
    description:
      'what this process does, comma-separated: api, ingress, scheduler, worker (default: WEFT_ROLES, else all)',
  },
  {
    flags: '--no-builtins',
    description: 'do not load the built-in connectors http, schedule, webhook, util (same as WEFT_BUILTINS=off)',
  },
]);
export type ServeFlags = FlagsOf<typeof SERVE_FLAGS>;

export const AGENT_FLAGS = flagTable([
  { flags: '--server <url>', description: 'the Weft server to dial out to (https://…; http:// on a trusted network)' },
  { flags: '--key <key>', description: 'the agent key from POST /api/agents (default: WEFT_AGENT_KEY)' },
  { flags: '--config <file>', description: 'agent.yaml: the targets this agent may reach (default: none)' },
]);
export type AgentFlags = FlagsOf<typeof AGENT_FLAGS>;

export const DB_COPY_FLAGS = flagTable([
  {
    flags: '--from <home|url>',
    description: 'the store to copy: a WEFT_HOME folder (its weft.db) or a postgres:// URL',
  },
  { flags: '--to <url|home>', description: 'the empty store to copy into: a postgres:// URL or a WEFT_HOME folder' },
]);
export type DbCopyFlags = FlagsOf<typeof DB_COPY_FLAGS>;

/** `push` and every `recipes` and `jobs` command. */
export const API_FLAGS = flagTable(API);
export type PushFlags = FlagsOf<typeof API_FLAGS>;

export const RECIPES_LIST_FLAGS = flagTable([
  { flags: '--status <status>', description: 'only recipes with this status', choices: RECIPE_STATUSES },
]);
export type RecipeFlags = FlagsOf<typeof API_FLAGS> & FlagsOf<typeof RECIPES_LIST_FLAGS>;

export const JOBS_LIST_FLAGS = flagTable([
  { flags: '--recipe <id>', description: "only this recipe's jobs" },
  { flags: '--status <status>', description: 'only jobs with this status', choices: JOB_STATUSES },
  { flags: '--limit <n>', description: 'at most this many jobs (1 to 1000)', default: '20', positive: true },
  { flags: '--cursor <cursor>', description: 'the next page, as printed by the previous one' },
]);
/** The flags of `jobs list`; `jobs get` and `jobs rerun` have only the API flags. */
export type JobFlags = FlagsOf<typeof API_FLAGS> & Partial<FlagsOf<typeof JOBS_LIST_FLAGS>>;

export const ENCRYPT_FLAGS = flagTable([
  { flags: '--force', description: 'replace an existing encrypted file' },
  { flags: '--remove-plain', description: 'delete the plain file once the encrypted one is written' },
]);
export type EncryptFlags = FlagsOf<typeof ENCRYPT_FLAGS>;

export const DECRYPT_FLAGS = flagTable([
  { flags: '--output <file>', description: 'write the plain settings to this file (mode 0600) instead of stdout' },
  { flags: '--force', description: 'with --output: replace an existing file' },
]);
export type DecryptFlags = FlagsOf<typeof DECRYPT_FLAGS>;

export const EDIT_FLAGS = flagTable([
  { flags: '--from <file>', description: 'start from this file (the recovery file of a failed edit)' },
]);
export type EditFlags = FlagsOf<typeof EDIT_FLAGS>;
