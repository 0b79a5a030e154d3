/**
 * Security schemes and servers → the connection: its fields, its authorization (API key in a
 * header, query or cookie; HTTP basic; bearer token; OAuth 2.0 authorization code, client
 * credentials or password) and `baseUri` from the first server, with its variables as fields.
 * Several usable schemes become a `multi` authorization the user chooses from.
 */
import { type Code, code, type Printable, type PrintableObject, quote } from './emit.js';
import type { ApiServer, SecurityScheme } from './model.js';
import { brief, NameSet, snake } from './names.js';

export interface ConnectionPlan {
  fields: PrintableObject[];
  authorization: Printable;
  baseUri: Code;
  /** Lines of settings.yaml.example. */
  settings: string[];
  /** Schemes left out, for the README. */
  skipped: string[];
}

interface Option {
  key: string;
  label: string;
  fields: PrintableObject[];
  authorization: PrintableObject;
  settings: string[];
}

const access = (name: string) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? `ctx.connection.${name}` : `ctx.connection[${quote(name)}]`;

function option(scheme: SecurityScheme, fieldName: (wanted: string) => string): Option | undefined {
  const hint = brief(scheme.description);
  const key = snake(scheme.name);
  switch (scheme.kind) {
    case 'apiKey': {
      const f = fieldName('api_key');
      const value = access(f);
      const apply =
        scheme.in === 'query'
          ? `(ctx) => {\n  ctx.params({ ${quote(scheme.parameter)}: ${value} });\n}`
          : scheme.in === 'cookie'
            ? `(ctx) => {\n  ctx.headers({ Cookie: \`${scheme.parameter}=\${encodeURIComponent(${value})}\` });\n}`
            : `(ctx) => {\n  ctx.headers({ ${quote(scheme.parameter)}: ${value} });\n}`;
      return {
        key,
        label: `API key (${scheme.in} ${scheme.parameter})`,
        fields: [{ name: f, label: 'API key', controlType: 'password', hint }],
        authorization: { type: 'api_key', apply: code(apply) },
        settings: [`${f}: your-api-key`],
      };
    }
    case 'basic': {
      const user = fieldName('username');
      const password = fieldName('password');
      const custom = user !== 'username' || password !== 'password';
      return {
        key,
        label: 'Username and password',
        fields: [
          { name: user, hint },
          { name: password, controlType: 'password' },
        ],
        authorization: custom
          ? {
              type: 'basic_auth',
              apply: code(`(ctx) => {\n  ctx.user(${access(user)});\n  ctx.password(${access(password)});\n}`),
            }
          : { type: 'basic_auth' },
        settings: [`${user}: your-username`, `${password}: your-password`],
      };
    }
    case 'bearer': {
      const f = fieldName('token');
      return {
        key,
        label: 'Bearer token',
        fields: [{ name: f, label: 'Access token', controlType: 'password', hint }],
        authorization: {
          type: 'api_key',
          apply: code(`(ctx) => {\n  ctx.headers({ Authorization: \`Bearer \${${access(f)}}\` });\n}`),
        },
        settings: [`${f}: your-access-token`],
      };
    }
    case 'oauth2': {
      const order = ['authorization_code', 'client_credentials', 'password'] as const;
      const flow = order.map((g) => scheme.flows.find((f) => f.grant === g && f.tokenUrl)).find(Boolean);
      if (!flow) {
        // Implicit only (or no token URL): the user pastes a token obtained elsewhere.
        return option({ name: scheme.name, kind: 'bearer', description: scheme.description }, fieldName);
      }
      const clientId = fieldName('client_id');
      const clientSecret = fieldName('client_secret');
      const fields: PrintableObject[] = [
        { name: clientId, label: 'Client ID', hint },
        { name: clientSecret, label: 'Client secret', controlType: 'password', optional: true },
      ];
      const settings = [`${clientId}: your-client-id`, `${clientSecret}: your-client-secret`];
      // Weft reads `client_id` and `client_secret` by itself; fields named otherwise are passed on.
      const renamed = clientId !== 'client_id';
      if (flow.grant === 'password') {
        fields.push({ name: fieldName('username') }, { name: fieldName('password'), controlType: 'password' });
        settings.push('username: your-username', 'password: your-password');
      }
      const scopes = flow.scopes.join(' ');
      return {
        key,
        label: `OAuth 2.0 (${flow.grant.replace('_', ' ')})`,
        fields,
        authorization: {
          type: 'oauth2',
          grantType: flow.grant === 'authorization_code' ? undefined : flow.grant,
          authorizationUrl: flow.grant === 'authorization_code' ? flow.authorizationUrl : undefined,
          tokenUrl: flow.tokenUrl,
          scope: scopes && scopes.length <= 400 ? scopes : undefined,
          clientId: renamed ? code(`(ctx) => ${access(clientId)}`) : undefined,
          clientSecret: renamed ? code(`(ctx) => ${access(clientSecret)}`) : undefined,
        },
        settings,
      };
    }
    default:
      return undefined;
  }
}

