/**
 * Request headers. `.headers()` names are case-insensitive and sent lower-cased; names given to
 * `.caseSensitiveHeaders()` are sent exactly as spelled. Either way a later header replaces an
 * earlier one whose name differs only in case.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** lower-cased name → [name as sent, value] */
export type HeaderMap = Map<string, [string, string]>;

export function setHeaders(map: HeaderMap, headers: Record<string, unknown>, caseSensitive: boolean): void {
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    const lower = name.toLowerCase();
    if (value === undefined || value === null) map.delete(lower);
    else map.set(lower, [caseSensitive ? name : lower, String(value)]);
  }
}

/** Sets a header only if no header of that name (any case) is present. */
export function setDefaultHeader(map: HeaderMap, lower: string, value: string): void {
  if (!map.has(lower)) map.set(lower, [lower, value]);
}

/** The flat `[name, value, ...]` list undici sends with names as given. */
export function toFlatHeaders(map: HeaderMap): string[] {
  const flat: string[] = [];
  for (const [name, value] of map.values()) flat.push(name, value);
  return flat;
}

/** Response headers as a plain object with lower-cased names; repeated headers joined by ", ". */
export function plainHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function headerValue(headers: IncomingHttpHeaders, lower: string): string | undefined {
  const value = headers[lower];
  return Array.isArray(value) ? value.join(', ') : value;
}
