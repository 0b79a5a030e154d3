/**
 * `loadConnector`: a connector as tests use it. Every operation runs through the one executor
 * (`execute`) with a cassette dispatcher, a frozen clock and the test's connection, and returns
 * the operation's output (or `{ reinvokeAfter }` for a suspended multistep action).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, type Dispatcher } from 'undici';
import { WeftError } from '../errors.js';
import { type ExecuteOptions, execute } from '../execute/executor.js';
import { chooseConnection, isEncryptedFile, parseSettingsText, settingsFilesIn } from '../host/settings.js';
import { type LoadedConnector, loadConnectorFile } from '../load/load.js';
import type { HttpExchangeLog } from '../model/http.js';
import type { PollResult } from '../types.js';
import { CassetteError, readCassette } from './cassette.js';
import { checkMatchOn, DEFAULT_MATCH } from './match.js';
import { cassettePath, currentTest, type RecordMode, recordMode } from './recording.js';
import { CassetteSession, type SentRequest } from './session.js';
import type { LoadConnectorOptions, TestConnector } from './test-connector.js';

export { cassettePath, isRecording, type RecordMode, recordMode } from './recording.js';
export type { ActionOperations, LoadConnectorOptions, TestConnector, TriggerOperations } from './test-connector.js';

/** A live exchange as `requests` lists it: secrets `[REDACTED]`, a JSON body parsed. */
function sentRequest(exchange: HttpExchangeLog): SentRequest {
  let body: unknown = exchange.requestBody;
  if (typeof body === 'string' && /json/i.test(exchange.requestHeaders['content-type'] ?? '')) {
    try {
      body = JSON.parse(body);
    } catch {
      // Cut at the log's size limit: kept as text.
    }
  }
  return {
    method: exchange.method.toUpperCase(),
    url: exchange.url,
    headers: exchange.requestHeaders,
    ...(body === undefined || body === '' ? {} : { body }),
  };
}

const loaded = new Map<string, Promise<LoadedConnector>>();

function toPath(path: string | URL): string {
  if (path instanceof URL) return fileURLToPath(path);
  if (path.startsWith('file:')) return fileURLToPath(path);
  if (isAbsolute(path)) return path;
  // Relative to the test file (like an import), else to the working directory.
  const test = currentTest();
  if (test.testPath) {
    const beside = resolve(dirname(test.testPath), path);
    if (existsSync(beside)) return beside;
  }
  return resolve(path);
}

async function readSettings(file: string): Promise<Record<string, unknown>> {
  if (isEncryptedFile(file)) {
    throw new WeftError(
      'SETTINGS_INVALID',
      `${file}: loadConnector reads plain settings only; pass the values as settings: { ... } (e.g. from process.env)`,
    );
  }
  return parseSettingsText(file, await readFile(file, 'utf8'));
}

/** The connection values to use; a test names one of several with the `connection` option. */
const connectionOf = (doc: Record<string, unknown>, name: string | undefined, where: string) =>
  chooseConnection(doc, name, { where, option: (n) => `connection: "${n}"` }).values;

function clockOf(now: LoadConnectorOptions['now']): (() => Date) | undefined {
  if (now === undefined) return undefined;
  if (typeof now === 'function') return now;
  const at = new Date(now);
  if (Number.isNaN(at.getTime()))
    throw new WeftError('USAGE', `loadConnector: now is not a valid time: ${String(now)}`);
  return () => new Date(at);
}

function unknownName(kind: string, name: string, known: string[]): never {
  throw new WeftError('UNKNOWN_PATH', `Unknown ${kind} "${name}". Known: ${known.join(', ') || 'none'}`);
}

/** A read-only map of operations that names the known keys when a test asks for an unknown one. */
function operations<T>(kind: string, names: string[], build: (name: string) => T): Record<string, T> {
  const target = Object.fromEntries(names.map((n) => [n, build(n)]));
  return new Proxy(target, {
    get(t, key) {
      if (
        typeof key !== 'string' ||
        key in t ||
        key === 'then' ||
        key === 'toJSON' ||
        key.startsWith('$$') ||
        key.startsWith('@@')
      )
        return (t as Record<string | symbol, unknown>)[key];
      return unknownName(kind, key, names);
    },
  });
}

/**
 * Loads a connector for tests. Operations mirror the exec paths and run through `execute`.
 * The path is resolved against the test file's folder (then the working directory).
 */
