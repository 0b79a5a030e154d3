/**
 * One connector host as the server sees it: a child process (see host-main.ts), the operations
 * in flight on it, and the limits kept from outside — a wall-time limit per operation, a memory
 * limit (V8's heap limit inside, the resident size watched from here) — because code stuck in a
 * loop cannot be asked to stop. A host that passes a limit, exits or crashes is killed; every
 * operation on it fails with a `ConnectorHostError` naming what happened.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Operation, OperationResult, RunOptions } from '@weft/sdk/operations';
import type { CountingOnLog } from '../step-logs.js';
import { operationPath } from './describe-operation.js';
import type { EgressRules } from './egress.js';
import { ConnectorHostError, type HostFailureCode } from './host-errors.js';
import { toHostOptions } from './host-options.js';
import { HttpRelay } from './http-relay.js';
import { type Batch, Outbox, unbatch } from './outbox.js';
import type { FromHost, ToHost } from './protocol.js';
import { GateRelay } from './refresh-relay.js';
import { StreamReader } from './stream-reader.js';
import { fromWire } from './wire-errors.js';

export interface TimeLimit {
  ms: number;
  /** Where the limit comes from: `WEFT_CONNECTOR_TIMEOUT_SECONDS`, a step's `timeoutSeconds`, … */
  setting: string;
}

type LogLevel = Parameters<NonNullable<RunOptions['onLog']>>[0];

export interface HostSpec {
  entry: string;
  execArgv: string[];
  env: NodeJS.ProcessEnv;
  /** The JSON argument of host-main: egress rules and the bundle's checksum. */
  config: { egress: EgressRules; checksum: string };
  /** Resident memory limit in MiB. */
  memoryMb: number;
  /** The connector, for messages (known once its manifest is). */
  label: () => string;
}

interface Pending {
  path: string;
  options: RunOptions;
  resolve: (value: OperationResult) => void;
  reject: (error: Error) => void;
  timer?: NodeJS.Timeout;
  resumeRead?: () => void;
  stream?: StreamReader;
}

const MEMORY_CHECK_MS = 250;
const PAGE_BYTES = 4096;

export class ConnectorHost {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private loading?: { resolve: (manifest: unknown) => void; reject: (error: Error) => void };
  private nextId = 1;
  private stderrTail = '';
  private failure?: { code: HostFailureCode; message: string; cause?: number };
  private readonly memoryTimer: NodeJS.Timeout;
  private readonly outbox = new Outbox<ToHost>((message) => {
    if (!this.dead && this.child.connected) this.child.send(message);
  });
  private readonly gates = new GateRelay(
    (message) => this.send(message),
    (id) => !this.dead && this.pending.has(id),
  );
  private readonly http = new HttpRelay((message) => this.send(message));
  readonly exited: Promise<void>;
  dead = false;
  /** Set when retired for idleness (not replaced). */
  retired = false;
  /** Set once the bundle loaded: only such a host is replaced when it dies. */
  loaded = false;
  lastUsed = Date.now();
  /** Set once it ran an operation (a host that only loaded a connector retires sooner). */
  used = false;
  /** Settles when the bundle is loaded (see `load`). */
  ready: Promise<unknown> = Promise.resolve();

