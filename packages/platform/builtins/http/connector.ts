/**
 * HTTP: the built-in connector for any REST API. One action sends any request (method, URL
 * under an optional base URL, query, headers, a JSON / form / multipart / XML / raw body) and
 * returns the status, the headers and the body parsed by its content type; one polling trigger
 * reads a list and fires once per new item. The connection chooses how requests authenticate:
 * none, Basic, an API key (header or query parameter), a bearer token, or OAuth 2.0 (client
 * credentials, or authorization code in a browser).
 *
 * Written with the public `@weft/sdk` only, like any connector: copy it as a starting point.
 */
import { type ActionContext, type ConnectorContext, defineConnector, defineTrigger } from '@weft/sdk';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

const AUTH_TYPES = [
  ['None', 'none'],
  ['Basic (username and password)', 'basic'],
  ['API key', 'api_key'],
  ['Bearer token', 'bearer'],
  ['OAuth 2.0 client credentials', 'oauth2_client_credentials'],
  ['OAuth 2.0 authorization code (sign in with a browser)', 'oauth2_authorization_code'],
] as const;

const OAUTH2 =
  'connection.auth_type == "oauth2_client_credentials" || connection.auth_type == "oauth2_authorization_code"';

/** A value of the connection as a trimmed string, or undefined when blank. */
function text(connection: Record<string, any>, name: string): string | undefined {
  const value = connection[name];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Reads `path` (`data.items`, `items[0].id`; empty: the value itself) in `value`. */
function valueAt(value: unknown, path: string | undefined): unknown {
  const steps = (path ?? '').match(/[^.[\]]+/g) ?? [];
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The URL to send to. A relative URL needs the connection's base URL; an absolute URL on
 * another origin than the base URL is refused when the connection carries credentials, so that
 * a step cannot send them to a host the connection was not made for.
 */
function targetOf(ctx: Pick<ConnectorContext, 'connection' | 'error'>, url: unknown): string {
  const raw = typeof url === 'string' ? url.trim() : '';
  if (!raw) ctx.error('url is required');
  const base = text(ctx.connection, 'base_url');
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!absolute && !base) {
    ctx.error(`url "${raw}" is relative and the connection has no base URL: give an absolute URL (https://...)`);
  }
  const authType = text(ctx.connection, 'auth_type') ?? 'none';
  if (absolute && base && authType !== 'none' && new URL(raw).origin !== new URL(base).origin) {
    ctx.error(
      `url ${new URL(raw).origin} is not on the connection's base URL (${new URL(base).origin}): ` +
        "the connection's credentials are sent only there. Use a path, or a connection for that host",
    );
  }
  return raw;
}

/** Multipart file parts: `{ field, file_name, content_type, content_base64 }` each. */
function fileParts(files: unknown): Record<string, unknown> {
  const parts: Record<string, unknown> = {};
  for (const file of Array.isArray(files) ? files : []) {
    if (!isRecord(file) || typeof file.field !== 'string') continue;
    const bytes = new Uint8Array(Buffer.from(String(file.content_base64 ?? ''), 'base64'));
    parts[file.field] = [bytes, file.content_type || 'application/octet-stream', file.file_name || file.field];
  }
  return parts;
}

/** Lower-cased header names to their values, joined when repeated. */
function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : typeof value === 'string' ? value : undefined;
}

/** The output of a request: status, headers and the body by kind (object/list, text, or base64). */
function responseOutput(status: number, body: unknown, headers: Record<string, unknown>) {
  const out: Record<string, unknown> = { status, headers, content_type: headerValue(headers, 'content-type') ?? null };
  if (body instanceof Uint8Array) out.body_base64 = Buffer.from(body).toString('base64');
  else if (typeof body === 'string') out.body_text = body;
  else if (body !== null && typeof body === 'object') out.body = body;
  else if (body !== null && body !== undefined) out.body_text = JSON.stringify(body);
  return out;
}

const BODY_METHODS = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