export async function loadConnector(path: string | URL, options: LoadConnectorOptions = {}): Promise<TestConnector> {
  const file = toPath(path);
  let pending = loaded.get(file);
  if (!pending) {
    pending = loadConnectorFile(file);
    loaded.set(file, pending);
    pending.catch(() => loaded.delete(file));
  }
  const connector = await pending;
  const { definition } = connector;
  const match = checkMatchOn(options.match ?? DEFAULT_MATCH);
  const clock = clockOf(options.now);
  const mode: RecordMode =
    options.record === undefined ? recordMode() : options.record === 'new' ? 'new' : options.record ? 'all' : 'none';

  // Connection values: explicit settings, else the settings file beside the connector.
  let explicit: Record<string, unknown> | undefined;
  if (typeof options.settings === 'string') {
    const settingsFile = toPath(options.settings);
    explicit = connectionOf(await readSettings(settingsFile), options.connection, settingsFile);
  } else if (options.settings) {
    explicit = connectionOf(options.settings, options.connection, 'settings');
  }
  const besideFile = settingsFilesIn(dirname(connector.file)).plain;
  const beside = besideFile ? connectionOf(await readSettings(besideFile), options.connection, besideFile) : {};
  const settings = explicit ?? beside;

  let agent: Dispatcher | undefined;
  const agentOf = () => {
    if (!agent) {
      // Created on demand: replay never needs a socket.
      agent = new Agent({ keepAliveTimeout: 1000 });
    }
    return agent!;
  };

  let session: CassetteSession | undefined;
  let sessionKey: string | undefined;
  let liveConnection: Record<string, unknown> | undefined;
  const live = options.cassette === false;
  // Live HTTP has no cassette session: the requests of the current test come from the exchange log.
  const liveRequests = { test: undefined as string | undefined, list: [] as SentRequest[] };
  const liveLog = (also: ExecuteOptions['onExchange']): ExecuteOptions['onExchange'] => {
    const name = currentTest().currentTestName ?? '';
    if (liveRequests.test !== name) liveRequests.list = [];
    liveRequests.test = name;
    return (exchange) => {
      liveRequests.list.push(sentRequest(exchange));
      also?.(exchange);
    };
  };

  async function current(): Promise<CassetteSession | undefined> {
    if (live) return undefined;
    const test = currentTest();
    const fileOfCassette = cassettePath(
      options.cassette === undefined ? true : (options.cassette as string | true),
      test,
    );
    const key = `${fileOfCassette}\0${test.currentTestName ?? ''}`;
    if (session && sessionKey === key) return session;
    const existing = await readCassette(fileOfCassette);
    const recording = mode === 'all' || (mode === 'new' && !existing);
    session = new CassetteSession({
      definition,
      file: fileOfCassette,
      mode: recording ? 'record' : 'replay',
      match,
      settings: recording ? settings : { ...beside, ...(explicit ?? {}) },
      explicit,
      now: clock,
      agent: agentOf,
      existing,
    });
    sessionKey = key;
    return session;
  }

  async function run(path: string, extra: ExecuteOptions = {}): Promise<any> {
    const s = await current();
    if (!s && !liveConnection) liveConnection = { ...settings };
    const connection = s ? s.connection : liveConnection!;
    let output: unknown;
    try {
      const result = await execute(definition, path, {
        retryBaseMs: options.retryBaseMs ?? (s?.mode === 'replay' ? 1 : undefined),
        ...extra,
        connection,
        now: s ? s.now : clock,
        dispatcher: s?.dispatcher,
        onExchange: s ? extra.onExchange : liveLog(extra.onExchange),
        onConnectionUpdate: s ? (values) => s.learn(values) : undefined,
      });
      output =
        result.kind === 'suspended'
          ? { reinvokeAfter: result.reinvokeAfter }
          : result.kind === 'waiting'
            ? { waitForResume: result.waitForResume }
            : result.kind === 'output'
              ? result.output
              : result.stream;
    } catch (error) {
      if (s) await s.finish(path, undefined);
      throw takeMismatch(s) ?? missingCassette(s, error) ?? error;
    }
    if (s) await s.finish(path, output);
    const mismatch = takeMismatch(s);
    if (mismatch) throw mismatch;
    return output;
  }

  const names = (o: object | undefined) => Object.keys(o ?? {});
  const fieldsArgs = (a?: { configFields?: Record<string, unknown> }) => ({ configFields: a?.configFields });

  const result: TestConnector = {
    name: connector.name,
    file: connector.file,
    definition,
    actions: operations('action', names(definition.actions), (name) => ({
      execute: (a = {}) =>
        run(`actions.${name}.execute`, { input: a.input ?? {}, configFields: a.configFields, continue: a.continue }),
      inputFields: (a) => run(`actions.${name}.input_fields`, fieldsArgs(a)),
      outputFields: (a) => run(`actions.${name}.output_fields`, fieldsArgs(a)),
      configFields: () => run(`actions.${name}.config_fields`),
      sampleOutput: (a) => run(`actions.${name}.sample_output`, fieldsArgs(a)),
    })),
    triggers: operations('trigger', names(definition.triggers), (name) => ({
      poll: (a = {}) => run(`triggers.${name}.poll`, { input: a.input ?? {}, closure: a.closure }),
      async pollAll(a = {}) {
        const events: unknown[] = [];
        let closure = a.closure;
        const max = a.maxPolls ?? 100;
        for (let polls = 1; ; polls++) {
          const page = (await run(`triggers.${name}.poll`, { input: a.input ?? {}, closure })) as Required<PollResult>;
          events.push(...page.events);
          if (page.nextPoll !== null && page.nextPoll !== undefined) closure = page.nextPoll;
          if (!page.canPollMore || polls >= max) {
            return { events, nextPoll: closure ?? null, canPollMore: page.canPollMore, polls };
          }
        }
      },
      webhookNotification: (a = {}) =>
        run(`triggers.${name}.webhook_notification`, {
          input: a.input ?? {},
          subscription: a.subscription,
          webhook: {
            payload: a.payload,
            headers: a.headers,
            params: a.params,
            rawBody: a.rawBody ?? (a.payload === undefined ? undefined : JSON.stringify(a.payload)),
          },
        }),
      webhookSubscribe: (a = {}) =>
        run(`triggers.${name}.webhook_subscribe`, { input: a.input ?? {}, webhookUrl: a.webhookUrl }),
      webhookUnsubscribe: (a = {}) =>
        run(`triggers.${name}.webhook_unsubscribe`, { input: a.input ?? {}, subscription: a.subscription }),
      dedup: (events) => run(`triggers.${name}.dedup`, { input: events }),
      inputFields: (a) => run(`triggers.${name}.input_fields`, fieldsArgs(a)),
      outputFields: (a) => run(`triggers.${name}.output_fields`, fieldsArgs(a)),
      sampleOutput: () => run(`triggers.${name}.sample_output`),
    })),
    pickLists: operations(
      'pick list',
      names(definition.pickLists),
      (name) => (args?: Record<string, unknown>) => run(`pick_lists.${name}`, { args: args ?? {} }),
    ),
    methods: operations(
      'method',
      names(definition.methods),
      (name) =>
        (...args: unknown[]) =>
          run(`methods.${name}`, { args }),
    ),
    objectDefinitions: operations(
      'object definition',
      names(definition.objectDefinitions),
      (name) => () => run(`object_definitions.${name}.fields`),
    ),
    test: () => run('test'),
    exec: (path, extra = {}) => run(path, extra),
    get requests() {
      if (live) return liveRequests.test === (currentTest().currentTestName ?? '') ? liveRequests.list : [];
      return session?.requests ?? [];
    },
    get connection() {
      return session?.connection ?? liveConnection ?? settings;
    },
    get cassette() {
      return session ? { file: session.file, mode: session.mode, unused: session.unused } : undefined;
    },
    async close() {
      const a = agent;
      agent = undefined;
      await a?.close();
    },
  };
  return result;
}

/** Without its cassette a replayed connection has no base URI: say what is really missing. */
function missingCassette(s: CassetteSession | undefined, error: unknown): CassetteError | undefined {
  if (s?.mode !== 'replay' || s.hasCassette) return undefined;
  const e = error as { code?: string; message?: string };
  if (e?.code !== 'DEFINITION_INVALID' || !e.message?.startsWith('connection.baseUri')) return undefined;
  return new CassetteError(
    'CASSETTE_MISSING',
    `no cassette at ${s.file}: record it with WEFT_RECORD=1 (or \`weft test --record\`) while the API is reachable (without it the connection has no values: ${e.message})`,
  );
}

function takeMismatch(s: CassetteSession | undefined): CassetteError | undefined {
  const m = s?.mismatch;
  if (s) s.mismatch = undefined;
  return m;
}
