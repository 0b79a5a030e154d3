/**
 * The domain's errors: what went wrong in words of the domain (a thing is missing, clashes with
 * the state of another, or the input is wrong), with a code, an actionable message and the
 * path of the bad value. No HTTP here: `api/errors.ts` maps each kind to a status.
 */

/** What kind of failure; the API keeps one table from kind to HTTP status. */
export type DomainErrorKind = 'invalid' | 'not_found' | 'conflict' | 'forbidden' | 'unsupported' | 'failed';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  constructor(
    readonly code: string,
    message: string,
    /** The bad value from the request's root (`values.port`, `steps[1].action`), if one is to blame. */
    readonly path?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input is wrong (a missing or malformed value): the caller must change it. */
export class InvalidError extends DomainError {
  readonly kind = 'invalid';
}

/** The thing named does not exist (or is not visible through this way in). */
export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
}

/** The request is fine but clashes with the current state (running, in use, exists already). */
export class ConflictError extends DomainError {
  readonly kind = 'conflict';
}

/** The caller may not do this. */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
}

/** The input comes in a form Weft does not take (an encoding, a media type). */
export class UnsupportedError extends DomainError {
  readonly kind = 'unsupported';
}

/** The connector's own code failed while answering (a lambda threw): not the caller's input. */
export class FailedError extends DomainError {
  readonly kind = 'failed';
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