async function sendRequest(ctx: ActionContext) {
  const input = ctx.input as Record<string, any>;
  const method = String(input.method ?? 'GET').toUpperCase() as Method;
  if (!METHODS.includes(method)) ctx.error(`method must be one of ${METHODS.join(', ')}, got "${method}"`);
  const url = targetOf(ctx, input.url);
  const lower = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options';
  const request = ctx[lower](url);
  if (isRecord(input.query)) request.params(input.query);
  if (isRecord(input.headers)) request.headers(input.headers as Record<string, string>);
  const kind = BODY_METHODS.has(method) ? String(input.body_type ?? 'none') : 'none';
  if (kind === 'json') request.payload(input.body ?? {}).requestFormatJson();
  else if (kind === 'form') request.payload(input.body ?? {}).requestFormatWwwFormUrlencoded();
  else if (kind === 'multipart') {
    request
      .payload({ ...(isRecord(input.body) ? input.body : {}), ...fileParts(input.files) })
      .requestFormatMultipart();
  } else if (kind === 'xml') {
    const root = typeof input.xml_root === 'string' && input.xml_root.trim() ? input.xml_root.trim() : 'root';
    request.payload(input.body ?? {}).requestFormatXml(root);
  } else if (kind === 'raw') {
    const raw = String(input.raw_body ?? '');
    const bytes = input.raw_encoding === 'base64';
    request.requestBody(bytes ? new Uint8Array(Buffer.from(raw, 'base64')) : raw);
    const type = input.content_type || (bytes ? 'application/octet-stream' : 'text/plain; charset=utf-8');
    request.headers({ 'Content-Type': type });
  } else if (kind !== 'none') {
    ctx.error(`body_type must be one of none, json, form, multipart, xml, raw, got "${kind}"`);
  }
  if (kind !== 'raw' && kind !== 'none' && input.content_type) request.headers({ 'Content-Type': input.content_type });
  const parse = String(input.response_type ?? 'auto');
  if (parse === 'json') request.responseFormatJson();
  else if (parse === 'xml') request.responseFormatXml();
  else if (parse === 'text') request.responseFormatRaw({ as: 'text' });
  else if (parse === 'binary') request.responseFormatRaw({ as: 'bytes' });
  if (input.fail_on_error === false) {
    request.afterErrorResponse(/[\s\S]*/, (code, body, headers) => responseOutput(code, body, headers));
  }
  return request.afterResponse((code, body, headers) => responseOutput(code, body, headers));
}

const requestFields = [
  {
    name: 'url',
    label: 'URL',
    hint: "An absolute URL (https://api.example.com/items), or a path under the connection's base URL (items/42)",
  },
  { name: 'query', label: 'Query parameters', type: 'object', controlType: 'key_value', optional: true },
  { name: 'headers', type: 'object', controlType: 'key_value', optional: true },
] as const;

const responseFields = [
  { name: 'status', type: 'integer' },
  { name: 'headers', type: 'object' },
  { name: 'content_type', label: 'Content type' },
  { name: 'body', label: 'Body (JSON or XML)', type: 'object', hint: 'The parsed body: an object or a list' },
  { name: 'body_text', label: 'Body (text)' },
  { name: 'body_base64', label: 'Body (binary, Base64)' },
] as const;

/** `items_path` in the response: the list to read (the body itself when blank). */
function itemsOf(ctx: Pick<ConnectorContext, 'error'>, body: unknown, path: string | undefined): unknown[] {
  const list = valueAt(body, path);
  if (!Array.isArray(list)) {
    ctx.error(
      path
        ? `the response has no list at "${path}" (found ${list === undefined ? 'nothing' : typeof list})`
        : 'the response is not a list: set "Path to the list" to where the items are (e.g. data.items)',
    );
  }
  return list;
}

/** The dedup key of an item: the value at `field`, else the item's JSON. */
function keyOf(item: unknown, field: string | undefined): string {
  const value = field ? valueAt(item, field) : undefined;
  if (value !== undefined && value !== null && typeof value !== 'object') return String(value);
  return JSON.stringify(item);
}

interface NewItemsClosure {
  /** Keys of the items already in the list at the first poll (`first_poll: new`), never emitted. */
  skip?: string[];
}

/** The first poll's skipped keys are bounded: a longer first list keeps its first ones. */
const MAX_SKIPPED = 10_000;

