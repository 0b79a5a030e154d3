/** The generated project's `request.ts`: the one helper every generated action sends through. */
export const REQUEST_SOURCE = `/**
 * How the actions send requests: path segments are encoded, parameters left empty are not sent,
 * and an empty answer (a 204) yields {}. Edit here to change every action at once (pagination,
 * rate-limit headers, error shapes).
 */
import type { ActionContext, HttpMethodName } from '@weft/sdk';

export interface RequestParts {
  query?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  cookies?: Record<string, unknown>;
  body?: unknown;
  /** How the body is sent: JSON (default), a form, multipart, or as given with \`contentType\`. */
  format?: 'json' | 'form' | 'multipart' | 'raw';
  contentType?: string;
  /** \`raw\`: the answer as text or bytes instead of parsed JSON. */
  response?: 'json' | 'raw';
}

/** One path parameter, encoded for the URL. */
export function segment(value: unknown): string {
  return encodeURIComponent(String(value));
}

function present(values: Record<string, unknown> | undefined): [string, unknown][] {
  return Object.entries(values ?? {}).filter(([, v]) => v !== undefined && v !== null && v !== '');
}

const text = (value: unknown) => (typeof value === 'object' ? JSON.stringify(value) : String(value));

export async function send(
  ctx: ActionContext,
  method: HttpMethodName,
  path: string,
  parts: RequestParts = {},
): Promise<unknown> {
  const request = ctx[method](path);
  const query = present(parts.query);
  if (query.length) request.params(Object.fromEntries(query));
  const headers: Record<string, string> = {};
  for (const [name, value] of present(parts.headers)) headers[name] = text(value);
  const cookies = present(parts.cookies).map(([name, value]) => \`\${name}=\${encodeURIComponent(text(value))}\`);
  if (cookies.length) headers.Cookie = cookies.join('; ');
  if (parts.body !== undefined && parts.format === 'raw') {
    if (parts.contentType) headers['Content-Type'] = parts.contentType;
    request.requestBody(typeof parts.body === 'string' ? parts.body : JSON.stringify(parts.body));
  } else if (parts.body !== undefined) {
    const body = parts.body;
    const isRecord = typeof body === 'object' && body !== null && !Array.isArray(body);
    request.payload(isRecord ? Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) : body);
    if (parts.format === 'form') request.requestFormatWwwFormUrlencoded();
    if (parts.format === 'multipart') request.requestFormatMultipart();
  }
  if (Object.keys(headers).length) request.headers(headers);
  if (parts.response === 'raw') request.responseFormatRaw();
  const answer = await request;
  return answer === undefined || answer === null || answer === '' ? {} : answer;
}
`;