  constructor(private readonly spec: HostSpec) {
    this.child = fork(spec.entry, [JSON.stringify(spec.config)], {
      execArgv: spec.execArgv,
      env: spec.env,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // What connector code prints is not forwarded (it may print secrets): only the end of
    // stderr is kept, to tell an out-of-memory abort from another crash.
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    this.child.on('message', (message: FromHost | Batch<FromHost>) => unbatch(message, (m) => this.receive(m)));
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.onExit(code, signal);
        resolve();
      });
    });
    this.child.once('error', () => this.kill('CONNECTOR_CRASHED', `the host of ${spec.label()} could not be started`));
    this.memoryTimer = setInterval(() => this.checkMemory(), MEMORY_CHECK_MS);
    this.memoryTimer.unref();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get inFlight(): number {
    return this.pending.size + (this.loading ? 1 : 0);
  }

  send(message: ToHost): void {
    this.outbox.push(message);
  }

  /** Evaluates the bundle; the manifest, or the connector's load error. */
  load(file: string, timeoutMs: number): Promise<unknown> {
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          this.kill(
            'CONNECTOR_TIMEOUT',
            `${this.spec.label()} did not finish loading within ${timeoutMs / 1000} s (WEFT_CONNECTOR_LOAD_TIMEOUT_SECONDS); its host was stopped`,
          ),
        timeoutMs,
      );
      this.loading = {
        resolve: (manifest) => {
          clearTimeout(timer);
          resolve(manifest);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.send({ t: 'load', file });
    });
    return this.ready;
  }

  /** Runs an operation; `limit` is its wall time and the setting that changes it (for the message). */
  run(operation: Operation, options: RunOptions, limit: TimeLimit): Promise<OperationResult> {
    const timeoutMs = limit.ms;
    const id = this.nextId++;
    this.lastUsed = Date.now();
    this.used = true;
    const path = operationPath(operation);
    return new Promise((resolve, reject) => {
      if (this.dead) {
        reject(new ConnectorHostError('CONNECTOR_CRASHED', `The host of ${this.spec.label()} has stopped`));
        return;
      }
      const { wire, resumeRead } = toHostOptions(options);
      const pending: Pending = { path, options, resolve, reject, resumeRead };
      pending.timer = setTimeout(
        () =>
          this.kill(
            'CONNECTOR_TIMEOUT',
            `${path} of ${this.spec.label()} passed its time limit of ${timeoutMs / 1000} s (${limit.setting}); its host was stopped`,
            id,
          ),
        timeoutMs,
      );
      this.pending.set(id, pending);
      this.send({ t: 'run', id, operation, options: wire });
    });
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    clearTimeout(pending.timer);
    this.lastUsed = Date.now();
    this.pending.delete(id);
    this.gates.fail(new Error(`${pending.path} ended before its refresh did`), id);
    return pending;
  }

  private receive(message: FromHost): void {
    switch (message.t) {
      case 'loaded':
        this.loaded = true;
        this.loading?.resolve(message.manifest);
        this.loading = undefined;
        return;
      case 'failed': {
        const error = fromWire(message.error);
        if (message.id === undefined) {
          this.loading?.reject(error);
          this.loading = undefined;
          return;
        }
        const pending = this.settle(message.id);
        this.pending.delete(message.id);
        if (pending?.stream) pending.stream.fail(error);
        else pending?.reject(error);
        return;
      }
      case 'result': {
        const pending = this.settle(message.id);
        if (!pending) return;
        const result = message.result as OperationResult;
        if (result.kind === 'stream') {
          const id = message.id;
          pending.stream = new StreamReader((chunks) => this.send({ t: 'pull', id, chunks }));
          // Kept until the stream ends: its chunks arrive under the same id.
          this.pending.set(id, pending);
          pending.resolve({ kind: 'stream', stream: pending.stream });
          return;
        }
        pending.resolve(result);
        return;
      }
      case 'chunk':
        this.pending.get(message.id)?.stream?.push(message.data);
        return;
      case 'end': {
        const pending = this.pending.get(message.id);
        this.pending.delete(message.id);
        pending?.stream?.end();
        return;
      }
      case 'exchange':
        this.pending.get(message.id)?.options.onExchange?.(message.log);
        return;
      case 'log':
        this.pending.get(message.id)?.options.onLog?.(message.level as LogLevel, message.message, message.data);
        return;
      case 'logs-dropped': {
        const onLog: CountingOnLog | undefined = this.pending.get(message.id)?.options.onLog;
        onLog?.dropped?.(message.count);
        return;
      }
      case 'update':
        Object.assign(this.pending.get(message.id)?.options.connection ?? {}, message.values);
        void Promise.resolve(this.pending.get(message.id)?.options.onConnectionUpdate?.(message.values)).catch(
          () => {},
        );
        return;
      case 'connection': {
        const connection = this.pending.get(message.id)?.options.connection;
        if (connection) Object.assign(connection, message.values);
        return;
      }
      case 'resume-url-read':
        this.pending.get(message.id)?.resumeRead?.();
        return;
      case 'gate':
        this.gates.ask(message, this.pending.get(message.id)?.options);
        return;
      case 'gate-refreshed':
        this.gates.refreshed(message, this.pending.get(message.id)?.options);
        return;
      case 'http':
        this.http.start(message, this.pending.get(message.id)?.options);
        return;
      case 'http-body':
      case 'http-body-end':
      case 'http-more':
      case 'http-abort':
        this.http.receive(message);
        return;
    }
  }

  private async checkMemory(): Promise<void> {
    if (this.dead || this.child.pid === undefined) return;
    const statm = await readFile(`/proc/${this.child.pid}/statm`, 'utf8').catch(() => undefined);
    if (!statm) return;
    const residentMb = (Number(statm.split(' ')[1]) * PAGE_BYTES) / (1024 * 1024);
    if (residentMb > this.spec.memoryMb) {
      this.kill(
        'CONNECTOR_OUT_OF_MEMORY',
        `${this.spec.label()} used more than its memory limit of ${this.spec.memoryMb} MiB (WEFT_CONNECTOR_MEMORY_MB); its host was stopped`,
      );
    }
  }

  /** Kills the host: the operation `cause` (else every one) fails with `code`; others fail as crashed. */
  kill(code: HostFailureCode, message: string, cause?: number): void {
    if (this.dead) return;
    this.failure = { code, message, cause };
    this.child.kill('SIGKILL');
    this.markDead();
  }

  /** Asks an idle host to go. */
  retire(): void {
    if (this.dead) return;
    this.retired = true;
    this.failure = { code: 'CONNECTOR_CRASHED', message: `The host of ${this.spec.label()} was retired` };
    this.child.kill('SIGTERM');
    this.markDead();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (!this.failure) {
      const outOfMemory = /heap out of memory|Reached heap limit|Allocation failed/i.test(this.stderrTail);
      this.failure = outOfMemory
        ? {
            code: 'CONNECTOR_OUT_OF_MEMORY',
            message: `${this.spec.label()} ran out of memory (limit ${this.spec.memoryMb} MiB, WEFT_CONNECTOR_MEMORY_MB); its host was stopped`,
          }
        : {
            code: 'CONNECTOR_CRASHED',
            message: `The host of ${this.spec.label()} exited (${signal ? `signal ${signal}` : `code ${code}`}) while it was running`,
          };
    }
    this.markDead();
  }

  private markDead(): void {
    if (this.dead) return;
    this.dead = true;
    clearInterval(this.memoryTimer);
    const failure = this.failure ?? { code: 'CONNECTOR_CRASHED', message: `The host of ${this.spec.label()} stopped` };
    const loading = this.loading;
    this.loading = undefined;
    this.gates.fail(new ConnectorHostError(failure.code, failure.message));
    this.http.failAll(new ConnectorHostError(failure.code, failure.message));
    loading?.reject(new ConnectorHostError(failure.code, failure.message));
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      const own = failure.cause === undefined || failure.cause === id;
      const error = own
        ? new ConnectorHostError(
            failure.code,
            failure.cause === undefined ? `${pending.path}: ${failure.message}` : failure.message,
          )
        : new ConnectorHostError(
            'CONNECTOR_CRASHED',
            `${pending.path} was stopped with its host, which another operation ended (${failure.message})`,
          );
      if (pending.stream) pending.stream.fail(error);
      else pending.reject(error);
    }
    this.pending.clear();
  }
}
