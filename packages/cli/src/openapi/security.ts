/** Servers (with their variables) and security schemes of Swagger 2.0 and OpenAPI 3.x documents. */
import type { ApiServer, OAuth2Flow, OAuth2Grant, SecurityScheme } from './model.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

export function servers(doc: Obj, swagger: boolean): ApiServer[] {
  if (swagger) {
    const host = str(doc.host);
    const basePath = str(doc.basePath) ?? '';
    const schemes = Array.isArray(doc.schemes) ? doc.schemes.map(String) : [];
    const scheme = schemes.includes('https') ? 'https' : (schemes[0] ?? 'https');
    const url = host ? `${scheme}://${host}${basePath}` : basePath;
    return url ? [{ url, variables: [] }] : [];
  }
  const list = Array.isArray(doc.servers) ? doc.servers.filter(isObj) : [];
  return list
    .filter((s) => typeof s.url === 'string')
    .map((s) => ({
      url: String(s.url),
      description: str(s.description),
      variables: Object.entries(isObj(s.variables) ? s.variables : {})
        .filter(([, v]) => isObj(v))
        .map(([name, v]) => {
          const variable = v as Obj;
          const values = Array.isArray(variable.enum) ? variable.enum.map(String) : undefined;
          return {
            name,
            default: variable.default === undefined ? (values?.[0] ?? '') : String(variable.default),
            enum: values?.length ? values : undefined,
            description: str(variable.description),
          };
        }),
    }));
}

const SWAGGER_GRANTS: Record<string, OAuth2Grant> = {
  accessCode: 'authorization_code',
  application: 'client_credentials',
  password: 'password',
  implicit: 'implicit',
};
const OPENAPI_GRANTS: Record<string, OAuth2Grant> = {
  authorizationCode: 'authorization_code',
  clientCredentials: 'client_credentials',
  password: 'password',
  implicit: 'implicit',
};

function flow(grant: OAuth2Grant, raw: Obj): OAuth2Flow {
  return {
    grant,
    authorizationUrl: str(raw.authorizationUrl),
    tokenUrl: str(raw.tokenUrl),
    scopes: Object.keys(isObj(raw.scopes) ? raw.scopes : {}),
  };
}

function scheme(name: string, raw: Obj, swagger: boolean): SecurityScheme {
  const description = str(raw.description);
  const type = String(raw.type ?? '');
  if (type === 'apiKey') {
    const where = raw.in === 'query' || raw.in === 'cookie' ? raw.in : 'header';
    return { name, kind: 'apiKey', in: where, parameter: str(raw.name) ?? 'X-Api-Key', description };
  }
  if (type === 'basic') return { name, kind: 'basic', description };
  if (type === 'http') {
    const httpScheme = String(raw.scheme ?? '').toLowerCase();
    if (httpScheme === 'basic') return { name, kind: 'basic', description };
    if (httpScheme === 'bearer') return { name, kind: 'bearer', description };
    return { name, kind: 'unsupported', type: `http ${httpScheme}`, description };
  }
  if (type === 'openIdConnect') return { name, kind: 'bearer', description };
  if (type === 'oauth2') {
    const flows: OAuth2Flow[] = [];
    if (swagger) {
      const grant = SWAGGER_GRANTS[String(raw.flow)];
      if (grant) flows.push(flow(grant, raw));
    } else if (isObj(raw.flows)) {
      for (const [key, value] of Object.entries(raw.flows)) {
        const grant = OPENAPI_GRANTS[key];
        if (grant && isObj(value)) flows.push(flow(grant, value));
      }
    }
    return { name, kind: 'oauth2', flows, description };
  }
  return { name, kind: 'unsupported', type: type || 'unknown', description };
}

export function securitySchemes(doc: Obj, swagger: boolean): SecurityScheme[] {
  const components = isObj(doc.components) ? doc.components : {};
  const table = swagger ? doc.securityDefinitions : components.securitySchemes;
  return Object.entries(isObj(table) ? table : {})
    .filter(([, v]) => isObj(v))
    .map(([name, v]) => scheme(name, v as Obj, swagger));
}
