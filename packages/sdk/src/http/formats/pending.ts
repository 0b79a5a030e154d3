/**
 * A Promise in a request body is a forgotten `await`: JSON.stringify would send it as `{}` and
 * the API would answer something puzzling. It fails before sending, naming the field.
 */
import { WeftError } from '../../errors.js';

const isThenable = (value: unknown): boolean =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

function findPending(value: unknown, path: string, seen: Set<object>, depth: number): string | undefined {
  if (isThenable(value)) return path;
  if (!value || typeof value !== 'object' || seen.has(value) || depth > 64) return undefined;
  if (
    !Array.isArray(value) &&
    Object.getPrototypeOf(value) !== Object.prototype &&
    Object.getPrototypeOf(value) !== null
  )
    return undefined; // bytes, streams, dates: not walked
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const found = findPending(item, at, seen, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

export function assertNoPromise(payload: unknown): void {
  const path = findPending(payload, '', new Set(), 0);
  if (path === undefined) return;
  const what = path ? `field ${path}` : 'payload itself';
  throw new WeftError(
    'REQUEST_INVALID',
    `The request body's ${what} is a Promise: a value was not awaited. Add \`await\` before the call that produces it.`,
  );
}
