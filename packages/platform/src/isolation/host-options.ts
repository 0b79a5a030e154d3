/**
 * `RunOptions` (callbacks and values, in the server) as `HostRunOptions` (values and flags,
 * sent to a host). A lazily minted `ctx.resumeUrl` is minted ahead when the mint function can
 * say its URL before it registers it (`PreparedResumeUrl`); the registration happens when the
 * host says the connector read it.
 */
import type { RunOptions } from '@weft/sdk/operations';
import { routeOf } from '@weft/sdk/runtime';
import type { PreparedResumeUrl } from '../connector-runtime.js';
import type { HostRunOptions } from './protocol.js';

function isPrepared(value: unknown): value is PreparedResumeUrl {
  return typeof value === 'function' && typeof (value as { url?: unknown }).url === 'string';
}

export function toHostOptions(options: RunOptions): { wire: HostRunOptions; resumeRead?: () => void } {
  const wire: HostRunOptions = {
    connection: options.connection,
    mode: options.mode,
    retryBaseMs: options.retryBaseMs,
    secrets: options.secrets ? [...options.secrets] : undefined,
    exchanges: options.onExchange !== undefined,
    logs: options.onLog !== undefined,
    refreshGate: options.refreshGate !== undefined,
    relayHttp: options.dispatcher !== undefined,
    relayVia: routeOf(options.dispatcher),
  };
  const resume = options.resumeUrl;
  if (typeof resume === 'string') wire.resumeUrl = resume;
  else if (isPrepared(resume)) {
    wire.resumeUrl = resume.url;
    return { wire, resumeRead: () => void resume() };
  } else if (typeof resume === 'function') wire.resumeUrl = resume();
  return { wire };
}