const newItem = defineTrigger({
  title: 'New item in a list',
  description: 'Polls a URL that answers a list (GET) and fires once for each item not seen before.',
  inputFields: [
    ...requestFields,
    {
      name: 'items_path',
      label: 'Path to the list',
      optional: true,
      sticky: true,
      hint: 'Where the list is in the response, e.g. data.items. Blank: the response is the list.',
    },
    {
      name: 'dedup_field',
      label: 'Unique field',
      default: 'id',
      optional: true,
      sticky: true,
      hint: 'The field that identifies an item (e.g. id, or a nested path like meta.uid). An item whose value was seen before does not fire again. Blank or missing: the whole item.',
    },
    {
      name: 'first_poll',
      label: 'When the recipe starts',
      controlType: 'select',
      options: [
        ['Only items added after the start', 'new'],
        ['Every item already in the list too', 'all'],
      ],
      default: 'new',
      optional: true,
      sticky: true,
    },
  ] as const,
  poll: async (ctx) => {
    const closure = (ctx.closure ?? undefined) as NewItemsClosure | undefined;
    const input = ctx.input as Record<string, any>;
    const url = targetOf(ctx, input.url);
    const request = ctx.get(url);
    if (isRecord(input.query)) request.params(input.query);
    if (isRecord(input.headers)) request.headers(input.headers as Record<string, string>);
    const items = itemsOf(ctx, await request, input.items_path);
    const field = typeof input.dedup_field === 'string' ? input.dedup_field.trim() : undefined;
    const events = items.map((item) => ({ key: keyOf(item, field), item }));
    if (closure === undefined && (input.first_poll ?? 'new') === 'new') {
      // The first poll only notes what is there: those items never fire.
      return { events: [], nextPoll: { skip: events.slice(0, MAX_SKIPPED).map((e) => e.key) } };
    }
    const skip = new Set(closure?.skip ?? []);
    return { events: events.filter((e) => !skip.has(e.key)), nextPoll: closure ?? { skip: [] } };
  },
  dedup: (event: { key: string }) => event.key,
  outputFields: [
    { name: 'key', label: 'Unique value', hint: 'The value of the unique field' },
    { name: 'item', type: 'object', hint: 'The item as the API returned it' },
  ],
  sampleOutput: { key: '42', item: { id: 42, title: 'An item' } },
});

