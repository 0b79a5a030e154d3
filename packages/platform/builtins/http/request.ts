/** The http built-in's "Send request" action: any method, URL, query, headers and body. */
import { type ActionContext, defineAction } from '@weft/sdk';
import { isRecord, requestFields, targetOf } from './shared.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];

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
  // A multipart body's content type carries its boundary: it is never overridden.
  if (['json', 'form', 'xml'].includes(kind) && input.content_type) {
    request.headers({ 'Content-Type': input.content_type });
  }
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

const responseFields = [
  { name: 'status', type: 'integer' },
  { name: 'headers', type: 'object' },
  { name: 'content_type', label: 'Content type' },
  {
    name: 'body',
    label: 'Body (JSON or XML)',
    type: 'object',
    hint: 'The parsed body: an object, or a list (the toggle field)',
    toggleField: { name: 'body', label: 'Body (a list)', type: 'array', of: 'object' },
  },
  { name: 'body_text', label: 'Body (text)' },
  { name: 'body_base64', label: 'Body (binary, Base64)' },
] as const;

export const sendRequestAction = defineAction({
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
      toggleHint: 'An object',
      toggleField: { name: 'body', label: 'Body (a list)', type: 'array', of: 'object', toggleHint: 'A list' },
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
    {
      name: 'content_type',
      label: 'Content type',
      optional: true,
      hint: "Overrides the body's content type (JSON, form, XML and raw bodies; e.g. application/vnd.api+json)",
    },
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
});
