/** The shape of `loadConnector`: its options and the connector object a test gets back. */
import type { ExecuteOptions, WebhookRequest } from '../execute/executor.js';
import type { ConnectorDefinition, PollResult } from '../types.js';
import type { MatchOn } from './match.js';
import type { SentRequest } from './session.js';

export interface LoadConnectorOptions {
  /**
   * Connection values: an object (flat, or named connections), or the path of a plain YAML/JSON
   * settings file. Default: `settings.yaml`/`.yml`/`.json` beside the connector, if present.
   * On replay, the cassette's recorded values are used and these fill in the secrets.
   */
  settings?: string | Record<string, unknown>;
  /** Which connection of a settings file with named connections. */
  connection?: string;
  /**
   * The cassette: `true`/omitted is one per test (`__cassettes__/<test file>/<test name>.json`
   * beside the test file); a string is a name in that folder or a `.json` path; `false` means
   * no cassette (live HTTP).
   */
  cassette?: boolean | string;
  /** What `ctx.now()` returns: default the recording time of the cassette. */
  now?: Date | string | number | (() => Date);
  /** How requests are matched to recordings (default `['method', 'url', 'body']`). */
  match?: readonly MatchOn[] | readonly string[];
  /** Overrides `WEFT_RECORD`. */
  record?: boolean | 'new';
  /** Overrides the executor's back-off base delay (default 1 ms on replay). */
  retryBaseMs?: number;
}

export interface ActionOperations {
  execute(args?: { input?: unknown; configFields?: Record<string, unknown>; continue?: unknown }): Promise<any>;
  inputFields(args?: { configFields?: Record<string, unknown> }): Promise<any[]>;
  outputFields(args?: { configFields?: Record<string, unknown> }): Promise<any[]>;
  configFields(): Promise<any[]>;
  sampleOutput(args?: { configFields?: Record<string, unknown> }): Promise<any>;
}

export interface TriggerOperations {
  poll(args?: { input?: unknown; closure?: unknown }): Promise<Required<PollResult> & { events: any[] }>;
  /** Polls again while `canPollMore` (at most `maxPolls`, default 100): every event, the last closure. */
  pollAll(args?: {
    input?: unknown;
    closure?: unknown;
    maxPolls?: number;
  }): Promise<{ events: any[]; nextPoll: unknown; canPollMore: boolean; polls: number }>;
  /** `subscription`: what `webhookSubscribe` returned, as the runtime passes it (e.g. a per-webhook secret). */
  webhookNotification(args?: WebhookRequest & { input?: unknown; subscription?: unknown }): Promise<any>;
  webhookSubscribe(args?: { input?: unknown; webhookUrl?: string }): Promise<any>;
  webhookUnsubscribe(args?: { input?: unknown; subscription?: unknown }): Promise<any>;
  dedup(events: unknown[]): Promise<string[]>;
  inputFields(args?: { configFields?: Record<string, unknown> }): Promise<any[]>;
  outputFields(args?: { configFields?: Record<string, unknown> }): Promise<any[]>;
  sampleOutput(): Promise<any>;
}

export interface TestConnector {
  name: string;
  file: string;
  definition: ConnectorDefinition;
  actions: Record<string, ActionOperations>;
  triggers: Record<string, TriggerOperations>;
  pickLists: Record<string, (args?: Record<string, unknown>) => Promise<any[]>>;
  methods: Record<string, (...args: unknown[]) => Promise<any>>;
  objectDefinitions: Record<string, () => Promise<any[]>>;
  test(): Promise<any>;
  /** Runs any exec path (as `weft exec`), e.g. `connection.authorization.acquire`. */
  exec(path: string, options?: Omit<ExecuteOptions, 'connection' | 'dispatcher' | 'now'>): Promise<any>;
  /** The requests sent in the current test (secrets as placeholders), in order. */
  readonly requests: SentRequest[];
  /** The connection values of the current test (refreshed tokens included). */
  readonly connection: Record<string, unknown>;
  /** The current cassette: its file, its mode and how many recordings replay has not used. */
  readonly cassette: { file: string; mode: 'record' | 'replay'; unused: number } | undefined;
  /** Closes the recording agent (sockets) of this connector. */
  close(): Promise<void>;
}
