/**
 * Names in the generated code: snake_case keys for actions, object definitions and pick lists,
 * camelCase identifiers for exports, file names, labels from values.
 */

const RESERVED = new Set(['constructor', 'prototype', '__proto__', 'then', 'toJSON']);

/** `issues/list-for-repo` → `issues_list_for_repo`; `getHTTPStatus` → `get_http_status`. */
export function snake(text: string): string {
  const out = text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  const safe = out || 'unnamed';
  return /^[0-9]/.test(safe) || RESERVED.has(safe) ? `n_${safe}` : safe;
}

/** `repos_and_issues` → `reposAndIssues`. */
export function camel(text: string): string {
  return snake(text).replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** A kebab-case file name: `Pull Requests` → `pull-requests`. */
export function fileName(text: string): string {
  return snake(text).replace(/_/g, '-');
}

/** `in_progress` → `In progress`: a label for an enum value. */
export function humanize(value: string): string {
  const words = value
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim();
  if (!words) return value;
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase();
}

/** Hands out names, adding `_2`, `_3`, ... to one already taken. */
export class NameSet {
  private readonly taken = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const name of initial) this.taken.add(name);
  }

  claim(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.taken.has(name); i++) name = `${wanted}_${i}`;
    this.taken.add(name);
    return name;
  }

  has(name: string): boolean {
    return this.taken.has(name);
  }
}

/** The first sentence (or line) of a description, for hints; at most `max` characters. */
export function brief(text: unknown, max = 240): string | undefined {
  if (typeof text !== 'string') return undefined;
  const plain = text
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  if (!plain) return undefined;
  const sentence = /^(.+?[.!?])(\s|$)/.exec(plain)?.[1] ?? plain;
  return sentence.length > max ? `${sentence.slice(0, max - 1).trimEnd()}…` : sentence;
}
