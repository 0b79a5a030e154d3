/**
 * Errors are values with a class, a stable `code` and a message written for the person who
 * must act. The CLI prints `message` (never a stack unless --verbose); the API returns
 * `{ code, message, path }`.
 *
 * Checks use `isWeftError` (a brand), not `instanceof`: a connector loaded from another copy
 * of the SDK must still be recognised.
 */

const BRAND = Symbol.for('weft.error');

export type ErrorCode =
  | 'CONNECTOR_NOT_FOUND'
  | 'CONNECTOR_NOT_LOADABLE'
  | 'CONNECTOR_SYNTAX'
  | 'CONNECTOR_NO_DEFAULT_EXPORT'
  | 'DEFINITION_INVALID'
  | 'UNKNOWN_PATH'
  | 'UNKNOWN_PICK_LIST'
  | 'UNKNOWN_METHOD'
  | 'UNKNOWN_OBJECT_DEFINITION'
  | 'OBJECT_DEFINITION_CYCLE'
  | 'INPUT_INVALID'
  | 'INPUT_UNREADABLE'
  | 'OUTPUT_INVALID'
  | 'CONNECTOR_ERROR'
  | 'LAMBDA_FAILED'
  | 'HTTP_ERROR'
  | 'HTTP_CONNECTION_FAILED'
  | 'HTTP_TIMEOUT'
  | 'RESPONSE_PARSE_ERROR'
  | 'REQUEST_INVALID'
  | 'SETTINGS_INVALID'
  | 'USAGE'
  | 'CONNECTION_TEST_FAILED'
  | 'REAUTHORIZE'
  | 'OAUTH2_ERROR'
  | 'JWT_INVALID'
  | 'TOO_MANY_EVENTS'
  | 'WEBHOOK_REQUEST_INVALID'
  | 'WEBHOOK_SIGNATURE_INVALID'
  // On-premises agents (docs/auth/on-prem.md): no agent of the group is online; the agent
  // carrying a request went away; the agent's configuration does not allow the target.
  | 'AGENT_OFFLINE'
  | 'AGENT_DISCONNECTED'
  | 'AGENT_HOST_NOT_ALLOWED'
  | 'AGENT_ERROR';

export interface Problem {
  /** Where, e.g. `actions.create_contact.execute` or `input.email`. */
  path: string;
  message: string;
}

export class WeftError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly [BRAND] = true;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...(this.details ?? {}) };
  }
}

export function isWeftError(value: unknown): value is WeftError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A connector file that cannot be found, read or evaluated. */
export class ConnectorLoadError extends WeftError {}

/** A definition with problems; `problems` lists every one with its path. */
export class DefinitionError extends WeftError {
  readonly problems: Problem[];
  constructor(problems: Problem[], intro = 'The connector definition has problems') {
    super('DEFINITION_INVALID', `${intro}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`, {
      details: { problems },
    });
    this.problems = problems;
  }
}

/** Input (or output) that does not fit its fields; `problems` has one entry per bad value. */
export class ValidationError extends WeftError {
  readonly problems: Problem[];
  constructor(code: 'INPUT_INVALID' | 'OUTPUT_INVALID', problems: Problem[]) {
    const what = code === 'INPUT_INVALID' ? 'Invalid input' : 'Output does not match its output fields';
    const message =
      problems.length === 1
        ? `${what}: ${problems[0].path}: ${problems[0].message}`
        : `${what}:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`;
    super(code, message, { details: { problems } });
    this.problems = problems;
  }
}

/** Raised by `ctx.error(message)`: shown unchanged, never retried. */
export class ConnectorError extends WeftError {
  constructor(message: string) {
    super('CONNECTOR_ERROR', message);
  }
}

/** A user mistake on the command line or in a settings file. */
export class UsageError extends WeftError {
  constructor(message: string, code: 'USAGE' | 'SETTINGS_INVALID' | 'INPUT_UNREADABLE' = 'USAGE') {
    super(code, message);
  }
}

export interface HttpErrorInit {
  method: string;
  /** Already redacted. */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  /** Already redacted, at most a few hundred characters. */
  bodyExcerpt: string;
}

/** An unhandled 4xx/5xx response. */
export class HttpError extends WeftError {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;

  constructor(init: HttpErrorInit) {
    const excerpt = init.bodyExcerpt ? `: ${init.bodyExcerpt}` : '';
    super('HTTP_ERROR', `${init.method} ${init.url} failed with HTTP ${init.status}${excerpt}`, {
      details: { method: init.method, url: init.url, status: init.status },
    });
    this.method = init.method;
    this.url = init.url;
    this.status = init.status;
    this.headers = init.headers;
    this.body = init.body;
  }
}

/** Message of any thrown value, for wrapping. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
