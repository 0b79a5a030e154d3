/**
 * Step records keep inputs and outputs for the job history, and a step that reads or returns
 * ten thousand records would make every job row megabytes. An action names the keys that hold
 * such lists (`summarizeInput: ['items']`, `summarizeOutput: ['records', 'page.rows']`); in the
 * stored record, a list under such a key with more than `SUMMARY_KEEP` elements becomes
 *
 *     { "$summarized": "array", "count": 12000, "first": [ ...the first 10 elements ] }
 *
 * Keys are dot paths into objects (`page.rows`); a path that does not lead to an array longer
 * than the limit leaves the value as it is. The value given is never changed: later steps read
 * the full output, and the engine stores the full output separately only when a summary was
 * made (so a job resumed after a restart reads what it would have read).
 */

/** Elements of a summarized list kept in the record. */
export const SUMMARY_KEEP = 10;

export interface ArraySummary {
  $summarized: 'array';
  count: number;
  first: unknown[];
}

export interface Summarized {
  value: unknown;
  /** True when some list was summarized (the value differs from the one given). */
  summarized: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function summarizeArray(list: readonly unknown[]): ArraySummary {
  return { $summarized: 'array', count: list.length, first: list.slice(0, SUMMARY_KEEP) };
}

/** The value with the lists under `keys` summarized, copying only the objects along each path. */
export function summarize(value: unknown, keys: readonly string[] | undefined): Summarized {
  if (!keys?.length || !isObject(value)) return { value, summarized: false };
  let result = value;
  let summarized = false;
  for (const key of keys) {
    const path = key.split('.').filter(Boolean);
    const next = summarizeAt(result, path);
    if (next !== result) {
      result = next as Record<string, unknown>;
      summarized = true;
    }
  }
  return { value: result, summarized };
}

/** Returns `value` itself when nothing changes below it, else a copy with the summary in place. */
function summarizeAt(value: unknown, path: string[]): unknown {
  if (path.length === 0) {
    return Array.isArray(value) && value.length > SUMMARY_KEEP ? summarizeArray(value) : value;
  }
  if (!isObject(value) || !Object.hasOwn(value, path[0])) return value;
  const child = value[path[0]];
  const replaced = summarizeAt(child, path.slice(1));
  return replaced === child ? value : { ...value, [path[0]]: replaced };
}
