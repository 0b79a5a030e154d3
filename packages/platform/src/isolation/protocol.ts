/**
 * The messages between the server and a connector host (a child process that runs one
 * connector version's code). Everything here is plain data sent over the IPC channel with
 * structured-clone serialization: operations and results are the SDK's typed operations.
 */
import type { HttpExchangeLog } from '@weft/sdk';
import type { Operation, RefreshGateOutcome } from '@weft/sdk/operations';
import type { EgressRules } from './egress.js';
import type { WireError } from './wire-errors.js';

/** What crosses instead of `RunOptions`: values, and flags for the callbacks the server listens to. */
export interface HostRunOptions {
  connection?: Record<string, unknown>;
  mode?: 'interactive' | 'job';
  retryBaseMs?: number;
  secrets?: string[];
  /** `ctx.resumeUrl`, minted ahead by the server; the host says when the connector reads it. */
  resumeUrl?: string;
  /** The server wants each HTTP exchange (`exchange` messages). */
  exchanges?: boolean;
  /** The server wants `ctx.log` lines (`log` messages). */
  logs?: boolean;
  /** The server has a refresh gate: the host asks it before refreshing (see refresh-relay.ts). */
  refreshGate?: boolean;
  /** The run has a dispatcher (a connection's agent group): its HTTP goes through the server (http-relay.ts). */
  relayHttp?: boolean;
  /** How that dispatcher names its route (`agent group "plant"`), said in a timeout's message. */
  relayVia?: string;
}

/** Headers as name/value pairs, in order. */
export type HeaderPairs = [string, string][];

/** An HTTP request the host relays through the server's dispatcher for the run `id`. */
export interface RelayedRequest {
  t: 'http';
  id: number;
  /** The request's number, unique in its host. */
  req: number;
  method: string;
  url: string;
  headers: HeaderPairs;
  /** A small body, whole; a large one or a stream follows in `http-body` messages (`streamed`). */
  body?: Uint8Array;
  streamed?: boolean;
  headersTimeout?: number;
  bodyTimeout?: number;
}

export type ToHost =
  /** Evaluate the bundle at `file` and validate its definition; answered by `loaded` or `failed`. */
  | { t: 'load'; file: string }
  | { t: 'run'; id: number; operation: Operation; options: HostRunOptions }
  /** Credit for a `stream` result: the host may send this many more chunks. */
  | { t: 'pull'; id: number; chunks: number }
  /** New egress rules (the server's ports are known once it listens). */
  | { t: 'egress'; rules: EgressRules }
  /** The refresh gate is held for the host: refresh now (refresh-relay.ts). */
  | { t: 'gate-open'; gate: number }
  /** The refresh gate's answer: its outcome, or its error. */
  | { t: 'gate-closed'; gate: number; outcome?: RefreshGateOutcome; error?: WireError }
  /** A relayed request's response head, body chunks (under credit), end, or error. */
  | { t: 'http-head'; req: number; status: number; headers: HeaderPairs }
  | { t: 'http-data'; req: number; data: Uint8Array }
  | { t: 'http-end'; req: number }
  | { t: 'http-error'; req: number; error: WireError }
  /** Credit for a relayed request's body: the host may send this many more chunks. */
  | { t: 'http-more'; req: number; chunks: number };

export type FromHost =
  | { t: 'loaded'; manifest: unknown }
  | { t: 'failed'; id?: number; error: WireError }
  | { t: 'result'; id: number; result: unknown }
  | { t: 'exchange'; id: number; log: HttpExchangeLog }
  | { t: 'log'; id: number; level: string; message: string; data?: unknown }
  /** How many `ctx.log` lines of the run the host left unsent (past `STEP_LOG_LINES`); before its result. */
  | { t: 'logs-dropped'; id: number; count: number }
  /** Values a refresh merged into the connection: the server stores them. */
  | { t: 'update'; id: number; values: Record<string, unknown> }
  /** The connection's values after the operation, when it changed them (`acquire` merges in place). */
  | { t: 'connection'; id: number; values: Record<string, unknown> }
  | { t: 'resume-url-read'; id: number }
  /** The run is about to refresh, holding `held`: the server's refresh gate answers. */
  | { t: 'gate'; id: number; gate: number; held: Record<string, unknown> }
  /** The refresh done under the gate: every value of the run's connection, or its error. */
  | { t: 'gate-refreshed'; id: number; gate: number; values?: Record<string, unknown>; error?: WireError }
  /** A chunk of a `stream` result; `end` closes it. */
  | { t: 'chunk'; id: number; data: Uint8Array }
  | { t: 'end'; id: number }
  | RelayedRequest
  /** A chunk of a relayed request's body (under credit); `http-body-end` closes it. */
  | { t: 'http-body'; req: number; data: Uint8Array }
  | { t: 'http-body-end'; req: number }
  /** Credit for a relayed response's body: the server may send this many more chunks. */
  | { t: 'http-more'; req: number; chunks: number }
  /** The host's caller gave up on the request (its deadline, an abort). */
  | { t: 'http-abort'; req: number; error: WireError };

/** How many stream chunks a host may send ahead of the server's reads. */
export const STREAM_WINDOW = 8;
