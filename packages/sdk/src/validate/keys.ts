/** Key checks with hints: unknown keys, typos (edit distance) and snake_case spellings of camelCase keys. */
import type { Problem } from '../errors.js';

export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

export function snakeToCamel(key: string): string {
  return key.replace(/[_-]+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The known key a mistyped key most likely meant, if any. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const camel = snakeToCamel(key);
  const exact = known.find((k) => k === camel || k.toLowerCase() === camel.toLowerCase());
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(camel.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return bestDistance <= allowed ? best : undefined;
}

/**
 * Reports keys of `obj` not in `known`. With `open: true` (objects that also carry free-form
 * keys), only keys that look like a misspelled known key are reported.
 */
export function checkKeys(
  obj: Record<string, unknown>,
  path: string,
  known: readonly string[],
  problems: Problem[],
  options: { open?: boolean; what?: string } = {},
): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const where = path ? `${path}.${key}` : key;
    const camel = snakeToCamel(key);
    const suggestion = suggestKey(key, known);
    if (options.open) {
      // Free-form keys are fine; flag only a snake_case or differently-cased spelling of a known key.
      if (suggestion && (camel === suggestion || key.toLowerCase() === suggestion.toLowerCase())) {
        problems.push({ path: where, message: `keys are camelCase: did you mean \`${suggestion}\`?` });
      }
      continue;
    }
    const what = options.what ?? 'key';
    if (suggestion && camel === suggestion && camel !== key) {
      problems.push({ path: where, message: `unknown ${what}; keys are camelCase: did you mean \`${suggestion}\`?` });
    } else if (suggestion) {
      problems.push({ path: where, message: `unknown ${what}; did you mean \`${suggestion}\`?` });
    } else {
      problems.push({ path: where, message: `unknown ${what} (expected one of ${known.join(', ')})` });
    }
  }
}
