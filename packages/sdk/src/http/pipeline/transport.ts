/**
 * Transport: one attempt under one deadline (covering every redirect hop), its failure turned
 * into an outcome with a WeftError (connection failed, timed out, invalid URL) for the retry and
 * parse steps; and `wire`, the end of every chain, which sends one hop.
 */
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { WeftError } from '../../errors.js';
import { bufferOnce, Deadline, dispatcherFor, streamOnce, wireError } from '../transport.js';
import { type Outcome, type Send, type Step, whereOf } from './types.js';

export function transport(defaultTimeoutMs: number, redact: (text: string) => string): Step {
  return (next) => async (request) => {
    const timeoutMs = request.call.timeoutMs ?? defaultTimeoutMs;
    const deadline = new Deadline(timeoutMs);
    let outcome: Outcome;
    try {
      new URL(request.url);
    } catch {
      deadline.clear();
      return failed(request, new WeftError('REQUEST_INVALID', `${whereOf(request, redact)}: not a valid URL`));
    }
    try {
      outcome = await next({ ...request, deadline });
    } catch (error) {
      const where = whereOf(request, redact);
      return failed(
        request,
        deadline.expired
          ? new WeftError('HTTP_TIMEOUT', `${where}: no response within ${timeoutMs} ms`, { cause: error })
          : wireError(error, where),
      );
    } finally {
      deadline.clear();
    }
    let response = outcome.response!;
    // Error bodies are small and needed whole (matching, messages): buffer them even when streaming.
    if (response.stream && response.status >= 400) {
      response = { ...response, bytes: await readAll(response.stream), stream: undefined };
    }
    return { request, response };
  };
}

function failed(request: Outcome['request'], error: WeftError): Outcome {
  return { request, error };
}

/** Sends one hop of the request (no redirects, no retries) through the pooled dispatcher. */
export function wire(override: Dispatcher | undefined): Send {
  return (request) => {
    const { call } = request;
    const deadline = request.deadline!; // set by the transport step, which every chain has
    const url = new URL(request.url);
    const dispatcher = dispatcherFor({ env: override, tls: call.tls });
    const hop =
      call.responseFormat === 'stream'
        ? streamOnce(dispatcher, url, request.method, request.headers, request.body.body, deadline, deadline.ms)
        : bufferOnce(dispatcher, url, request.method, request.headers, request.body.body, deadline);
    return hop.then((response) => ({ request, response }));
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
