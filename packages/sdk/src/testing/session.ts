/**
 * One cassette in use by one test: in record mode it keeps the exchanges and writes the file
 * after every operation; in replay mode it answers requests in order from the file.
 */
import type { Dispatcher } from 'undici';
import type { ConnectorDefinition } from '../types.js';
import {
  CASSETTE_VERSION,
  CassetteError,
  type CassetteFile,
  decodeBody,
  encodeBody,
  type Interaction,
  type RecordedOutput,
  type StoredRequest,
  writeCassette,
} from './cassette.js';
import { type CassetteHandler, cassetteDispatcher, type SeenRequest, type SeenResponse } from './interceptor.js';
import { type Comparable, comparable, differences, type MatchOn, mismatchMessage } from './match.js';
import { filterDeep, placeholder, restoreDeep, restoreSecrets, SecretBook, secretConnectionKeys } from './secrets.js';

/** Response headers that only describe one transfer; not worth a diff on every re-recording. */
const TRANSIENT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

export interface SentRequest {
  method: string;
  /** With secrets as placeholders. */
  url: string;
  headers: Record<string, string | string[]>;
  /** Parsed JSON, text, or base64 for bytes (as in the cassette). */
  body?: unknown;
}

export interface SessionInit {
  definition: ConnectorDefinition;
  file: string;
  mode: 'record' | 'replay';
  match: readonly MatchOn[];
  /** The connection to record with, or the current values that fill placeholders on replay. */
  settings: Record<string, unknown>;
  /** Explicit settings given to loadConnector (they win over the cassette's values on replay). */
  explicit: Record<string, unknown> | undefined;
  now: (() => Date) | undefined;
  agent: () => Dispatcher;
  existing: CassetteFile | undefined;
}

function contentType(headers: Record<string, unknown>): string | undefined {
  const v = headers['content-type'];
  return Array.isArray(v) ? String(v[0]) : typeof v === 'string' ? v : undefined;
}

export class CassetteSession implements CassetteHandler {
  readonly mode: 'record' | 'replay';
  readonly file: string;
  readonly connection: Record<string, unknown>;
  readonly now: () => Date;
  readonly dispatcher: Dispatcher;
  readonly requests: SentRequest[] = [];
  /** The first request of the last operation that no recording matched (thrown after the operation). */
  mismatch: CassetteError | undefined;

  private readonly definition: ConnectorDefinition;
  private readonly match: readonly MatchOn[];
  private readonly book = new SecretBook();
  private readonly startedAt = new Date();
  private readonly initial: Record<string, unknown>;
  private readonly raw: { request: SeenRequest; response: SeenResponse }[] = [];
  private readonly outputs: RecordedOutput[] = [];
  private readonly cassette: CassetteFile | undefined;
  private readonly recordings: Comparable[] = [];
  private readonly used: boolean[] = [];
  /** Values that fill placeholders of replayed responses (the connection, as it changes). */
  private readonly settings: Record<string, unknown>;
  private written = false;

  constructor(init: SessionInit) {
    this.mode = init.mode;
    this.file = init.file;
    this.definition = init.definition;
    this.match = init.match;
    this.settings = init.settings;
    if (init.mode === 'record') {
      this.connection = { ...init.settings };
      const frozen = new Date();
      this.now = init.now ?? (() => new Date(frozen));
    } else {
      this.cassette = init.existing;
      const recorded = restoreDeep(init.existing?.connection ?? {}, init.settings);
      this.connection = init.existing ? { ...recorded, ...(init.explicit ?? {}) } : { ...init.settings };
      const frozen = init.existing ? new Date(init.existing.now) : new Date();
      this.now = init.now ?? (() => new Date(frozen));
      for (const interaction of init.existing?.interactions ?? []) {
        this.recordings.push(comparable(interaction.request));
        this.used.push(false);
      }
    }
    this.initial = { ...this.connection };
    this.book.addConnection(this.definition, this.connection);
    this.dispatcher = cassetteDispatcher(this, init.mode === 'record' ? init.agent() : undefined);
  }

