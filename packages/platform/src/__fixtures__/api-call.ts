/**
 * Test helper: calls the API of a running server with its admin token, answering
 * `{ status, body }` (the body parsed when there is one). Takes a getter because tests replace
 * their server between cases. A string body is sent as it is (to send malformed JSON);
 * `onText` sees every response text (to search them all for secrets).
 */
import type { RunningServer } from '../serve.js';

/** What the API answers on an error (SPEC §10): a code, a message, and where it applies. */
export interface ErrorBody {
  error: { code: string; message: string; path?: string };
}

export type ApiCall = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export function apiCaller(server: () => RunningServer, onText?: (text: string) => void): ApiCall {
  return async (method, path, body) => {
    const res = await fetch(`${server().url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${server().token.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    onText?.(text);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}
