/**
 * `validateConnector`: checks a loaded definition and reports every problem with its path
 * (`actions.create_contact.execute: must be a function`). Literal field lists are checked;
 * field lambdas are checked when they run.
 */
import { CUSTOM_ACTION_NAME, hasCustomAction, isGeneratedCustomAction } from '../custom-action.js';
import { DefinitionError, type Problem } from '../errors.js';
import { AUTH_TYPES } from '../model/auth.js';
import { HTTP_METHODS } from '../model/http.js';
import { describe, isPlainObject } from '../schema/values.js';
import type { ConnectorDefinition } from '../types.js';
import { Checker, type Obj } from './checks.js';
import { checkFieldList, type FieldRefs } from './fields.js';
import { checkKeys } from './keys.js';
import { checkConnectionNgIfs, checkOperationNgIfs } from './ngif-names.js';

const TOP_KEYS = [
  'name',
  'title',
  'description',
  'version',
  'connection',
  'test',
  'actions',
  'triggers',
  'objectDefinitions',
  'pickLists',
  'methods',
  'webhookKeys',
  'streams',
  'secureTunnel',
  'customAction',
  'identity',
];
const CONNECTION_KEYS = ['fields', 'authorization', 'baseUri', 'identity'];
const AUTH_KEYS = [
  'type',
  'apply',
  'acquire',
  'refresh',
  'refreshOn',
  'detectOn',
  'identity',
  'authorizationUrl',
  'tokenUrl',
  'clientId',
  'clientSecret',
  'scope',
  'pkce',
  'grantType',
  'tokenAuthMethod',
  'service',
  'region',
  'selected',
  'options',
];
const COMMON_OPERATION_KEYS = [
  'title',
  'subtitle',
  'description',
  'help',
  'configFields',
  'inputFields',
  'outputFields',
  'sampleOutput',
  'summarizeOutput',
  'deprecated',
  'displayPriority',
];
const ACTION_KEYS = [
  ...COMMON_OPERATION_KEYS,
  'execute',
  'retryOnResponse',
  'retryOnRequest',
  'maxRetries',
  'summarizeInput',
  'batch',
  'bulk',
];
/** The keys of a trigger that hold functions. */
const TRIGGER_LAMBDAS = [
  'poll',
  'dedup',
  'webhookKey',
  'webhookSubscribe',
  'webhookUnsubscribe',
  'webhookRefresh',
  'webhookNotification',
];
const TRIGGER_KEYS = [
  ...COMMON_OPERATION_KEYS,
  ...TRIGGER_LAMBDAS,
  'webhookRefreshSeconds',
  'webhookPayloadType',
  'webhookResponseStatus',
  'webhookResponseBody',
  'webhookResponseHeaders',
];
const MAX_RETRIES = 3;

/** Every problem of a definition, each with its path; empty when the definition is valid. */
export function validateConnector(def: unknown): Problem[] {
  const c = new Checker();
  if (!isPlainObject(def)) {
    c.add('(root)', `must be an object (the connector definition), got ${describe(def)}`);
    return c.problems;
  }
  checkKeys(def, '', TOP_KEYS, c.problems);
  if (typeof def.title !== 'string' || def.title.trim() === '') c.add('title', 'is required and must be a string');
  for (const key of ['name', 'description', 'version']) c.string(def[key], key);
  c.boolean(def.secureTunnel, 'secureTunnel');
  if (isPlainObject(def.customAction)) {
    checkKeys(def.customAction, 'customAction', ['authorizeOtherOrigins'], c.problems);
    c.boolean(def.customAction.authorizeOtherOrigins, 'customAction.authorizeOtherOrigins');
  } else c.boolean(def.customAction, 'customAction');
  for (const key of ['test', 'webhookKeys', 'identity']) c.fn(def[key], key);
  for (const key of ['pickLists', 'methods', 'streams']) c.functionMap(def[key], key);

  const refs: FieldRefs = { pickLists: namesOf(def.pickLists), methods: namesOf(def.methods) };
  if (def.connection !== undefined) checkConnection(c, def.connection, refs);
  checkNamed(c, def.actions, 'actions', (action, path) => checkAction(c, action, path, refs));
  const connectionFields = isPlainObject(def.connection) ? def.connection.fields : undefined;
  checkConnectionNgIfs(c, connectionFields, 'connection.fields');
  for (const section of ['actions', 'triggers'] as const) {
    const ops = def[section];
    if (!isPlainObject(ops)) continue;
    for (const [name, op] of Object.entries(ops)) {
      if (isPlainObject(op)) checkOperationNgIfs(c, op, `${section}.${name}`, connectionFields);
    }
  }
  if (
    hasCustomAction(def) &&
    isPlainObject(def.actions) &&
    Object.hasOwn(def.actions, CUSTOM_ACTION_NAME) &&
    !isGeneratedCustomAction(def.actions[CUSTOM_ACTION_NAME])
  ) {
    c.add(
      `actions.${CUSTOM_ACTION_NAME}`,
      `clashes with the custom action that \`customAction: true\` adds: rename the action or drop \`customAction\``,
    );
  }
  checkNamed(c, def.triggers, 'triggers', (trigger, path) => checkTrigger(c, trigger, path, refs));
  checkNamed(c, def.objectDefinitions, 'objectDefinitions', (od, path) => {
    checkKeys(od, path, ['fields'], c.problems);
    if (typeof od.fields !== 'function')
      c.add(`${path}.fields`, `must be a function returning fields, got ${describe(od.fields)}`);
  });
  return c.problems;
}

