/**
 * Transport: one attempt under one deadline (covering every redirect hop), its failure turned
 * into an outcome with a WeftError (connection failed, timed out, invalid URL) for the retry and
 * parse steps; and `wire`, the end of every chain, which sends one hop.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { WeftError } from '../../errors.js';
import { bufferOnce, Deadline, dispatcherFor, streamOnce, wireError } from '../transport.js';
import { type Outcome, type Send, type Step, whereOf, withHop } from './types.js';

/**
 * `via`: the route a dispatcher names (an agent tunnel's `via`, see `routeOf`), said in a
 * timeout, since the deadline that ran out is Weft's and not the route's own.
 */
export function transport(defaultTimeoutMs: number, redact: (text: string) => string, via?: string): Step {
  const through = via ? `, through ${via}` : '';
  return (next) => (request) => {
    const timeoutMs = request.call.timeoutMs ?? defaultTimeoutMs;
    const deadline = new Deadline(timeoutMs);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      deadline.clear();
      const error = new WeftError('REQUEST_INVALID', `${whereOf(request, redact)}: not a valid URL`);
      return Promise.resolve(failed(request, error));
    }
    let sent: Promise<Outcome>;
    try {
      sent = next(withHop(request, { url, deadline }));
    } catch (error) {
      sent = Promise.reject(error);
    }
    // Chained rather than awaited: this is every request's path, kept to one promise per step.
    return sent.then(
      (outcome) => {
        deadline.clear();
        const response = outcome.response!;
        // Error bodies are small and needed whole (matching, messages): buffer them even when streaming.
        if (response.stream && response.status >= 400) {
          const stream = response.stream;
          return readAll(stream).then((bytes) => ({
            request,
            response: { ...response, bytes, stream: undefined },
          }));
        }
        return { request, response };
      },
      (error) => {
        deadline.clear();
        const where = whereOf(request, redact);
        return failed(
          request,
          deadline.expired
            ? new WeftError('HTTP_TIMEOUT', `${where}: no response within ${timeoutMs} ms${through}`, { cause: error })
            : wireError(error, where),
        );
      },
    );
  };
}

function failed(request: Outcome['request'], error: WeftError): Outcome {
  return { request, error };
}

/** Sends one hop of the request (no redirects, no retries) through the pooled dispatcher. */
export function wire(override: Dispatcher | undefined): Send {
  return (request) => {
    const { call } = request;
    const { url, deadline } = request.hop!; // set by the transport step, which every chain has
    const dispatcher = dispatcherFor({ env: override, tls: call.tls });
    if (call.responseFormat === 'stream') {
      return streamOnce(
        dispatcher,
        url,
        request.method,
        request.headers,
        request.body.body,
        deadline,
        deadline.ms,
      ).then((response) => ({ request, response }));
    }
    return bufferOnce(dispatcher, url, request.method, request.headers, request.body.body, deadline, (response) => ({
      request,
      response,
    }));
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
