/**
 * What a step sees when the connector's host, not the connector's logic, ended the operation:
 * the host passed its time limit, used too much memory, exited or crashed, or the connector
 * tried something its host may not do. The first three count an attempt and are retried by
 * the job's rules; a forbidden act fails the same way every time.
 */
import { FailedError } from '../errors.js';

export const HOST_FAILURE_CODES = [
  'CONNECTOR_TIMEOUT',
  'CONNECTOR_CRASHED',
  'CONNECTOR_OUT_OF_MEMORY',
  'CONNECTOR_FORBIDDEN',
] as const;

export type HostFailureCode = (typeof HOST_FAILURE_CODES)[number];

/** The codes a later attempt may get past (the host is replaced; the limit may not be hit again). */
export const RETRYABLE_HOST_FAILURES: ReadonlySet<string> = new Set<HostFailureCode>([
  'CONNECTOR_TIMEOUT',
  'CONNECTOR_CRASHED',
  'CONNECTOR_OUT_OF_MEMORY',
]);

export function isHostFailureCode(code: unknown): code is HostFailureCode {
  return typeof code === 'string' && (HOST_FAILURE_CODES as readonly string[]).includes(code);
}

export class ConnectorHostError extends FailedError {
  constructor(code: HostFailureCode, message: string) {
    super(code, message);
  }
}
