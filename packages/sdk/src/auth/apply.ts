/**
 * Runs the authorization's `apply` for one request and collects what it set. What it sets is a
 * secret when it carries one (a known secret value inside it) or when its name says so (a
 * credential header such as `Authorization` or `X-Api-Key`, a `token`/`key` parameter); a
 * constant such as `Content-Type: text/xml` is not. Secrets go to the redactor before any
 * request leaves.
 */
import { isWeftError, messageOf, WeftError } from '../errors.js';
import type { AppliedAuth, AppliedFormats } from '../http/types.js';
import { type Redactor, SECRET_HEADER_PATTERN, SECRET_NAME_PATTERN } from '../redact.js';
import type { ApplyContext, Authorization, ConnectorContext, MultiAuthorization } from '../types.js';

export type SingleAuthorization = Exclude<Authorization, MultiAuthorization>;

/** The authorization in force: for `multi`, the option that `selected` names. */
export function selectAuthorization(
  authorization: Authorization | undefined,
  ctx: ConnectorContext,
): SingleAuthorization | undefined {
  if (!authorization) return undefined;
  if (authorization.type !== 'multi') return authorization;
  const multi = authorization as MultiAuthorization;
  const name = multi.selected(ctx);
  const option = multi.options?.[name];
  if (!option) {
    const valid = Object.keys(multi.options ?? {}).join(', ');
    throw new WeftError(
      'DEFINITION_INVALID',
      `connection.authorization.selected returned "${name}", which is not one of its options (${valid})`,
    );
  }
  return option;
}

export async function applyAuthorization(
  authorization: SingleAuthorization | undefined,
  connection: Record<string, unknown>,
  redactor: Redactor,
): Promise<AppliedAuth | undefined> {
  if (!authorization || authorization.type === 'none') return undefined;
  const applied: AppliedAuth = { headers: {}, params: {}, payload: {} };
  const ctx: ApplyContext = {
    connection,
    accessToken: typeof connection.access_token === 'string' ? connection.access_token : undefined,
    headers(headers) {
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined || v === null) continue;
        applied.headers[k.toLowerCase()] = String(v);
        if (!SECRET_HEADER_PATTERN.test(k) && !carriesSecret(redactor, v)) continue;
        redactor.add(String(v));
        // A bearer-style value also hides its token part.
        const token = /^\S+\s+(\S{4,})$/.exec(String(v));
        if (token) redactor.add(token[1]);
      }
    },
    params(params) {
      for (const [k, v] of Object.entries(params)) {
        applied.params[k] = v;
        addSecrets(redactor, k, v);
      }
    },
    payload(payload) {
      for (const [k, v] of Object.entries(payload)) {
        applied.payload[k] = v;
        addSecrets(redactor, k, v);
      }
    },
    user(name) {
      applied.user = name;
    },
    password(secret) {
      applied.password = secret;
      redactor.add(secret);
    },
    // Formats are not secrets: they only say how bodies are written and read.
    requestFormatJson: () => setRequest({ format: 'json' }),
    requestFormatXml: (root, namespaces) => setRequest({ format: 'xml', root, namespaces }),
    requestFormatWwwFormUrlencoded: () => setRequest({ format: 'form' }),
    responseFormatJson: () => setResponse({ format: 'json' }),
    responseFormatXml: (xml) => setResponse({ format: 'xml', xml }),
    responseFormatRaw: (raw) => setResponse({ format: 'raw', raw }),
    formatXml(root, namespaces, xml) {
      setRequest({ format: 'xml', root, namespaces });
      setResponse({ format: 'xml', xml });
    },
    formatJson() {
      setRequest({ format: 'json' });
      setResponse({ format: 'json' });
    },
  };
  function setRequest(request: AppliedFormats['request']) {
    if (request?.format === 'xml' && (typeof request.root !== 'string' || request.root === '')) {
      throw new WeftError(
        'DEFINITION_INVALID',
        'connection.authorization.apply: requestFormatXml needs a root element name',
      );
    }
    applied.formats = { ...applied.formats, request };
  }
  function setResponse(response: AppliedFormats['response']) {
    applied.formats = { ...applied.formats, response };
  }

  if (typeof authorization.apply === 'function') {
    try {
      await authorization.apply(ctx);
    } catch (error) {
      if (isWeftError(error)) throw error;
      throw new WeftError(
        'LAMBDA_FAILED',
        `connection.authorization.apply failed: ${redactor.redact(messageOf(error))}`,
        {
          cause: error,
        },
      );
    }
  } else if (authorization.type === 'basic_auth') {
    ctx.user(String(connection.username ?? connection.user ?? ''));
    ctx.password(String(connection.password ?? ''));
  } else if (authorization.type === 'oauth2' && ctx.accessToken) {
    ctx.headers({ Authorization: `Bearer ${ctx.accessToken}` });
  }
  if (applied.user !== undefined || applied.password !== undefined) {
    redactor.addBasic(applied.user ?? '', applied.password ?? '');
  }
  return applied;
}

/** Whether a value contains a secret the redactor already knows (it was built from one). */
function carriesSecret(redactor: Redactor, value: unknown): boolean {
  const text = String(value);
  return redactor.redact(text) !== text;
}

/** Adds the secret leaves of a parameter or payload value (nested objects for XML/SOAP headers). */
function addSecrets(redactor: Redactor, name: string, value: unknown, underSecret = false): void {
  const secretName = underSecret || SECRET_NAME_PATTERN.test(name);
  if (Array.isArray(value)) for (const v of value) addSecrets(redactor, name, v, secretName);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) addSecrets(redactor, k, v, secretName);
  } else if (typeof value === 'string' || typeof value === 'number') {
    if (secretName || carriesSecret(redactor, value)) redactor.add(value);
  }
}
