/**
 * A dereferenced Swagger 2.0 or OpenAPI 3.x document → `ApiModel`: operations with parameters
 * (path-level ones merged in), the request body, the first 2xx response; servers and security
 * schemes come from security.ts.
 */
import {
  type ApiBody,
  type ApiModel,
  type ApiOperation,
  type ApiParameter,
  type ApiResponse,
  type BodyFormat,
  HTTP_METHODS,
  type ParameterLocation,
  type Schema,
} from './model.js';
import { securitySchemes, servers } from './security.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const LOCATIONS: readonly string[] = ['path', 'query', 'header', 'cookie'];
/** Headers the request builder sets itself; a parameter for them would only conflict. */
const SKIPPED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

export function isSwagger2(doc: Obj): boolean {
  return String(doc.swagger ?? '').startsWith('2');
}

function formatOf(contentType: string): BodyFormat {
  const type = contentType.toLowerCase();
  if (type.includes('json')) return 'json';
  if (type.startsWith('application/x-www-form-urlencoded')) return 'form';
  if (type.startsWith('multipart/')) return 'multipart';
  return 'raw';
}

/** The preferred media type of a content map: JSON, then a form, then multipart, then the first. */
function pickMedia(types: string[]): string | undefined {
  const order: BodyFormat[] = ['json', 'form', 'multipart', 'raw'];
  return [...types].sort((a, b) => order.indexOf(formatOf(a)) - order.indexOf(formatOf(b)))[0];
}

/** Swagger 2.0 keeps a parameter's schema keywords on the parameter itself. */
function swaggerParameterSchema(p: Obj): Schema {
  const { name: _n, in: _i, required: _r, description: _d, ...schema } = p;
  return schema;
}

function parameters(raw: unknown[], swagger: boolean): { params: ApiParameter[]; swaggerBody: Obj[] } {
  const params: ApiParameter[] = [];
  const swaggerBody: Obj[] = [];
  for (const p of raw) {
    if (!isObj(p) || typeof p.name !== 'string' || !p.name) continue;
    if (swagger && (p.in === 'body' || p.in === 'formData')) {
      swaggerBody.push(p);
      continue;
    }
    if (!LOCATIONS.includes(String(p.in))) continue;
    if (p.in === 'header' && SKIPPED_HEADERS.has(p.name.toLowerCase())) continue;
    const schema = swagger ? swaggerParameterSchema(p) : isObj(p.schema) ? p.schema : firstContentSchema(p.content);
    params.push({
      name: p.name,
      in: p.in as ParameterLocation,
      required: p.in === 'path' || p.required === true,
      description: str(p.description),
      schema: schema ?? {},
    });
  }
  return { params, swaggerBody };
}

function firstContentSchema(content: unknown): Schema | undefined {
  if (!isObj(content)) return undefined;
  const media = Object.values(content).find(isObj);
  return media && isObj(media.schema) ? media.schema : undefined;
}

/** Operation parameters override path-level ones with the same name and location. */
function merged(pathLevel: unknown, opLevel: unknown): unknown[] {
  const own = Array.isArray(opLevel) ? opLevel : [];
  const key = (p: unknown) => (isObj(p) ? `${p.in}:${p.name}` : '');
  const overridden = new Set(own.map(key));
  return [...(Array.isArray(pathLevel) ? pathLevel.filter((p) => !overridden.has(key(p))) : []), ...own];
}

function openApiBody(raw: unknown): ApiBody | undefined {
  if (!isObj(raw) || !isObj(raw.content)) return undefined;
  const contentType = pickMedia(Object.keys(raw.content));
  if (!contentType) return undefined;
  const media = raw.content[contentType];
  return {
    format: formatOf(contentType),
    contentType,
    required: raw.required === true,
    description: str(raw.description),
    schema: isObj(media) && isObj(media.schema) ? media.schema : {},
  };
}