function baseUri(server: ApiServer | undefined): { fields: PrintableObject[]; uri: Code; settings: string[] } {
  const absolute = server && /^https?:\/\//i.test(server.url);
  if (!server || !absolute) {
    const hint = server ? `The API root, ending in ${server.url}` : 'The API root, e.g. https://api.example.com/v1';
    return {
      fields: [{ name: 'base_url', label: 'Base URL', controlType: 'url', hint }],
      uri: code('(ctx) => ctx.connection.base_url'),
      settings: [`base_url: https://api.example.com${server?.url.startsWith('/') ? server.url : '/'}`],
    };
  }
  const variables = server.variables.filter((v) => server.url.includes(`{${v.name}}`));
  const fields: PrintableObject[] = variables.map((v) => ({
    name: snake(v.name),
    optional: true,
    hint: brief(v.description) ?? `Default: ${v.default}`,
    options: v.enum?.map((value) => [value, value]),
    controlType: v.enum ? 'select' : undefined,
  }));
  let template = server.url.replace(/[`\\]/g, '\\$&').replace(/\$\{/g, '\\${');
  for (const v of variables) {
    template = template.replaceAll(`{${v.name}}`, `\${${access(snake(v.name))} || ${quote(v.default)}}`);
  }
  const fallback = variables.length ? `\`${template}\`` : quote(server.url);
  const example = variables.reduce((url, v) => url.replaceAll(`{${v.name}}`, v.default), server.url);
  return {
    fields: [
      ...fields,
      { name: 'base_url', label: 'Base URL', controlType: 'url', optional: true, hint: `Default: ${example}` },
    ],
    uri: code(`(ctx) => ctx.connection.base_url || ${fallback}`),
    settings: [`# base_url: ${example}`],
  };
}

export function planConnection(schemes: SecurityScheme[], servers: ApiServer[]): ConnectionPlan {
  const names = new NameSet();
  const taken = new Set<string>();
  const options: Option[] = [];
  const skipped: string[] = [];
  for (const scheme of schemes) {
    const used: string[] = [];
    const fieldName = (wanted: string) => {
      const name = taken.has(wanted) ? `${snake(scheme.name)}_${wanted}` : wanted;
      used.push(name);
      return name;
    };
    const made = option(scheme, fieldName);
    if (!made) {
      skipped.push(`${scheme.name} (${scheme.kind === 'unsupported' ? scheme.type : scheme.kind})`);
      continue;
    }
    for (const n of used) taken.add(n);
    options.push({ ...made, key: names.claim(made.key) });
  }
  const base = baseUri(servers[0]);
  if (!options.length) {
    return {
      fields: base.fields,
      authorization: { type: 'none' },
      baseUri: base.uri,
      settings: base.settings,
      skipped,
    };
  }
  if (options.length === 1) {
    const [only] = options;
    return {
      fields: [...base.fields, ...only.fields],
      authorization: only.authorization,
      baseUri: base.uri,
      settings: [...base.settings, ...only.settings],
      skipped,
    };
  }
  const chooser: PrintableObject = {
    name: 'auth_type',
    label: 'Authentication',
    controlType: 'select',
    options: options.map((o) => [o.label, o.key]),
    extendsSchema: true,
  };
  const fields = options.flatMap((o) =>
    o.fields.map((f) => ({ ...f, optional: true, ngIf: `connection.auth_type == "${o.key}"` })),
  );
  return {
    fields: [...base.fields, chooser, ...fields],
    authorization: {
      type: 'multi',
      selected: code('(ctx) => ctx.connection.auth_type'),
      options: Object.fromEntries(options.map((o) => [o.key, o.authorization])),
    },
    baseUri: base.uri,
    settings: [...base.settings, `auth_type: ${options[0].key}`, ...options[0].settings],
    skipped,
  };
}
