/**
 * The body of `POST /api/connectors/:name/fields`: its schema (the shape of each key), the rules
 * across keys (one target; `kind` and `args` where they apply), the operation it names, and
 * how failures of the connector's own code answer.
 */
import { type ConnectorDefinition, isWeftError, messageOf } from '@weft/sdk';
import type { Operation } from '@weft/sdk/operations';
import type { Redactor } from '@weft/sdk/runtime';
import { type DomainError, FailedError, InvalidError, NotFoundError } from '../errors.js';
import { invalid, type Json, stringAt } from '../input.js';
import { ConnectorHostError } from '../isolation/host-errors.js';

/** `description` and `help` resolve an operation's texts with the connection and config fields. */
const FIELD_KINDS = ['input', 'output', 'config', 'description', 'help'] as const;

const text = { type: ['string', 'null'], minLength: 1 };

export const fieldsBody = {
  type: 'object',
  additionalProperties: false,
  description: 'One of `action`, `trigger` (with `kind`) or `pickList`',
  properties: {
    connection: { ...text, description: 'A connection of this connector: the lambdas run with its values' },
    version: { type: ['integer', 'null'], minimum: 1, description: 'A stored version (default: the current one)' },
    action: text,
    trigger: text,
    kind: {
      type: 'string',
      enum: FIELD_KINDS,
      default: 'input',
      description:
        "`description` and `help` give the operation's texts, computed with the connection and config fields",
    },
    configFields: { type: ['object', 'null'], description: 'Config field values the fields may depend on' },
    pickList: text,
    args: {
      type: 'object',
      description: 'Pick lists: the values of the fields named in `pickListParams`; tree pick lists: `parentId`',
    },
  },
};

export interface FieldsRequest {
  connection?: string;
  version?: number;
  action?: string;
  trigger?: string;
  kind: (typeof FIELD_KINDS)[number];
  configFields: Record<string, unknown>;
  pickList?: string;
  args?: Record<string, unknown>;
}

export function fieldsRequest(body: unknown): FieldsRequest {
  // The shape (an object, known keys, types) is the route schema's (fieldsBody); the rules across keys are here.
  const obj = body as Json;
  const action = stringAt(obj, 'action', { optional: true });
  const trigger = stringAt(obj, 'trigger', { optional: true });
  const pickList = stringAt(obj, 'pickList', { optional: true });
  const targets = [action && 'action', trigger && 'trigger', pickList && 'pickList'].filter(Boolean);
  if (targets.length !== 1) {
    throw invalid(
      targets[1] as string | undefined,
      targets.length
        ? `give only one of "action", "trigger" and "pickList", not ${targets.map((t) => `"${t}"`).join(' and ')}`
        : 'give "action" or "trigger" (with "kind") to resolve fields, or "pickList" for a pick list',
    );
  }
  let kind: FieldsRequest['kind'] = 'input';
  if (obj.kind !== undefined) {
    if (pickList) throw invalid('kind', 'is for fields of an action or a trigger, not for a pick list');
    kind = obj.kind as FieldsRequest['kind'];
  }
  const configFields = (obj.configFields ?? {}) as Json;
  if (obj.args !== undefined && !pickList) {
    throw invalid('args', 'is for pick lists (the values of the fields named in pickListParams)');
  }
  const version = (obj.version ?? undefined) as number | undefined;
  return {
    connection: stringAt(obj, 'connection', { optional: true }),
    version,
    action,
    trigger,
    kind,
    configFields,
    pickList,
    args: obj.args as Json | undefined,
  };
}

/** Checks the named action, trigger or pick list exists, so a typo is a 404 with its path. */
export function fieldsOperation(name: string, definition: ConnectorDefinition, request: FieldsRequest): Operation {
  const known = (o: object | undefined) => Object.keys(o ?? {});
  const missing = (what: string, key: string, given: string, list: string[]) =>
    new NotFoundError(
      'UNKNOWN_PATH',
      `Connector "${name}" has no ${what} "${given}" (${what}s: ${list.join(', ') || 'none'})`,
      key,
    );
  if (request.pickList !== undefined) {
    if (typeof definition.pickLists?.[request.pickList] !== 'function') {
      throw missing('pick list', 'pickList', request.pickList, known(definition.pickLists));
    }
    return { kind: 'pick_list', name: request.pickList, args: request.args };
  }
  const section = request.action !== undefined ? 'actions' : 'triggers';
  const op = request.action ?? request.trigger!;
  const ops = section === 'actions' ? definition.actions : definition.triggers;
  if (!ops?.[op]) {
    throw missing(section === 'actions' ? 'action' : 'trigger', section.slice(0, -1), op, known(ops));
  }
  const kind = request.kind;
  const of = section === 'actions' ? 'action' : 'trigger';
  const { configFields } = request;
  return { kind: kind === 'description' || kind === 'help' ? kind : `${kind}_fields`, of, name: op, configFields };
}

/** Errors of the connector's own code: not found for an unknown name, invalid for a bad request, else failed (422). */
export function connectorFailure(error: unknown, redactor: Redactor): DomainError {
  // The host's own failures (a limit, a crash) carry no value of the connection.
  if (error instanceof ConnectorHostError) return error;
  if (!isWeftError(error)) return new FailedError('LAMBDA_FAILED', redactor.redact(messageOf(error)));
  const message = redactor.redact(error.message);
  if (error.code.startsWith('UNKNOWN_')) return new NotFoundError(error.code, message);
  if (error.code === 'USAGE' || error.code === 'INPUT_INVALID') return new InvalidError(error.code, message);
  return new FailedError(error.code, message);
}
