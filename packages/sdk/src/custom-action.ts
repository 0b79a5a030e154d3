/**
 * The custom action (SPEC §5): with `customAction: true` a connector gains `custom_action`, which
 * calls any path of the API through the context's HTTP helpers, so the connection's
 * authorization, refresh, retries and redaction apply exactly as for any other action. An
 * absolute URL on another origin than the connection's base URI gets no authorization unless
 * the connector sets `customAction: { authorizeOtherOrigins: true }`: a user-typed URL must not
 * be a way to send the connection's credentials anywhere.
 */
import { AUTHORIZE_BASE_ORIGIN_ONLY } from './http/redirect.js';
import type { ActionContext, ActionDefinition, ConnectorDefinition, CustomActionOptions, Field } from './types.js';

export const CUSTOM_ACTION_NAME = 'custom_action';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** Marks the generated action (a registered symbol: it survives two copies of the SDK). */
const GENERATED = Symbol.for('weft.customAction');

const inputFields: readonly Field[] = [
  {
    name: 'method',
    controlType: 'select',
    options: METHODS.map((m) => [m, m] as const),
    default: 'GET',
    optional: true,
  },
  {
    name: 'path',
    hint:
      'A path relative to the connection base URI (e.g. `contacts/42`; a leading `/` starts at the host root), ' +
      'or an absolute URL',
  },
  { name: 'query', label: 'Query parameters', type: 'object', controlType: 'key_value', optional: true },
  { name: 'headers', type: 'object', controlType: 'key_value', optional: true },
  { name: 'body', type: 'object', optional: true, hint: 'Sent with POST, PUT and PATCH; ignored for GET and DELETE' },
  {
    name: 'requestFormat',
    label: 'Request format',
    controlType: 'select',
    options: [
      ['JSON', 'json'],
      ['Form (x-www-form-urlencoded)', 'form'],
      ['Multipart', 'multipart'],
    ],
    default: 'json',
    optional: true,
  },
];

/**
 * `body` is the parsed response, whatever its shape. No field type fits every value, so `body`
 * is an object (datapills below it are not checked) whose alternative is a list of objects:
 * output checks accept an object, a list of records, or null.
 */
const outputFields: readonly Field[] = [
  {
    name: 'body',
    label: 'Response body',
    type: 'object',
    toggleField: { name: 'body', type: 'array', of: 'object' },
  },
];

async function execute(ctx: ActionContext, otherOrigins: boolean): Promise<{ body: unknown }> {
  const input = ctx.input as Record<string, unknown>;
  const method = String(input.method ?? 'GET').toUpperCase();
  if (!(METHODS as readonly string[]).includes(method)) {
    ctx.error(`method must be one of ${METHODS.join(', ')}, got "${method}"`);
  }
  const path = typeof input.path === 'string' ? input.path.trim() : '';
  if (!path) ctx.error('path is required');
  const request =
    method === 'POST' || method === 'PUT' || method === 'PATCH'
      ? ctx[method.toLowerCase() as 'post' | 'put' | 'patch'](path, input.body ?? undefined)
      : ctx[method.toLowerCase() as 'get' | 'delete'](path);
  if (!otherOrigins) (request as unknown as Record<symbol, () => void>)[AUTHORIZE_BASE_ORIGIN_ONLY]?.();
  if (isRecord(input.query) && Object.keys(input.query).length) request.params(input.query);
  if (isRecord(input.headers) && Object.keys(input.headers).length) {
    request.headers(input.headers as Record<string, string | number | boolean>);
  }
  if (BODY_METHODS.has(method)) {
    if (input.requestFormat === 'form') request.requestFormatWwwFormUrlencoded();
    else if (input.requestFormat === 'multipart') request.requestFormatMultipart();
  }
  const body = await request;
  return { body: body ?? null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** True for the action `withCustomAction` adds (not one the connector defines itself). */
export function isGeneratedCustomAction(action: unknown): boolean {
  return isRecord(action) && (action as Record<symbol, unknown>)[GENERATED] === true;
}

/** Whether `customAction` asks for the generated action (`true` or an options object). */
export function hasCustomAction(definition: { customAction?: unknown }): boolean {
  return definition.customAction === true || isRecord(definition.customAction);
}

function customActionFor(title: unknown, options: CustomActionOptions): ActionDefinition {
  const otherOrigins = options.authorizeOtherOrigins === true;
  const action: ActionDefinition = {
    title: 'Custom action',
    description: `Call any endpoint of ${typeof title === 'string' && title ? title : 'the API'} with this connection's authorization`,
    inputFields,
    outputFields,
    execute: (ctx) => execute(ctx, otherOrigins),
  };
  Object.defineProperty(action, GENERATED, { value: true });
  return action;
}

/**
 * The definition with `actions.custom_action` added when `customAction` is set; otherwise (or
 * when the connector defines `custom_action` itself, which validation reports) unchanged.
 * Never mutates its argument; safe on a definition that is not yet validated.
 */
export function withCustomAction<T>(definition: T): T {
  if (!isRecord(definition) || !hasCustomAction(definition)) return definition;
  const def = definition as unknown as ConnectorDefinition;
  const actions = def.actions;
  if (actions !== undefined && !isRecord(actions)) return definition;
  if (actions && Object.hasOwn(actions, CUSTOM_ACTION_NAME)) return definition;
  return {
    ...definition,
    actions: {
      ...actions,
      [CUSTOM_ACTION_NAME]: customActionFor(def.title, isRecord(def.customAction) ? def.customAction : {}),
    },
  } as T;
}