/** Returns the definition typed, or throws `DefinitionError` listing every problem. */
export function assertValidConnector(def: unknown): ConnectorDefinition {
  const problems = validateConnector(def);
  if (problems.length) throw new DefinitionError(problems);
  return def as ConnectorDefinition;
}

function namesOf(value: unknown): string[] {
  return isPlainObject(value) ? Object.keys(value) : [];
}

function checkNamed(c: Checker, value: unknown, path: string, check: (item: Obj, path: string) => void): void {
  if (value === undefined) return;
  if (!c.object(value, path)) return;
  for (const [name, item] of Object.entries(value)) {
    const where = `${path}.${name}`;
    if (c.object(item, where)) check(item, where);
  }
}

function checkConnection(c: Checker, connection: unknown, refs: FieldRefs): void {
  if (!c.object(connection, 'connection')) return;
  checkKeys(connection, 'connection', CONNECTION_KEYS, c.problems);
  checkFieldList(c, connection.fields, 'connection.fields', refs);
  c.fn(connection.baseUri, 'connection.baseUri');
  c.fn(connection.identity, 'connection.identity');
  if (connection.authorization !== undefined)
    checkAuthorization(c, connection.authorization, 'connection.authorization', true);
}

function checkAuthorization(c: Checker, auth: unknown, path: string, multiAllowed: boolean): void {
  if (!c.object(auth, path)) return;
  checkKeys(auth, path, AUTH_KEYS, c.problems, { open: true });
  const types: readonly string[] = multiAllowed ? AUTH_TYPES : AUTH_TYPES.filter((t) => t !== 'multi');
  if (auth.type === undefined) c.add(`${path}.type`, `is required (one of ${types.join(', ')})`);
  else if (!types.includes(auth.type as string)) {
    const nested = !multiAllowed && auth.type === 'multi' ? '; options of `multi` cannot be `multi`' : '';
    c.add(`${path}.type`, `must be one of ${types.join(', ')} (got ${describe(auth.type)})${nested}`);
  }
  for (const key of ['apply', 'acquire', 'refresh', 'identity']) c.fn(auth[key], `${path}.${key}`);
  c.matchers(auth.refreshOn, `${path}.refreshOn`);
  c.matchers(auth.detectOn, `${path}.detectOn`);
  if (auth.type === 'oauth2') {
    for (const key of ['authorizationUrl', 'tokenUrl', 'clientId', 'clientSecret', 'scope'])
      c.stringOrFn(auth[key], `${path}.${key}`);
    c.boolean(auth.pkce, `${path}.pkce`);
    c.oneOf(auth.grantType, `${path}.grantType`, ['authorization_code', 'client_credentials', 'password']);
    c.oneOf(auth.tokenAuthMethod, `${path}.tokenAuthMethod`, ['client_secret_basic', 'client_secret_post']);
  }
  if (auth.type === 'aws_auth') {
    for (const key of ['service', 'region']) c.stringOrFn(auth[key], `${path}.${key}`);
  }
  if (auth.type === 'multi' && multiAllowed) {
    if (typeof auth.selected !== 'function') {
      c.add(
        `${path}.selected`,
        `is required and must be a function naming one of \`options\`, got ${describe(auth.selected)}`,
      );
    }
    if (!isPlainObject(auth.options) || Object.keys(auth.options).length === 0) {
      c.add(`${path}.options`, `is required: an object of named authorizations, got ${describe(auth.options)}`);
    } else {
      for (const [name, option] of Object.entries(auth.options))
        checkAuthorization(c, option, `${path}.options.${name}`, false);
    }
  }
}

