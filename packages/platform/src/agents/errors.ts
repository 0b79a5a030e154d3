/**
 * The failures of the tunnel, as `WeftError`s (so a step through an agent fails with a code the
 * job's retry rules know): each names the group or the agent, and says what to do.
 */
import { type ErrorCode, WeftError } from '@weft/sdk';

/** The codes an agent may answer a stream with; anything else arrives as `AGENT_ERROR`. */
const AGENT_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'AGENT_HOST_NOT_ALLOWED',
  'AGENT_ERROR',
  'HTTP_CONNECTION_FAILED',
  'HTTP_TIMEOUT',
  'REQUEST_INVALID',
]);

export function agentOffline(group: string): WeftError {
  return new WeftError(
    'AGENT_OFFLINE',
    `No agent of the group "${group}" is online: start one inside the private network with ` +
      '`weft agent --server <url> --key <key>` (create its key with POST /api/agents; see docs/auth/on-prem.md)',
  );
}

export function agentDisconnected(agent: string, why: string): WeftError {
  return new WeftError(
    'AGENT_DISCONNECTED',
    `The agent "${agent}" went away while carrying the request (${why}); the next request goes to another agent of its group`,
  );
}

/** An error an agent sent for a stream (its message names the agent already). */
export function agentStreamError(agent: string, code: string, message: string): WeftError {
  const known = AGENT_CODES.has(code) ? (code as ErrorCode) : 'AGENT_ERROR';
  const named = message.includes(`"${agent}"`) ? message : `agent "${agent}": ${message}`;
  return new WeftError(known, named.slice(0, 2000));
}
