/**
 * Applies the egress rules inside a connector host: every TCP connection the process opens
 * goes through `net.Socket#connect`, which is replaced (once, not writable) by one that checks
 * IP literals at once and names after resolution. A refused connection fails like an
 * unreachable host would, with code `WEFT_EGRESS_DENIED` (the step then fails with
 * `CONNECTOR_FORBIDDEN`). Unix sockets are refused: a connector reaches applications over TCP.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import net from 'node:net';
import type { EgressCheck } from './egress.js';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type LookupFunction = (hostname: string, options: Record<string, unknown>, callback: LookupCallback) => void;

function deniedError(reason: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`tried to connect to ${reason}`);
  error.code = 'WEFT_EGRESS_DENIED';
  return error;
}

function guardedLookup(lookup: LookupFunction, port: number, check: EgressCheck): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (error, address, family) => {
      if (error) return callback(error, address, family);
      if (Array.isArray(address)) {
        const allowed = address.filter((a) => check(a.address, port) === undefined);
        if (allowed.length === 0 && address.length > 0) {
          return callback(deniedError(`${hostname} (${check(address[0].address, port)})`), []);
        }
        return callback(null, allowed);
      }
      const reason = check(address, port);
      if (reason) return callback(deniedError(`${hostname} (${reason})`), '', family);
      callback(null, address, family);
    });
  };
}

/** Installs the guard for the rest of the process's life; `check` may change (see `rules`). */
export function installEgressGuard(current: () => EgressCheck): void {
  const original = net.Socket.prototype.connect;
  function connect(this: net.Socket, ...args: unknown[]): net.Socket {
    // Node passes an already-normalized `[options, callback]` array from `net.connect`.
    const options = (Array.isArray(args[0]) ? args[0][0] : typeof args[0] === 'object' ? args[0] : undefined) as
      | Record<string, unknown>
      | undefined;
    const check = current();
    let reason: string | undefined;
    if (options?.path !== undefined || typeof args[0] === 'string')
      reason = 'unix sockets are not reachable from connectors';
    else if (options) {
      const port = Number(options.port);
      const host = typeof options.host === 'string' ? options.host : 'localhost';
      if (net.isIP(host)) reason = check(host, port);
      else
        options.lookup = guardedLookup(
          (options.lookup as LookupFunction) ?? (dnsLookup as unknown as LookupFunction),
          port,
          check,
        );
    } else {
      // connect(port[, host][, callback])
      const port = Number(args[0]);
      const host = typeof args[1] === 'string' ? args[1] : 'localhost';
      if (net.isIP(host)) reason = check(host, port);
      else {
        const callback = args.find((a) => typeof a === 'function');
        return connect.call(this, { port, host }, callback);
      }
    }
    if (reason) {
      const error = deniedError(reason);
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return original.apply(this, args as Parameters<typeof original>);
  }
  Object.defineProperty(net.Socket.prototype, 'connect', { value: connect, writable: false, configurable: false });
}
