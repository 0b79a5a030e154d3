/** What the http built-in's action and trigger share: connection values, paths, the target URL. */
import type { ConnectorContext } from '@weft/sdk';

/** A value of the connection as a trimmed string, or undefined when blank. */
export function text(connection: Record<string, any>, name: string): string | undefined {
  const value = connection[name];
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

/** Reads `path` (`data.items`, `items[0].id`; empty: the value itself) in `value`. */
export function valueAt(value: unknown, path: string | undefined): unknown {
  const steps = (path ?? '').match(/[^.[\]]+/g) ?? [];
  let current = value;
  for (const step of steps) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * The URL to send to. A relative URL needs the connection's base URL; an absolute URL on
 * another origin than the base URL is refused when the connection carries credentials, so that
 * a step cannot send them to a host the connection was not made for.
 */
export function targetOf(ctx: Pick<ConnectorContext, 'connection' | 'error'>, url: unknown): string {
  const raw = typeof url === 'string' ? url.trim() : '';
  if (!raw) ctx.error('url is required');
  const base = text(ctx.connection, 'base_url');
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  if (!absolute && !base) {
    ctx.error(`url "${raw}" is relative and the connection has no base URL: give an absolute URL (https://...)`);
  }
  const authType = text(ctx.connection, 'auth_type') ?? 'none';
  if (absolute && base && authType !== 'none' && new URL(raw).origin !== new URL(base).origin) {
    ctx.error(
      `url ${new URL(raw).origin} is not on the connection's base URL (${new URL(base).origin}): ` +
        "the connection's credentials are sent only there. Use a path, or a connection for that host",
    );
  }
  return raw;
}

/** URL, query and headers: the fields of a request, in the action and the trigger. */
export const requestFields = [
  {
    name: 'url',
    label: 'URL',
    hint: "An absolute URL (https://api.example.com/items), or a path under the connection's base URL (items/42)",
  },
  { name: 'query', label: 'Query parameters', type: 'object', controlType: 'key_value', optional: true },
  { name: 'headers', type: 'object', controlType: 'key_value', optional: true },
] as const;
