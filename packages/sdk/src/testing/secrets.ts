/**
 * Secret filtering for cassettes. Secret values are replaced by named placeholders
 * (`<<SECRET:api_key>>`) before anything is written, and placeholders in a cassette are put back
 * (from the current connection) before a replayed response reaches the connector.
 */
import { isLearnedKey } from '../auth/learned.js';
import { SECRET_HEADER_PATTERN, SECRET_NAME_PATTERN } from '../redact.js';
import { secretPattern } from '../redact-forms.js';
import type { ConnectorDefinition } from '../types.js';

/** Connection keys whose values are secret whatever the field list says (as the executor's list). */
const SECRET_CONNECTION_KEYS =
  /^(password|passphrase|secret|client_secret|access_token|refresh_token|id_token|api_key|apikey|token|session_token|secret_access_key|private_key)$/i;

/** Words that make any connection key secret (narrower than parameter names: `auth_type` is not). */
const SECRET_KEY_WORDS = /(password|passphrase|secret|token|api[-_]?key|private[-_]?key)/i;

const MIN_SECRET_LENGTH = 4;
const PLACEHOLDER = /<<SECRET:([^<>]+)>>/g;

export const placeholder = (name: string) => `<<SECRET:${name}>>`;

export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && /^<<SECRET:[^<>]+>>$/.test(value);
}

/**
 * Connection keys that hold secrets: password-type fields, well-known secret names, and values
 * an earlier `acquire` or `refresh` stored (a session id, a server URL) under undeclared keys.
 */
export function secretConnectionKeys(definition: ConnectorDefinition, connection: Record<string, unknown>): string[] {
  const password = new Set(
    (definition.connection?.fields ?? []).filter((f) => f.controlType === 'password').map((f) => f.name),
  );
  return Object.keys(connection).filter(
    (key) =>
      password.has(key) ||
      SECRET_CONNECTION_KEYS.test(key) ||
      SECRET_KEY_WORDS.test(key) ||
      isLearnedKey(definition, key),
  );
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Known secret values, each with the name its placeholder carries. */
export class SecretBook {
  private readonly names = new Map<string, string>();
  private pattern: RegExp | undefined;
  private ordered: string[] = [];

  /** Remembers a secret value under a name (the connection key, a header or a parameter). */
  add(name: string, value: unknown): void {
    if (typeof value === 'number') value = String(value);
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH || isPlaceholder(value)) return;
    if (this.names.has(value)) return;
    this.names.set(value, name);
    // The forms a secret takes on the wire and inside JSON text.
    for (const form of [encodeURIComponent(value), JSON.stringify(value).slice(1, -1), xmlEscape(value)]) {
      if (form !== value && !this.names.has(form)) this.names.set(form, name);
    }
    this.pattern = undefined;
  }

  /** Adds the secret values of a connection, named after their keys. */
  addConnection(definition: ConnectorDefinition, connection: Record<string, unknown>): void {
    for (const key of secretConnectionKeys(definition, connection)) this.add(key, connection[key]);
  }

  get size(): number {
    return this.names.size;
  }

  values(): string[] {
    return [...this.names.keys()];
  }

  /** Replaces every known secret value, in any of its encoded forms, by its placeholder. */
  filter(text: string): string {
    if (!text || this.names.size === 0) return text;
    if (!this.pattern) {
      // One capturing group per secret (the forms inside use none): the group that matched names it.
      this.ordered = [...this.names.keys()].sort((a, b) => b.length - a.length);
      this.pattern = new RegExp(this.ordered.map((v) => `(${secretPattern(v)})`).join('|'), 'g');
    }
    const ordered = this.ordered;
    return text.replace(this.pattern, (...groups: unknown[]) => {
      const index = groups.findIndex((g, i) => i > 0 && i <= ordered.length && g !== undefined);
      return placeholder(this.names.get(ordered[index - 1])!);
    });
  }

  /** Filters header values: known secrets, then every header whose name says it is secret. */
  filterHeaders(headers: Record<string, string | string[]>): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      const one = (v: string) => {
        const filtered = this.filter(v);
        if (!SECRET_HEADER_PATTERN.test(name) || filtered.includes('<<SECRET:')) return filtered;
        // `Bearer xyz` keeps its scheme; anything else is replaced whole.
        const scheme = /^(Bearer|Basic|Token|Digest|AWS4-HMAC-SHA256)\s+/i.exec(filtered);
        return `${scheme ? scheme[0] : ''}${placeholder(`header:${name}`)}`;
      };
      out[name] = Array.isArray(value) ? value.map(one) : one(value);
    }
    return out;
  }

  /** Filters a URL: known secrets, then the values of query parameters whose names say they are secret. */
  filterUrl(url: string): string {
    const filtered = this.filter(url);
    const q = filtered.indexOf('?');
    if (q < 0) return filtered;
    const hash = filtered.indexOf('#', q);
    const query = filtered.slice(q + 1, hash < 0 ? undefined : hash);
    const pairs = query.split('&').map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0) return pair;
      const key = pair.slice(0, eq);
      let name = key;
      try {
        name = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {}
      const value = pair.slice(eq + 1);
      if (!SECRET_NAME_PATTERN.test(name) || value.includes('<<SECRET:') || value === '') return pair;
      return `${key}=${placeholder(name)}`;
    });
    return `${filtered.slice(0, q + 1)}${pairs.join('&')}${hash < 0 ? '' : filtered.slice(hash)}`;
  }
}

/**
 * Puts secret values back: `<<SECRET:key>>` becomes `values[key]` when known (else it stays).
 * `restored` hears each value put back (a replay keeps filtering it out of later requests).
 */
export function restoreSecrets(
  text: string,
  values: Record<string, unknown>,
  restored?: (name: string, value: string) => void,
): string {
  if (!text.includes('<<SECRET:')) return text;
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if ((typeof value !== 'string' && typeof value !== 'number') || isPlaceholder(value)) return whole;
    restored?.(name, String(value));
    return String(value);
  });
}

/** Restores placeholders in every string of a JSON-like value. */
export function restoreDeep<T>(value: T, values: Record<string, unknown>): T {
  if (typeof value === 'string') return restoreSecrets(value, values) as T;
  if (Array.isArray(value)) return value.map((v) => restoreDeep(v, values)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreDeep(v, values)])) as T;
  }
  return value;
}

/** Filters every string of a JSON-like value. */
export function filterDeep<T>(value: T, book: SecretBook): T {
  if (typeof value === 'string') return book.filter(value) as T;
  if (Array.isArray(value)) return value.map((v) => filterDeep(v, book)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, filterDeep(v, book)])) as T;
  }
  return value;
}
