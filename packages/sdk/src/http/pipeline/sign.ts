/**
 * Sign (request signing, e.g. AWS SigV4): signs the final request of each attempt, after params,
 * `apply` and the body format; the signature's headers replace same-named ones. The redirect
 * step signs a hop to the same origin again with `resignFor`.
 */
import type { HttpEnv, HttpMethod } from '../types.js';
import type { Resign } from './redirect.js';
import { amend, type Step } from './types.js';

type Sign = NonNullable<HttpEnv['sign']>;

/** Headers a signature sets: dropped before signing again for a redirect hop. */
const SIGNATURE_HEADERS: ReadonlySet<string> = new Set([
  'authorization',
  'x-amz-date',
  'x-amz-content-sha256',
  'x-amz-security-token',
]);

export function sign(fn: Sign): Step {
  return (next) => async (request) =>
    next(
      amend(request, {
        headers: await signedHeaders(fn, request.method, new URL(request.url), request.headers, request.body.body),
      }),
    );
}

export function resignFor(fn: Sign): Resign {
  return (method, url, headers, body) => signedHeaders(fn, method, url, headers, body, true);
}

/**
 * The flat header list with the headers of `sign` added (replacing same-named ones). For a
 * redirect hop (`again`), the previous signature is removed first.
 */
async function signedHeaders(
  fn: Sign,
  method: HttpMethod,
  url: URL,
  flat: string[] | undefined,
  body: Parameters<Resign>[3],
  again = false,
): Promise<string[]> {
  const plain: Record<string, string> = {};
  const kept: string[] = [];
  if (flat) {
    for (let i = 0; i < flat.length; i += 2) {
      const lower = flat[i].toLowerCase();
      if (again && SIGNATURE_HEADERS.has(lower)) continue;
      plain[lower] = flat[i + 1];
      kept.push(flat[i], flat[i + 1]);
    }
  }
  const bytes = typeof body === 'string' || body instanceof Uint8Array ? body : undefined;
  const added = await fn({ method, url, headers: plain, body: bytes, streaming: body !== undefined && !bytes });
  const names = Object.keys(added);
  const replaced = new Set(names.map((n) => n.toLowerCase()));
  const out: string[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    if (!replaced.has(kept[i].toLowerCase())) out.push(kept[i], kept[i + 1]);
  }
  for (const name of names) out.push(name.toLowerCase(), String(added[name]));
  return out;
}