export default defineConnector({
  title: 'HTTP',
  description: 'Call any REST API: any method, URL, headers and body; poll a list for new items.',
  connection: {
    fields: [
      {
        name: 'base_url',
        label: 'Base URL',
        controlType: 'url',
        optional: true,
        sticky: true,
        hint: 'Optional: steps may then give paths under it (https://api.example.com/v1/)',
      },
      {
        name: 'auth_type',
        label: 'Authentication',
        controlType: 'select',
        options: AUTH_TYPES,
        default: 'none',
        extendsSchema: true,
      },
      { name: 'username', optional: true, ngIf: 'connection.auth_type == "basic"' },
      { name: 'password', controlType: 'password', optional: true, ngIf: 'connection.auth_type == "basic"' },
      {
        name: 'api_key_in',
        label: 'Send the API key in',
        controlType: 'select',
        options: [
          ['A header', 'header'],
          ['A query parameter', 'query'],
        ],
        default: 'header',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      {
        name: 'api_key_name',
        label: 'Header or parameter name',
        default: 'X-API-Key',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      {
        name: 'api_key',
        label: 'API key',
        controlType: 'password',
        optional: true,
        ngIf: 'connection.auth_type == "api_key"',
      },
      { name: 'token', controlType: 'password', optional: true, ngIf: 'connection.auth_type == "bearer"' },
      {
        name: 'authorization_url',
        label: 'Authorization URL',
        controlType: 'url',
        optional: true,
        ngIf: 'connection.auth_type == "oauth2_authorization_code"',
      },
      { name: 'token_url', label: 'Token URL', controlType: 'url', optional: true, ngIf: OAUTH2 },
      { name: 'client_id', label: 'Client ID', optional: true, ngIf: OAUTH2 },
      { name: 'client_secret', label: 'Client secret', controlType: 'password', optional: true, ngIf: OAUTH2 },
      { name: 'scope', optional: true, hint: 'Space-separated scopes', ngIf: OAUTH2 },
    ],
    authorization: {
      type: 'multi',
      selected: (ctx) => text(ctx.connection, 'auth_type') ?? 'none',
      options: {
        none: { type: 'none' },
        basic: { type: 'basic_auth' },
        api_key: {
          type: 'api_key',
          apply: (ctx) => {
            const name = text(ctx.connection, 'api_key_name') ?? 'X-API-Key';
            const key = String(ctx.connection.api_key ?? '');
            if (ctx.connection.api_key_in === 'query') ctx.params({ [name]: key });
            else ctx.headers({ [name]: key });
          },
        },
        bearer: {
          type: 'api_key',
          apply: (ctx) => ctx.headers({ Authorization: `Bearer ${ctx.connection.token ?? ''}` }),
        },
        oauth2_client_credentials: {
          type: 'oauth2',
          grantType: 'client_credentials',
          tokenUrl: (ctx) => text(ctx.connection, 'token_url') ?? '',
          scope: (ctx) => text(ctx.connection, 'scope') ?? '',
          refreshOn: [401],
        },
        oauth2_authorization_code: {
          type: 'oauth2',
          authorizationUrl: (ctx) => text(ctx.connection, 'authorization_url') ?? '',
          tokenUrl: (ctx) => text(ctx.connection, 'token_url') ?? '',
          scope: (ctx) => text(ctx.connection, 'scope') ?? '',
          pkce: true,
          refreshOn: [401],
        },
      },
    },
    baseUri: (ctx) => text(ctx.connection, 'base_url') ?? '',
  },
  test: async (ctx) => {
    const base = text(ctx.connection, 'base_url');
    if (!base) return { ok: true, checked: 'nothing (no base URL to call)' };
    const status = await ctx
      .get(base)
      .responseFormatRaw({ as: 'text' })
      .afterErrorResponse(/[\s\S]*/, (code) => code)
      .afterResponse((code) => code);
    if (status === 401 || status === 403) ctx.error(`${base} refused the credentials (HTTP ${status})`);
    return { ok: true, status };
  },
  actions: {
    request: {
      title: 'Send request',
      description: 'Send an HTTP request and return the status, headers and body.',
      inputFields: [
        {
          name: 'method',
          controlType: 'select',
          options: METHODS.map((m) => [m, m] as const),
          default: 'GET',
          optional: true,
          sticky: true,
        },
        ...requestFields,
        {
          name: 'body_type',
          label: 'Body',
          controlType: 'select',
          options: [
            ['None', 'none'],
            ['JSON', 'json'],
            ['Form (x-www-form-urlencoded)', 'form'],
            ['Multipart form data', 'multipart'],
            ['XML', 'xml'],
            ['Raw (text or Base64 bytes)', 'raw'],
          ],
          default: 'none',
          optional: true,
          hint: 'Sent with POST, PUT, PATCH and DELETE',
          sticky: true,
        },
        {
          name: 'body',
          label: 'Body fields',
          type: 'object',
          optional: true,
          sticky: true,
          hint: 'The body as JSON (for XML: in the XML convention of docs/data-formats.md)',
          ngIf: 'input.body_type == "json" || input.body_type == "form" || input.body_type == "multipart" || input.body_type == "xml"',
        },
        {
          name: 'files',
          type: 'array',
          of: 'object',
          optional: true,
          sticky: true,
          ngIf: 'input.body_type == "multipart"',
          properties: [
            { name: 'field', label: 'Part name' },
            { name: 'file_name', optional: true },
            { name: 'content_type', optional: true },
            { name: 'content_base64', label: 'Content (Base64)' },
          ],
        },
        { name: 'xml_root', label: 'XML root element', optional: true, sticky: true, ngIf: 'input.body_type == "xml"' },
        {
          name: 'raw_body',
          label: 'Raw body',
          controlType: 'text-area',
          optional: true,
          sticky: true,
          ngIf: 'input.body_type == "raw"',
        },
        {
          name: 'raw_encoding',
          label: 'Raw body is',
          controlType: 'select',
          options: [
            ['Text', 'text'],
            ['Base64 bytes', 'base64'],
          ],
          default: 'text',
          optional: true,
          sticky: true,
          ngIf: 'input.body_type == "raw"',
        },
        { name: 'content_type', label: 'Content type', optional: true, hint: "Overrides the body's content type" },
        {
          name: 'response_type',
          label: 'Read the response as',
          controlType: 'select',
          options: [
            ['By its content type', 'auto'],
            ['JSON', 'json'],
            ['XML', 'xml'],
            ['Text', 'text'],
            ['Binary (Base64)', 'binary'],
          ],
          default: 'auto',
          optional: true,
        },
        {
          name: 'fail_on_error',
          label: 'Fail on HTTP errors',
          type: 'boolean',
          controlType: 'checkbox',
          default: true,
          optional: true,
          hint: 'Off: a 4xx or 5xx answer is returned as output (check the status) instead of failing the step',
        },
      ],
      execute: sendRequest,
      outputFields: responseFields,
      sampleOutput: {
        status: 200,
        headers: { 'content-type': 'application/json' },
        content_type: 'application/json',
        body: { id: 42 },
      },
    },
  },
  triggers: { new_item: newItem },
});
