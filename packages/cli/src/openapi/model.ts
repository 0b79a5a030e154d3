/**
 * What the importer reads from a spec, the same for Swagger 2.0 and OpenAPI 3.x: operations with
 * their parameters, body and 2xx response, the servers and the security schemes. Schemas stay
 * the parser's dereferenced JSON Schema objects.
 */

/** A dereferenced JSON Schema object (references already replaced by their targets). */
export type Schema = Readonly<Record<string, unknown>>;

export type ParameterLocation = 'path' | 'query' | 'header' | 'cookie';
export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete' | 'options' | 'head';
export const HTTP_METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head'];

export interface ApiParameter {
  name: string;
  in: ParameterLocation;
  required: boolean;
  description?: string;
  schema: Schema;
}

/** How a request body is encoded: JSON, a form, multipart, or sent as given (`raw`). */
export type BodyFormat = 'json' | 'form' | 'multipart' | 'raw';

export interface ApiBody {
  format: BodyFormat;
  contentType: string;
  required: boolean;
  description?: string;
  schema: Schema;
}

/** The 2xx answer: JSON with a schema, something else (text, bytes), or nothing. */
export type ApiResponse = { kind: 'json'; schema: Schema } | { kind: 'raw'; contentType: string } | { kind: 'none' };

export interface ApiOperation {
  method: HttpMethod;
  path: string;
  operationId?: string;
  tags: string[];
  summary?: string;
  description?: string;
  deprecated: boolean;
  parameters: ApiParameter[];
  body?: ApiBody;
  response: ApiResponse;
  /** Example bodies of the 2xx response, by media type (for tests and replays). */
  examples: unknown[];
}

export interface ServerVariable {
  name: string;
  default: string;
  enum?: string[];
  description?: string;
}

export interface ApiServer {
  url: string;
  description?: string;
  variables: ServerVariable[];
}

export type OAuth2Grant = 'authorization_code' | 'client_credentials' | 'password' | 'implicit';

export interface OAuth2Flow {
  grant: OAuth2Grant;
  authorizationUrl?: string;
  tokenUrl?: string;
  scopes: string[];
}

export type SecurityScheme =
  | { name: string; kind: 'apiKey'; in: 'header' | 'query' | 'cookie'; parameter: string; description?: string }
  | { name: string; kind: 'basic'; description?: string }
  | { name: string; kind: 'bearer'; description?: string }
  | { name: string; kind: 'oauth2'; flows: OAuth2Flow[]; description?: string }
  | { name: string; kind: 'unsupported'; type: string; description?: string };

export interface ApiModel {
  title: string;
  description?: string;
  version?: string;
  servers: ApiServer[];
  security: SecurityScheme[];
  tags: { name: string; description?: string }[];
  operations: ApiOperation[];
  /** Named schemas (`#/components/schemas/x`, `#/definitions/x`) by object identity. */
  schemaNames: ReadonlyMap<object, string>;
}
