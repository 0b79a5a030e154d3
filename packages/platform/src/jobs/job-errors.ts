/**
 * A failure as a job records it: `{ code, message, stepId }` plus a few safe details, and
 * whether trying the job again later may help.
 *
 * Retryable: HTTP 429 and 5xx (after the SDK's own retries of the request), timeouts and
 * connection failures, an agent group with no agent (`AGENT_OFFLINE`, `AGENT_DISCONNECTED`)
 * — the API or the agent may be back later — and a connection another process kept locked
 * while refreshing it for too long (`BUSY`): it is free again later. Everything else (4xx, `ctx.error`, bad
 * input, a formula that fails, a missing connection) fails the same way every time.
 *
 * Messages come from the SDK, which redacts connection secrets from its errors; nothing here
 * adds a value of the connection.
 */
import { isWeftError } from '@weft/sdk';
import { RETRYABLE_HOST_FAILURES } from '../isolation/host-errors.js';
import type { JobError } from '../store/store.js';

export interface ClassifiedError {
  error: JobError;
  retryable: boolean;
}

/** An agent group with no agent online, or an agent gone mid-request: one may be back later. */
const RETRYABLE_CODES = new Set(['HTTP_TIMEOUT', 'HTTP_CONNECTION_FAILED', 'AGENT_OFFLINE', 'AGENT_DISCONNECTED']);

function isRetryableStatus(status: unknown): boolean {
  return typeof status === 'number' && (status === 429 || status >= 500);
}

export function classifyError(thrown: unknown, stepId: string | undefined): ClassifiedError {
  const at = stepId === undefined ? {} : { stepId };
  if (isWeftError(thrown)) {
    const status = (thrown as { status?: unknown }).status;
    const error: JobError = { code: thrown.code, message: thrown.message, ...at };
    if (typeof status === 'number') error.status = status;
    return {
      error,
      retryable: RETRYABLE_CODES.has(thrown.code) || (thrown.code === 'HTTP_ERROR' && isRetryableStatus(status)),
    };
  }
  if (thrown && typeof thrown === 'object') {
    const { code, message, path } = thrown as { code?: unknown; message?: unknown; path?: unknown };
    if (typeof code === 'string' && typeof message === 'string') {
      const error: JobError = { code, message, ...at };
      if (typeof path === 'string' && path) error.path = path;
      // A host stopped for a limit or a crash is replaced, a connection lock is let go: a later attempt may pass.
      return { error, retryable: RETRYABLE_HOST_FAILURES.has(code) || code === 'BUSY' };
    }
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return { error: { code: 'INTERNAL_ERROR', message, ...at }, retryable: false };
}

/**
 * A step that was running each time the server stopped, past the job's attempts: most likely
 * the step itself ends the process, so it is not run again.
 */
export function serverStoppedError(stepId: string, attempts: number): JobError {
  return {
    code: 'SERVER_STOPPED',
    message:
      `The server stopped while step "${stepId}" was running, and the job has used its ${attempts} ` +
      `attempt${attempts === 1 ? '' : 's'} (WEFT_JOB_MAX_ATTEMPTS); the step is not run again. The connector ` +
      'may be ending the process (process.exit) or crashing it.',
    stepId,
  };
}
