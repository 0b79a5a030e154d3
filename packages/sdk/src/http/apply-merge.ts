/**
 * How what `apply` set combines with a request's own settings (docs/http.md): the request
 * wins. Payloads merge deeply — plain objects key by key, anything else (arrays, strings,
 * numbers) is replaced by the request's value — so `apply` can put a SOAP header into the same
 * envelope as the request's body. Formats chosen by `apply` hold for requests that choose none.
 */
import { isPlainObject } from '../schema/values.js';
import type { AppliedAuth, RequestFormat } from './types.js';

/** `apply`'s payload under the request's own: objects merge, the request's values win. */
export function mergePayload(applied: Record<string, unknown>, own: unknown): unknown {
  if (own === undefined || own === null) return applied;
  if (!isPlainObject(own)) return own;
  return deepMerge(applied, own);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return out;
}

/** The request format in force: the request's own, else the one `apply` chose. */
export function requestFormatOf(
  own: { format: RequestFormat | undefined; root: string; namespaces: Record<string, string> | undefined },
  auth: AppliedAuth | undefined,
): { format: RequestFormat | undefined; root: string; namespaces: Record<string, string> | undefined } {
  const applied = auth?.formats?.request;
  if (own.format !== undefined || !applied) return own;
  return { format: applied.format, root: applied.root ?? '', namespaces: applied.namespaces };
}