function swaggerBody(body: Obj[], consumes: string[]): ApiBody | undefined {
  const inBody = body.find((p) => p.in === 'body');
  if (inBody) {
    const contentType = pickMedia(consumes.length ? consumes : ['application/json']) ?? 'application/json';
    return {
      format: formatOf(contentType) === 'raw' ? 'raw' : 'json',
      contentType,
      required: inBody.required === true,
      description: str(inBody.description),
      schema: isObj(inBody.schema) ? inBody.schema : {},
    };
  }
  const form = body.filter((p) => p.in === 'formData');
  if (!form.length) return undefined;
  const multipart = form.some((p) => p.type === 'file') || consumes.some((c) => c.startsWith('multipart/'));
  const properties: Obj = {};
  for (const p of form) properties[String(p.name)] = swaggerParameterSchema(p);
  return {
    format: multipart ? 'multipart' : 'form',
    contentType: multipart ? 'multipart/form-data' : 'application/x-www-form-urlencoded',
    required: form.some((p) => p.required === true),
    schema: {
      type: 'object',
      properties,
      required: form.filter((p) => p.required === true).map((p) => String(p.name)),
    },
  };
}

/** The first 2xx response (200 before 201, a `2XX` range last). */
function successResponse(responses: unknown): Obj | undefined {
  if (!isObj(responses)) return undefined;
  const codes = Object.keys(responses)
    .filter((c) => /^2(\d\d|XX)$/i.test(c))
    .sort();
  const found = codes.map((c) => responses[c]).find(isObj);
  return found;
}

function examplesOf(media: Obj): unknown[] {
  const out: unknown[] = [];
  if (media.example !== undefined) out.push(media.example);
  if (isObj(media.examples)) {
    for (const example of Object.values(media.examples)) {
      if (isObj(example) && example.value !== undefined) out.push(example.value);
    }
  }
  return out;
}

function openApiResponse(raw: Obj | undefined): { response: ApiResponse; examples: unknown[] } {
  if (!raw || !isObj(raw.content) || !Object.keys(raw.content).length)
    return { response: { kind: 'none' }, examples: [] };
  const types = Object.keys(raw.content);
  const json = types.find((t) => formatOf(t) === 'json');
  if (!json) return { response: { kind: 'raw', contentType: types[0] }, examples: [] };
  const media = raw.content[json];
  if (!isObj(media)) return { response: { kind: 'json', schema: {} }, examples: [] };
  return { response: { kind: 'json', schema: isObj(media.schema) ? media.schema : {} }, examples: examplesOf(media) };
}

function swaggerResponse(raw: Obj | undefined, produces: string[]): { response: ApiResponse; examples: unknown[] } {
  if (!raw || !isObj(raw.schema)) return { response: { kind: 'none' }, examples: [] };
  const type = produces.find((t) => formatOf(t) === 'json') ?? (produces.length ? produces[0] : 'application/json');
  if (formatOf(type) !== 'json') return { response: { kind: 'raw', contentType: type }, examples: [] };
  const examples = isObj(raw.examples) ? Object.values(raw.examples) : [];
  return { response: { kind: 'json', schema: raw.schema }, examples };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function normalize(doc: Obj, schemaNames: ReadonlyMap<object, string>): ApiModel {
  const swagger = isSwagger2(doc);
  const info = isObj(doc.info) ? doc.info : {};
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    if (!isObj(item)) continue;
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const { params, swaggerBody: rawBody } = parameters(merged(item.parameters, op.parameters), swagger);
      const success = successResponse(op.responses);
      const consumes = strings(op.consumes ?? doc.consumes);
      const produces = strings(op.produces ?? doc.produces);
      const { response, examples } = swagger ? swaggerResponse(success, produces) : openApiResponse(success);
      operations.push({
        method,
        path,
        operationId: str(op.operationId),
        tags: strings(op.tags),
        summary: str(op.summary),
        description: str(op.description),
        deprecated: op.deprecated === true,
        parameters: params,
        body: swagger ? swaggerBody(rawBody, consumes) : openApiBody(op.requestBody),
        response,
        examples,
      });
    }
  }
  const tags = (Array.isArray(doc.tags) ? doc.tags : [])
    .filter(isObj)
    .filter((t) => typeof t.name === 'string')
    .map((t) => ({ name: String(t.name), description: str(t.description) }));
  return {
    title: str(info.title) ?? 'Imported API',
    description: str(info.description),
    version: typeof info.version === 'string' ? info.version : undefined,
    servers: servers(doc, swagger),
    security: securitySchemes(doc, swagger),
    tags,
    operations,
    schemaNames,
  };
}
