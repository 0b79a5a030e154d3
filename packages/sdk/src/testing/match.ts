/**
 * Matching a request against the recordings of a cassette, and the message that explains a
 * request no recording matches (the request, the nearest recording and what differs).
 */
import { bodyText, CassetteError, type StoredRequest } from './cassette.js';
import { lineDiff } from './diff.js';

/** What decides that a request matches a recording: `method`, `url`, `path`, `body`, `headers:<name>`. */
export type MatchOn = 'method' | 'url' | 'path' | 'body' | `headers:${string}`;

export const DEFAULT_MATCH: readonly MatchOn[] = ['method', 'url', 'body'];

export function checkMatchOn(match: readonly string[]): MatchOn[] {
  for (const m of match) {
    if (!['method', 'url', 'path', 'body'].includes(m) && !/^headers:[\w-]+$/i.test(m)) {
      throw new CassetteError(
        'CASSETTE_INVALID',
        `match: unknown criterion "${m}" (use method, url, path, body or headers:<name>)`,
      );
    }
  }
  return match as MatchOn[];
}

/** A request in comparable form: secrets already filtered, query sorted, JSON canonical. */
export interface Comparable {
  method: string;
  url: string;
  path: string;
  body: string;
  headers: Record<string, string>;
}

function sortedQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .filter(Boolean)
    .sort();
  return `${url.slice(0, q)}${pairs.length ? `?${pairs.join('&')}` : ''}`;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Bodies compare as canonical pretty JSON when they parse, else as text (multipart boundaries neutralised). */
function comparableBody(text: string, contentType: string | undefined): string {
  if (!text) return '';
  const boundary = contentType && /boundary=("?)([^";]+)\1/i.exec(contentType)?.[2];
  if (boundary) text = text.split(boundary).join('<<BOUNDARY>>');
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.stringify(canonical(JSON.parse(trimmed)), null, 2);
    } catch {}
  }
  return text;
}

function lowerHeaders(headers: Record<string, string | string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export function comparable(request: StoredRequest): Comparable {
  const headers = lowerHeaders(request.headers ?? {});
  const url = sortedQuery(request.url);
  let path = url;
  try {
    const u = new URL(request.url);
    path = sortedQuery(u.pathname + u.search);
  } catch {}
  const text = request.bodyEncoding === 'json' ? JSON.stringify(request.body) : bodyText(request);
  return {
    method: request.method.toUpperCase(),
    url,
    path,
    body: request.bodyEncoding === 'base64' ? text : comparableBody(text, headers['content-type']),
    headers,
  };
}

function criterion(c: Comparable, on: MatchOn): string {
  if (on.startsWith('headers:')) return c.headers[on.slice('headers:'.length).toLowerCase()] ?? '';
  return c[on as 'method' | 'url' | 'path' | 'body'];
}

/** The criteria on which two requests differ. */
export function differences(recorded: Comparable, actual: Comparable, match: readonly MatchOn[]): MatchOn[] {
  return match.filter((on) => criterion(recorded, on) !== criterion(actual, on));
}

function describe(c: Comparable, match: readonly MatchOn[], indent: string, withBody = true): string {
  const lines = [`${indent}${c.method} ${c.url}`];
  for (const on of match) {
    if (on.startsWith('headers:')) lines.push(`${indent}${on.slice(8)}: ${criterion(c, on) || '(absent)'}`);
  }
  if (c.body && withBody) {
    const body = c.body.length > 2000 ? `${c.body.slice(0, 2000)}…` : c.body;
    lines.push(`${indent}body: ${body.split('\n').join(`\n${indent}      `)}`);
  }
  return lines.join('\n');
}

/** The message for a request that no unused recording matches. */
export function mismatchMessage(
  file: string,
  actual: Comparable,
  recordings: Comparable[],
  used: boolean[],
  match: readonly MatchOn[],
): string {
  const head = `Cassette ${file}: no recorded request matches (matching on ${match.join(', ')})\n  request:\n${describe(actual, match, '    ')}`;
  const tail = '\n  If the change is intended, record the cassette again: WEFT_RECORD=1 (or `weft test --record`).';
  if (recordings.length === 0) return `${head}\n  The cassette holds no recordings.${tail}`;
  let best = -1;
  let bestScore = Number.POSITIVE_INFINITY;
  recordings.forEach((r, i) => {
    const diff = differences(r, actual, match);
    // Fewer differing criteria first; then a differing body over a differing URL; then unused ones.
    const score =
      diff.length * 100 +
      (diff.includes('method') ? 40 : 0) +
      (diff.includes('url') || diff.includes('path') ? 20 : 0) +
      (used[i] ? 5 : 0);
    if (score < bestScore) {
      best = i;
      bestScore = score;
    }
  });
  const nearest = recordings[best];
  const diff = differences(nearest, actual, match);
  if (diff.length === 0) {
    return `${head}\n  The same request was recorded (#${best + 1}) but every recording of it is already used: the connector sent it more often than while recording.${tail}`;
  }
  const parts = [
    `${head}\n  nearest recording (#${best + 1} of ${recordings.length}${used[best] ? ', already used' : ''}):\n${describe(nearest, match, '    ', !diff.includes('body'))}`,
    '  differences (- recorded, + now):',
  ];
  for (const on of diff) {
    if (on === 'body') {
      parts.push(`  body:\n${lineDiff(nearest.body, actual.body)}`);
    } else if (on === 'url' || on === 'path') {
      const split = (u: string) => u.replace('?', '\n?').split('&').join('\n&');
      parts.push(`  ${on}:\n${lineDiff(split(nearest[on]), split(actual[on]))}`);
    } else {
      parts.push(`  ${on}:\n    - ${criterion(nearest, on)}\n    + ${criterion(actual, on)}`);
    }
  }
  return parts.join('\n') + tail;
}