  /** Values obtained by auth flows (acquire/refresh) are secrets named after their keys. */
  learn(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) this.book.add(key, value);
  }

  /** Everything that changed in the connection during the run came from an auth flow. */
  private learnFromConnection(): void {
    for (const [key, value] of Object.entries(this.connection)) {
      if (this.initial[key] !== value) this.book.add(key, value);
    }
    this.book.addConnection(this.definition, this.connection);
  }

  private stored(request: SeenRequest): StoredRequest {
    const headers = this.book.filterHeaders(request.headers);
    return {
      method: request.method.toUpperCase(),
      url: this.book.filterUrl(request.url),
      headers,
      ...encodeBody(request.body, contentType(headers), (s) => this.book.filter(s)),
    };
  }

  private log(request: StoredRequest): void {
    this.requests.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      ...(request.body === undefined ? {} : { body: request.body }),
    });
  }

  answer(request: SeenRequest): SeenResponse {
    this.learnFromConnection();
    const stored = this.stored(request);
    this.log(stored);
    const fail = (error: CassetteError) => {
      this.mismatch ??= error;
      throw error;
    };
    if (!this.cassette) {
      fail(
        new CassetteError(
          'CASSETTE_MISSING',
          `no cassette at ${this.file}: record it with WEFT_RECORD=1 (or \`weft test --record\`) while the API is reachable\n  request: ${stored.method} ${stored.url}`,
        ),
      );
    }
    const actual = comparable(stored);
    const index = this.recordings.findIndex((r, i) => !this.used[i] && differences(r, actual, this.match).length === 0);
    if (index < 0) {
      fail(
        new CassetteError(
          'CASSETTE_MISMATCH',
          mismatchMessage(this.file, actual, this.recordings, this.used, this.match),
        ),
      );
    }
    this.used[index] = true;
    const { response } = this.cassette!.interactions[index];
    const values = { ...this.settings, ...this.connection };
    // A restored value is what the connector now holds (after a replayed re-login): filter it too.
    const restore = (s: string) => restoreSecrets(s, values, (name, value) => this.book.add(name, value));
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(response.headers ?? {}))
      headers[k] = Array.isArray(v) ? v.map(restore) : restore(String(v));
    return {
      status: response.status,
      statusText: response.statusText,
      headers,
      body: decodeBody(response, restore),
    };
  }

  record(request: SeenRequest, response: SeenResponse): void {
    this.raw.push({ request, response });
    this.log(this.stored(request));
  }

  get hasCassette(): boolean {
    return this.cassette !== undefined;
  }

  /** How many recordings replay has not used yet. */
  get unused(): number {
    return this.used.filter((u) => !u).length;
  }

  /** After each operation: remember its output and, when recording, write the cassette. */
  async finish(path: string, output: unknown): Promise<void> {
    this.learnFromConnection();
    if (this.mode !== 'record') return;
    // Outputs that contract checks compare with the output fields.
    if (output !== undefined && /^(actions\.[^.]+\.execute|triggers\.[^.]+\.(poll|webhook_notification))$/.test(path)) {
      this.outputs.push({ path, output });
    }
    // An operation without HTTP needs no cassette (and gets none, unless one is already under way).
    if (this.raw.length > 0 || this.written) {
      await writeCassette(this.file, this.toFile());
      this.written = true;
    }
  }

  private toFile(): CassetteFile {
    const secretKeys = new Set(secretConnectionKeys(this.definition, this.initial));
    const connection: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.initial)) {
      connection[key] = secretKeys.has(key) ? placeholder(key) : filterDeep(value, this.book);
    }
    const interactions: Interaction[] = this.raw.map(({ request, response }) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(response.headers)) {
        if (v !== undefined && !TRANSIENT_HEADERS.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
      }
      const filtered = this.book.filterHeaders(headers);
      return {
        request: this.stored(request),
        response: {
          status: response.status,
          ...(response.statusText ? { statusText: response.statusText } : {}),
          headers: filtered,
          ...encodeBody(response.body, contentType(filtered), (s) => this.book.filter(s)),
        },
      };
    });
    return {
      version: CASSETTE_VERSION,
      recordedAt: this.startedAt.toISOString(),
      now: this.now().toISOString(),
      connection,
      interactions,
      outputs: this.outputs.map((o) => ({ path: o.path, output: filterDeep(o.output, this.book) })),
    };
  }
}
