/**
 * The Weft API as the CLI sees it (`weft push`, `weft recipes`, `weft jobs`): where the server
 * is (`--server`, `WEFT_URL`, default http://127.0.0.1:4000), the admin token (`--token`,
 * `WEFT_TOKEN`, `WEFT_ADMIN_TOKEN`, else `$WEFT_HOME/admin.token`), and one error per failure.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { messageOf, UsageError } from '@weft/sdk';
import type { PushFlags } from './flags.js';

export const DEFAULT_SERVER = 'http://127.0.0.1:4000';

/** Where the server is and the token to use: the `--server` and `--token` flags. */
export type ApiFlags = Pick<PushFlags, 'server' | 'token'>;

/** An answer of the API that is not a success, or no answer at all. */
export class ApiCallError extends Error {
  constructor(
    /** The API's error code (`RECIPE_NOT_FOUND`), or `WEFT_UNREACHABLE` / `WEFT_BAD_ANSWER`. */
    readonly code: string,
    message: string,
    readonly status?: number,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

export function serverUrl(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): string {
  const given = flags.server ?? (env.WEFT_URL?.trim() || DEFAULT_SERVER);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--server must be the URL of a Weft server, such as ${DEFAULT_SERVER}; got "${given}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--server must be an http(s) URL, such as ${DEFAULT_SERVER}; got "${given}"`);
  }
  return given.replace(/\/+$/, '');
}

export async function apiToken(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const given = flags.token ?? (env.WEFT_TOKEN?.trim() || env.WEFT_ADMIN_TOKEN?.trim());
  if (given) return given;
  const file = join(resolve(env.WEFT_HOME || '.weft'), 'admin.token');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(
      `No API token: pass --token or set WEFT_TOKEN (the admin token of the server), or run where ` +
        `WEFT_HOME holds it (${file} does not exist)`,
    );
  }
  const token = text.trim();
  if (!token) throw new UsageError(`${file} is empty: pass --token or set WEFT_TOKEN`);
  return token;
}

/**
 * The API's message; for a bad request, with the path of the bad value when the message does
 * not start with it (other errors' paths name URL parts, which the message already shows).
 */
function apiMessage(error: { code?: unknown; message?: unknown; path?: unknown }, status: number): string {
  const message = typeof error.message === 'string' ? error.message : `HTTP ${status}`;
  const path = status === 400 && typeof error.path === 'string' && error.path ? error.path : undefined;
  return path && !message.startsWith(path) ? `${message} (at ${path})` : message;
}

export class ApiClient {
  constructor(
    readonly server: string,
    private readonly token: string,
  ) {}

  static async from(flags: ApiFlags, env: NodeJS.ProcessEnv = process.env): Promise<ApiClient> {
    const server = serverUrl(flags, env);
    return new ApiClient(server, await apiToken(flags, env));
  }

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.server}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause;
      const why = cause?.code && cause.code !== 'ECONNREFUSED' ? ` (${cause.code})` : '';
      throw new ApiCallError(
        'WEFT_UNREACHABLE',
        `Cannot reach Weft at ${this.server}${why}: is \`weft serve\` running?`,
      );
    }
    const text = await res.text();
    let answer: any;
    try {
      answer = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiCallError(
        'WEFT_BAD_ANSWER',
        `${this.server} answered HTTP ${res.status} with something that is not JSON: is it a Weft server?`,
        res.status,
      );
    }
    if (!res.ok) {
      const error = answer?.error;
      if (!error || typeof error !== 'object') {
        throw new ApiCallError('WEFT_BAD_ANSWER', `${this.server} answered HTTP ${res.status}`, res.status);
      }
      const message =
        res.status === 401
          ? `The server refused the token (${messageOf(error.message ?? 'unauthorized')}): pass the admin token of ${this.server} with --token or WEFT_TOKEN`
          : apiMessage(error, res.status);
      throw new ApiCallError(String(error.code ?? 'API_ERROR'), message, res.status, error.path);
    }
    return answer as T;
  }

  get<T = any>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }
}
