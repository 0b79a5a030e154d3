/**
 * Errors across the host boundary: the SDK's error classes (with their code, details, problems
 * and HTTP fields) are sent as data and rebuilt on the server, so the job engine and the API
 * see the same error a connector run in-process would raise. A permission the host does not
 * have (Node's permission model, or the egress guard) becomes `CONNECTOR_FORBIDDEN`.
 */
import {
  ConnectorError,
  ConnectorLoadError,
  DefinitionError,
  type ErrorCode,
  HttpError,
  isWeftError,
  UsageError,
  ValidationError,
  WeftError,
} from '@weft/sdk';
import { ConnectorHostError, isHostFailureCode } from './host-errors.js';

export interface WireError {
  name: string;
  code?: string;
  message: string;
  /** Own enumerable fields of the error (details, problems, HTTP status, …). */
  fields?: Record<string, unknown>;
  /** The class name of the error's cause, if it had one. */
  causeName?: string;
}

/** Node's codes for what the permission model (or the egress guard) refused. */
const DENIED = new Set(['ERR_ACCESS_DENIED', 'ERR_DLOPEN_DISABLED', 'WEFT_EGRESS_DENIED']);

/** What each of Node's permission scopes lets a program do, for the message. */
const SCOPES: Record<string, string> = {
  FileSystemRead: 'read a file outside its bundle',
  FileSystemWrite: 'write a file outside its scratch folder',
  ChildProcess: 'start a child process',
  WorkerThreads: 'start a worker thread',
  Signal: 'signal another process',
};

function deniedCause(error: unknown): { message: string } | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { code, message, cause, permission, resource } = e as Record<string, unknown>;
    if (typeof code === 'string' && DENIED.has(code)) {
      if (code === 'ERR_DLOPEN_DISABLED') return { message: 'tried to load a native addon' };
      if (code === 'WEFT_EGRESS_DENIED') return { message: String(message) };
      const what = SCOPES[String(permission)] ?? `use ${String(permission ?? 'a restricted API')}`;
      return { message: `tried to ${what}${typeof resource === 'string' && resource ? ` (${resource})` : ''}` };
    }
    e = cause;
  }
  return undefined;
}

function ownFields(error: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'cause' || typeof value === 'function') continue;
    out[key] = value;
  }
  return out;
}

/** The error as data (in the host). */
export function toWire(error: unknown): WireError {
  const denied = deniedCause(error);
  if (denied) {
    const where = isWeftError(error) ? `${error.message.split(':')[0]}: ` : '';
    return {
      name: 'ConnectorHostError',
      code: 'CONNECTOR_FORBIDDEN',
      message: `${where}the connector ${denied.message.split('\n')[0]}, which connector code may not do (see Isolation in docs/running.md)`,
    };
  }
  if (error instanceof Error) {
    const wire: WireError = {
      name: error.name,
      code: (error as { code?: string }).code,
      message: error.message,
      fields: ownFields(error),
    };
    // Only the class of the cause crosses (it tells a connector bug, a TypeError, from a failure).
    if (error.cause instanceof Error) wire.causeName = error.cause.name;
    return wire;
  }
  return { name: 'Error', message: String(error) };
}

type Problems = ConstructorParameters<typeof DefinitionError>[0];

/** Rebuilds each SDK class from its wire form (the message is set afterwards). */
const REBUILD: Record<string, (wire: WireError, fields: Record<string, unknown>) => Error> = {
  HttpError: (_wire, fields) => new HttpError(fields as unknown as ConstructorParameters<typeof HttpError>[0]),
  DefinitionError: (_wire, fields) => new DefinitionError((fields.problems as Problems) ?? []),
  ValidationError: (wire, fields) =>
    new ValidationError(
      wire.code === 'OUTPUT_INVALID' ? 'OUTPUT_INVALID' : 'INPUT_INVALID',
      (fields.problems as Problems) ?? [],
    ),
  ConnectorError: (wire) => new ConnectorError(wire.message),
  UsageError: (wire) =>
    new UsageError(
      wire.message,
      wire.code === 'SETTINGS_INVALID' || wire.code === 'INPUT_UNREADABLE' ? wire.code : 'USAGE',
    ),
  ConnectorLoadError: (wire) => new ConnectorLoadError(wire.code as ErrorCode, wire.message),
  ConnectorHostError: (wire) =>
    new ConnectorHostError(isHostFailureCode(wire.code) ? wire.code : 'CONNECTOR_CRASHED', wire.message),
  WeftError: (wire, fields) =>
    new WeftError(wire.code as ErrorCode, wire.message, {
      details: fields.details as Record<string, unknown> | undefined,
    }),
};

/** The error rebuilt (in the server), of the class it had in the host. */
export function fromWire(wire: WireError): Error {
  const fields = wire.fields ?? {};
  const rebuild = REBUILD[wire.name] ?? (wire.code && 'details' in fields ? REBUILD.WeftError : undefined);
  let error: Error;
  if (rebuild) error = rebuild(wire, fields);
  else {
    error = new Error(wire.message);
    error.name = wire.name;
    if (wire.code) Object.assign(error, { code: wire.code });
  }
  // The message as the host had it (a class may compose its own from the fields).
  Object.defineProperty(error, 'message', { value: wire.message, writable: true, configurable: true });
  if (wire.causeName) {
    const cause = new Error(`(in the connector's host) ${wire.causeName}`);
    cause.name = wire.causeName;
    Object.defineProperty(error, 'cause', { value: cause, writable: true, configurable: true });
  }
  return error;
}
