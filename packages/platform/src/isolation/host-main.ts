/**
 * A connector host: the child process that runs one connector version's code for the server.
 * Started by `host-process.ts` under Node's permission model (reads limited to Weft's code and
 * the connector's bundle, writes to a scratch folder, no child processes, workers or addons),
 * with an environment holding none of Weft's variables and the egress guard installed before
 * any connector code runs. It answers `ToHost` messages with `FromHost` ones; see protocol.ts.
 */
import type { ConnectorDefinition } from '@weft/sdk';
import { type Operation, type RunOptions, runOperation } from '@weft/sdk/operations';
import { evaluateConnectorFile } from '../connector-source.js';
import { boundLine, STEP_LOG_LINES } from '../step-logs.js';
import { type EgressCheck, type EgressRules, egressCheck } from './egress.js';
import { installEgressGuard } from './egress-guard.js';
import { toManifest } from './manifest.js';
import { type Batch, Outbox, unbatch } from './outbox.js';
import { type FromHost, type HostRunOptions, STREAM_WINDOW, type ToHost } from './protocol.js';
import { GateClient } from './refresh-relay.js';
import { HttpRelayClient } from './relay-dispatcher.js';
import { installSignalGuard } from './signal-guard.js';
import { toWire } from './wire-errors.js';

interface Config {
  egress: EgressRules;
  checksum: string;
}

const config = JSON.parse(process.argv[2] ?? '{}') as Config;
let check: EgressCheck = egressCheck(config.egress ?? { serverPorts: [], localAddresses: [], allow: [] });
installEgressGuard(() => check);
installSignalGuard();

/** HTTP exchanges one operation reports to the server at most (log lines: `STEP_LOG_LINES`). */
const MAX_REPORTS = 1000;

let definition: ConnectorDefinition | undefined;
/** Stream results: how many chunks each may still send, and its wake-up while it waits. */
const budgets = new Map<number, { allowed: number; wake?: () => void }>();
/** Per run that reports its log lines: how many it left unsent so far. */
const droppedLogs = new Map<number, () => number>();

const outbox = new Outbox<FromHost>((message) => process.send?.(message));

function send(message: FromHost): void {
  outbox.push(message);
}

const gates = new GateClient(send);
const http = new HttpRelayClient(send);

function runOptions(id: number, options: HostRunOptions): RunOptions {
  const run: RunOptions = {
    connection: options.connection ?? {},
    mode: options.mode,
    retryBaseMs: options.retryBaseMs,
    secrets: options.secrets,
    onConnectionUpdate: (values) => send({ t: 'update', id, values }),
  };
  if (options.refreshGate) run.refreshGate = gates.gateFor(id);
  if (options.relayHttp) run.dispatcher = http.dispatcherFor(id, options.relayVia);
  // Bounded per operation: a connector logging in a loop must not flood the server.
  let exchanges = 0;
  let logs = 0;
  if (options.exchanges) {
    run.onExchange = (log) => {
      if (++exchanges <= MAX_REPORTS) send({ t: 'exchange', id, log });
    };
  }
  if (options.logs) {
    // The lines the server keeps, cut to its bounds here; the rest are only counted.
    run.onLog = (level, message, data) => {
      if (++logs <= STEP_LOG_LINES) {
        const line = boundLine(level, message, data, '');
        send({ t: 'log', id, level: line.level, message: line.message, data: line.data });
      }
    };
    droppedLogs.set(id, () => Math.max(0, logs - STEP_LOG_LINES));
  }
  const url = options.resumeUrl;
  if (url !== undefined) {
    run.resumeUrl = () => {
      send({ t: 'resume-url-read', id });
      return url;
    };
  }
  return run;
}

async function pipe(id: number, stream: AsyncIterable<Uint8Array>): Promise<void> {
  const budget: { allowed: number; wake?: () => void } = { allowed: STREAM_WINDOW };
  budgets.set(id, budget);
  try {
    for await (const chunk of stream) {
      while (budget.allowed <= 0) {
        await new Promise<void>((resolve) => {
          budget.wake = resolve;
        });
      }
      budget.allowed--;
      send({ t: 'chunk', id, data: chunk });
    }
    send({ t: 'end', id });
  } finally {
    budgets.delete(id);
  }
}

async function run(id: number, operation: Operation, options: HostRunOptions): Promise<void> {
  if (!definition) throw new Error('The host has no connector loaded');
  const run = runOptions(id, options);
  const before = JSON.stringify(run.connection);
  let result: Awaited<ReturnType<typeof runOperation>>;
  try {
    result = await runOperation(definition, operation, run);
  } finally {
    const dropped = droppedLogs.get(id)?.() ?? 0;
    droppedLogs.delete(id);
    if (dropped > 0) send({ t: 'logs-dropped', id, count: dropped });
    // What the run merged into the connection (an acquire, a refresh) goes back with it.
    if (run.connection && JSON.stringify(run.connection) !== before) {
      send({ t: 'connection', id, values: run.connection });
    }
  }
  if (result.kind === 'stream') {
    send({ t: 'result', id, result: { kind: 'stream' } });
    await pipe(id, result.stream);
    return;
  }
  send({ t: 'result', id, result });
}

process.on('message', (message: ToHost | Batch<ToHost>) => unbatch(message, receive));

function receive(message: ToHost): void {
  switch (message.t) {
    case 'load':
      evaluateConnectorFile(message.file, config.checksum).then(
        (loaded) => {
          definition = loaded;
          send({ t: 'loaded', manifest: toManifest(loaded) });
        },
        (error) => send({ t: 'failed', error: toWire(error) }),
      );
      break;
    case 'run':
      run(message.id, message.operation, message.options).catch((error) =>
        send({ t: 'failed', id: message.id, error: toWire(error) }),
      );
      break;
    case 'pull': {
      const budget = budgets.get(message.id);
      if (budget) {
        budget.allowed += message.chunks;
        budget.wake?.();
        budget.wake = undefined;
      }
      break;
    }
    case 'egress':
      check = egressCheck(message.rules);
      break;
    case 'gate-open':
    case 'gate-closed':
      gates.receive(message);
      break;
    case 'http-head':
    case 'http-data':
    case 'http-end':
    case 'http-error':
    case 'http-more':
      http.receive(message);
      break;
  }
}

// The server is gone (its channel closed): so is this host.
process.on('disconnect', () => process.exit(0));

// A connector's stray rejection or exception must not end the host with operations in flight
// silently: each is reported by the operation that awaits it; others are ignored here.
process.on('unhandledRejection', () => {});
