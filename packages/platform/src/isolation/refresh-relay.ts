/**
 * `RunOptions.refreshGate` across the host boundary. The gate (a lock in the server's store)
 * stays in the server; a host whose run must refresh asks for it and does the refresh when told:
 *
 *   host → `gate` (the values it holds)        server: the gate takes its lock, reads the store
 *   server → `gate-open`                        the stored values are the held ones: refresh now
 *   host → `gate-refreshed` (all its values,    server: merged into the run's connection; the
 *           or the refresh's error)             gate stores them, then releases its lock
 *   server → `gate-closed` (the outcome:        the stored values differed: the host takes them
 *           refreshed, or stored values; or      (and so does the server's connection), without
 *           the gate's error)                    refreshing
 *
 * The host keeps the SDK's single flight: one `gate` per in-process refresh of a run.
 */
import type { RefreshGate, RefreshGateOutcome, RunOptions } from '@weft/sdk/operations';
import type { FromHost, ToHost } from './protocol.js';
import { fromWire, toWire } from './wire-errors.js';

type GateAsked = Extract<FromHost, { t: 'gate' }>;
type GateRefreshed = Extract<FromHost, { t: 'gate-refreshed' }>;

/** The server's side, one per host. */
export class GateRelay {
  /** Refreshes the server's gates wait for, by gate number. */
  private readonly refreshes = new Map<
    number,
    { id: number; resolve: (values: Record<string, unknown>) => void; reject: (error: Error) => void }
  >();

  constructor(
    private readonly send: (message: ToHost) => void,
    /** Whether the run is still going on its host (a gate may take its lock after it ended). */
    private readonly running: (id: number) => boolean,
  ) {}

  ask(message: GateAsked, options: RunOptions | undefined): void {
    const { gate } = message;
    const refreshGate = options?.refreshGate;
    if (!options || !refreshGate) {
      this.send({ t: 'gate-closed', gate, error: toWire(new Error('this run has no refresh gate')) });
      return;
    }
    const refresh = () =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        if (!this.running(message.id)) {
          reject(new Error('the run ended before the refresh gate let it refresh'));
          return;
        }
        this.refreshes.set(gate, { id: message.id, resolve, reject });
        this.send({ t: 'gate-open', gate });
      });
    refreshGate(message.held, refresh).then(
      (outcome) => {
        // The server's connection (a live one is shared by this process's runs) takes them too.
        if (!outcome.refreshed && options.connection) replaceValues(options.connection, outcome.values);
        this.send({ t: 'gate-closed', gate, outcome });
      },
      (error: unknown) => this.send({ t: 'gate-closed', gate, error: toWire(error) }),
    );
  }

  refreshed(message: GateRefreshed, options: RunOptions | undefined): void {
    const waiting = this.refreshes.get(message.gate);
    if (!waiting) return;
    this.refreshes.delete(message.gate);
    if (message.values) {
      if (options?.connection) Object.assign(options.connection, message.values);
      waiting.resolve(message.values);
    } else waiting.reject(fromWire(message.error ?? { name: 'Error', message: 'the refresh failed' }));
  }

  /** The run `id` ended (else every run, the host died): refreshes still awaited fail, their locks go. */
  fail(error: Error, id?: number): void {
    for (const [gate, waiting] of this.refreshes) {
      if (id !== undefined && waiting.id !== id) continue;
      this.refreshes.delete(gate);
      waiting.reject(error);
    }
  }
}

/** The host's side: a `RefreshGate` for the run `id` that asks the server. */
export class GateClient {
  private next = 1;
  private readonly asked = new Map<
    number,
    { open: () => void; closed: (message: Extract<ToHost, { t: 'gate-closed' }>) => void }
  >();

  constructor(private readonly send: (message: FromHost) => void) {}

  gateFor(id: number): RefreshGate {
    return (held, refresh) =>
      new Promise<RefreshGateOutcome>((resolve, reject) => {
        const gate = this.next++;
        /** The refresh's own error: the caller gets it unchanged, not its copy from the server. */
        let failed: { error: unknown } | undefined;
        this.asked.set(gate, {
          open: () => {
            refresh().then(
              (values) => this.send({ t: 'gate-refreshed', id, gate, values }),
              (error: unknown) => {
                failed = { error };
                this.send({ t: 'gate-refreshed', id, gate, error: toWire(error) });
              },
            );
          },
          closed: (message) => {
            this.asked.delete(gate);
            if (failed) reject(failed.error);
            else if (message.outcome) resolve(message.outcome);
            else reject(fromWire(message.error ?? { name: 'Error', message: 'the refresh gate failed' }));
          },
        });
        this.send({ t: 'gate', id, gate, held });
      });
  }

  receive(message: Extract<ToHost, { t: 'gate-open' | 'gate-closed' }>): void {
    const asked = this.asked.get(message.gate);
    if (!asked) return;
    if (message.t === 'gate-open') asked.open();
    else asked.closed(message);
  }
}

function replaceValues(target: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const key of Object.keys(target)) if (!Object.hasOwn(values, key)) delete target[key];
  Object.assign(target, values);
}