function checkOperationCommon(c: Checker, op: Obj, path: string, refs: FieldRefs): void {
  c.string(op.title, `${path}.title`);
  c.string(op.subtitle, `${path}.subtitle`);
  c.stringOrFn(op.description, `${path}.description`);
  if (
    op.help !== undefined &&
    typeof op.help !== 'string' &&
    typeof op.help !== 'function' &&
    !isPlainObject(op.help)
  ) {
    c.add(`${path}.help`, `must be a string, an object or a function, got ${describe(op.help)}`);
  }
  checkFieldList(c, op.configFields, `${path}.configFields`, refs);
  const configNames = Array.isArray(op.configFields)
    ? op.configFields
        .filter((f) => isPlainObject(f) && typeof f.name === 'string')
        .map((f) => (f as Obj).name as string)
    : [];
  checkFieldList(c, op.inputFields, `${path}.inputFields`, refs, { lambda: true, extraSiblings: configNames });
  checkFieldList(c, op.outputFields, `${path}.outputFields`, refs, { lambda: true });
  c.stringList(op.summarizeOutput, `${path}.summarizeOutput`);
  c.boolean(op.deprecated, `${path}.deprecated`);
  c.number(op.displayPriority, `${path}.displayPriority`);
}

function checkAction(c: Checker, action: Obj, path: string, refs: FieldRefs): void {
  checkKeys(action, path, ACTION_KEYS, c.problems);
  if (action.execute === undefined) c.add(`${path}.execute`, 'is required and must be a function');
  else c.fn(action.execute, `${path}.execute`);
  checkOperationCommon(c, action, path, refs);
  c.stringList(action.summarizeInput, `${path}.summarizeInput`);
  c.boolean(action.batch, `${path}.batch`);
  c.boolean(action.bulk, `${path}.bulk`);
  c.matchers(action.retryOnResponse, `${path}.retryOnResponse`);
  const max = action.maxRetries;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_RETRIES)) {
    c.add(`${path}.maxRetries`, `must be an integer from 0 to ${MAX_RETRIES}, got ${describe(max)}`);
  }
  const methods = action.retryOnRequest;
  if (methods !== undefined) {
    if (!Array.isArray(methods))
      c.add(`${path}.retryOnRequest`, `must be an array of HTTP methods, got ${describe(methods)}`);
    else {
      methods.forEach((m, i) => {
        if (typeof m !== 'string' || !(HTTP_METHODS as readonly string[]).includes(m.toUpperCase())) {
          c.add(
            `${path}.retryOnRequest[${i}]`,
            `unknown HTTP method ${describe(m)} (one of ${HTTP_METHODS.join(', ')})`,
          );
        }
      });
    }
  }
}

function checkTrigger(c: Checker, trigger: Obj, path: string, refs: FieldRefs): void {
  checkKeys(trigger, path, TRIGGER_KEYS, c.problems);
  checkOperationCommon(c, trigger, path, refs);
  for (const key of TRIGGER_LAMBDAS) c.fn(trigger[key], `${path}.${key}`);
  if (trigger.poll === undefined && trigger.webhookNotification === undefined) {
    c.add(path, 'needs `poll` or `webhookNotification` (or both)');
  }
  c.oneOf(trigger.webhookPayloadType, `${path}.webhookPayloadType`, ['json', 'raw']);
  const every = trigger.webhookRefreshSeconds;
  if (every !== undefined) {
    if (typeof every !== 'number' || !Number.isFinite(every) || every < 1) {
      c.add(`${path}.webhookRefreshSeconds`, `must be a number of seconds (at least 1), got ${describe(every)}`);
    } else if (typeof trigger.webhookRefresh !== 'function') {
      c.add(`${path}.webhookRefreshSeconds`, 'is set but the trigger has no `webhookRefresh` to run');
    }
  }
  // Reply values may also be functions of the request (handshakes); those are checked when they run.
  const status = trigger.webhookResponseStatus;
  if (
    status !== undefined &&
    typeof status !== 'function' &&
    (!Number.isInteger(status) || (status as number) < 100 || (status as number) > 599)
  ) {
    c.add(`${path}.webhookResponseStatus`, `must be an HTTP status code (100-599), got ${describe(status)}`);
  }
  const headers = trigger.webhookResponseHeaders;
  if (
    headers !== undefined &&
    typeof headers !== 'function' &&
    c.object(headers, `${path}.webhookResponseHeaders`, 'an object of header names to strings')
  ) {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string')
        c.add(`${path}.webhookResponseHeaders.${name}`, `must be a string, got ${describe(value)}`);
    }
  }
}
