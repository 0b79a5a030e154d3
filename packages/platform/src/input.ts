/**
 * Checks of input values (request bodies, query strings). Problems are `INVALID_REQUEST`
 * errors whose `path` names the bad value from the input's root (`values.port`, `steps[1].action`).
 */
import { InvalidError } from './errors.js';
import { checkName } from './names.js';
import type { PageRequest } from './store/store.js';

export type Json = Record<string, unknown>;

export function invalid(path: string | undefined, message: string): InvalidError {
  return new InvalidError('INVALID_REQUEST', path ? `${path}: ${message}` : message, path);
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/** The body as an object, or `INVALID_REQUEST`. */
export function objectBody(body: unknown): Json {
  if (body === undefined || body === null) throw invalid(undefined, 'Send a JSON object as the request body');
  if (!isObject(body)) throw invalid(undefined, `The request body must be a JSON object, not ${describeValue(body)}`);
  return body;
}

/** Rejects keys the route does not know (typos are errors, not silently ignored). */
export function onlyKeys(obj: Json, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw invalid(`${prefix}${key}`, `unknown key; expected ${allowed.map((k) => `"${k}"`).join(', ')}`);
    }
  }
}

export function stringAt(
  obj: Json,
  key: string,
  options: { optional?: boolean; path?: string } = {},
): string | undefined {
  const path = options.path ?? key;
  const value = obj[key];
  if (value === undefined || value === null) {
    if (options.optional) return undefined;
    throw invalid(path, 'is required');
  }
  if (typeof value !== 'string') throw invalid(path, `must be a string, not ${describeValue(value)}`);
  if (value.trim() === '') throw invalid(path, 'must not be empty');
  return value;
}

/** Names that appear in URLs (names.ts): letters, digits, `.`, `_`, `-`, at most 100 characters. */
export function nameAt(obj: Json, key: string): string {
  return checkName(stringAt(obj, key)!, 'identifier', key);
}

/** `?limit=&cursor=`: limit 1..1000, default 50. */
export function pageQuery(query: unknown): PageRequest {
  const q = isObject(query) ? query : {};
  let limit = 50;
  if (q.limit !== undefined) {
    const text = String(q.limit);
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
      throw invalid('limit', 'must be an integer from 1 to 1000');
    }
    limit = Number(text);
  }
  const cursor = q.cursor === undefined || q.cursor === '' ? undefined : String(q.cursor);
  return { limit, cursor };
}
