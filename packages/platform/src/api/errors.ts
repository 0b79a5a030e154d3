/**
 * Every API error has one shape: `{ "error": { "code", "message", "path"? } }` with a 4xx
 * (or 5xx for Weft's own faults, whose details stay in the log).
 */

import type { Socket } from 'node:net';
import { isWeftError, messageOf } from '@weft/sdk';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorKind } from '../errors.js';
import type { Log } from '../log.js';
import { isNulRefused } from '../store/sql.js';
import { StoreError } from '../store/store.js';
import { VaultError } from '../vault.js';
import { validationError } from './validation.js';

/** An error that is HTTP already (a status of its own); the domain throws `DomainError`s. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

export function errorBody(code: string, message: string, path?: string) {
  return { error: path === undefined ? { code, message } : { code, message, path } };
}

/**
 * The one table from errors to HTTP statuses: each kind of failure has one status. The domain's
 * errors carry their kind; the codes of the store and of the SDK (a connector's `WeftError`) are
 * given theirs below (an SDK code not listed is the caller's mistake).
 */
export const STATUS_OF_KIND: Readonly<Record<DomainErrorKind, number>> = {
  invalid: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unsupported: 415,
  failed: 422,
};

const STORE_KIND: Readonly<Record<string, DomainErrorKind>> = {
  CONFLICT: 'conflict',
  NOT_FOUND: 'not_found',
  BUSY: 'conflict',
};

const WEFT_KIND: Readonly<Record<string, DomainErrorKind>> = {
  UNKNOWN_PATH: 'not_found',
  UNKNOWN_PICK_LIST: 'not_found',
  UNKNOWN_METHOD: 'not_found',
  UNKNOWN_OBJECT_DEFINITION: 'not_found',
};

/** The status the API answers an error of the domain or of the API with; undefined for others. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof DomainError) return STATUS_OF_KIND[error.kind];
  if (error instanceof ApiError) return error.status;
  return undefined;
}

/** A domain error as the API answers it. */
export function apiErrorOf(error: DomainError): ApiError {
  return new ApiError(STATUS_OF_KIND[error.kind], error.code, error.message, error.path);
}

const MIB = 1024 * 1024;

/**
 * Answers any error of a request. `log` (the operational log) gets Weft's own faults: the answer
 * names no detail, so the log must (by the route's pattern, never the URL, which may hold a secret).
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply, log?: Log): void {
  if (error instanceof DomainError) {
    reply.status(STATUS_OF_KIND[error.kind]).send(errorBody(error.code, error.message, error.path));
    return;
  }
  if (error instanceof ApiError) {
    reply.status(error.status).send(errorBody(error.code, error.message, error.path));
    return;
  }
  if (error instanceof StoreError) {
    const status = STATUS_OF_KIND[STORE_KIND[error.code] ?? 'invalid'];
    reply
      .status(status)
      .send(errorBody(error.code, error.message, error.code === 'INVALID_CURSOR' ? 'cursor' : undefined));
    return;
  }
  if (isNulRefused(error)) {
    reply
      .status(400)
      .send(
        errorBody(
          'INVALID_REQUEST',
          'The request holds the character U+0000 (NUL) where Weft looks up a name or id; no name or id holds it: remove it',
        ),
      );
    return;
  }
  if (error instanceof VaultError) {
    // The server's key does not fit a stored row: the operator must act, the request was fine.
    reply.status(STATUS_OF_KIND.conflict).send(errorBody(error.vaultCode, error.message));
    return;
  }
  if (isWeftError(error)) {
    reply.status(STATUS_OF_KIND[WEFT_KIND[error.code] ?? 'invalid']).send(errorBody(error.code, error.message));
    return;
  }
  const fe = error as FastifyError;
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe.statusCode === 400 && fe.message?.includes('JSON'))) {
    reply.status(400).send(errorBody('MALFORMED_JSON', 'The request body is not valid JSON'));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    reply
      .status(400)
      .send(errorBody('INVALID_REQUEST', 'The request says its body is JSON but sends none: send a JSON object'));
    return;
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const type = String(request.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .slice(0, 100);
    reply
      .status(415)
      .send(
        errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          type
            ? `The request body is ${type}: send it as application/json`
            : 'The request body has no Content-Type: send it as application/json',
        ),
      );
    return;
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = request.routeOptions.bodyLimit;
    const most = limit % MIB === 0 ? `${limit / MIB} MiB` : `${limit} bytes`;
    reply
      .status(413)
      .send(
        errorBody('BODY_TOO_LARGE', `The request body is larger than this route accepts (at most ${most}): send less`),
      );
    return;
  }
  if (fe.validation) {
    const found = validationError(fe.validation, fe.validationContext);
    reply.status(400).send(errorBody(found.code, found.message, found.path));
    return;
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    reply.status(fe.statusCode).send(errorBody('BAD_REQUEST', fe.message));
    return;
  }
  request.log.error(error);
  log?.('error', `${request.method} ${request.routeOptions.url ?? '(no route)'} failed: ${messageOf(error)}`, {
    ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
  });
  reply.status(500).send(errorBody('INTERNAL', 'Weft failed to handle this request; the server log has the details'));
}

/**
 * Errors Fastify's router answers before any route or hook runs (Fastify's `frameworkErrors`):
 * a path whose percent-encoding does not decode, a path parameter longer than any name or id.
 * Answered in the API's shape, without echoing the (possibly huge) path.
 */
export function handleFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_BAD_URL') {
    reply
      .status(400)
      .send(
        errorBody(
          'INVALID_URL',
          'The request path has a broken percent-encoding (a "%" not followed by two hex digits, or bytes that ' +
            'are not UTF-8): encode names and ids in the path with encodeURIComponent',
        ),
      );
    return;
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    reply
      .status(414)
      .send(
        errorBody(
          'PATH_SEGMENT_TOO_LONG',
          `A name or id in the request path is longer than ${MAX_PATH_PARAMETER} characters; no name or id in Weft ` +
            'is that long: check the path',
        ),
      );
    return;
  }
  handleError(error, request, reply);
}

/** Fastify's `maxParamLength`: names are at most 100 characters (names.ts), ids are shorter. */
export const MAX_PATH_PARAMETER = 100;

const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request took too long to arrive'],
  HPE_HEADER_OVERFLOW: [
    431,
    'Request Header Fields Too Large',
    'HEADERS_TOO_LARGE',
    'The request headers are larger than this server accepts (16 KiB): send fewer or shorter headers',
  ],
};

/**
 * A request Node's HTTP parser refuses (an unknown or lower-case method, a malformed header,
 * both `Content-Length` and `Transfer-Encoding`): Fastify's `clientErrorHandler`, answering in
 * the API's shape on the raw socket (there is no request to reply to).
 */
export function handleClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'Bad Request',
    'MALFORMED_REQUEST',
    'The request is not valid HTTP/1.1 (an unknown or lower-case method, a malformed request line or header, ' +
      'or both Content-Length and Transfer-Encoding): fix the client that sent it',
  ];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
