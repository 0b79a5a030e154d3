/**
 * Reading the JSON (inline or in files) and YAML files named by CLI flags, with one clear error per mistake.
 */
import { readFile } from 'node:fs/promises';
import { messageOf, UsageError } from '@weft/sdk';

export async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'it is a folder' : messageOf(error);
    throw new UsageError(`${flag}=${path}: cannot read the file (${why})`, 'INPUT_UNREADABLE');
  }
}

/**
 * The JSON a data flag gives: inline (`--args '{"a":1}'`: anything starting with `{`, `[` or
 * `"`), `@file`, or a plain file path (`--input=file.json`).
 */
export async function readJsonFile(value: string, flag: string): Promise<unknown> {
  const inline = /^\s*[[{"]/.test(value);
  const path = value.startsWith('@') ? value.slice(1) : value;
  const text = inline ? value : await readText(path, flag);
  try {
    return JSON.parse(text);
  } catch (error) {
    const where = inline ? flag : `${flag}=${value}`;
    throw new UsageError(`${where}: not valid JSON (${messageOf(error)})`, 'INPUT_UNREADABLE');
  }
}

/** A JSON object from a data flag; `arrays` also accepts a JSON array (of objects). */
export async function readJsonObject(
  value: string,
  flag: string,
  options: { arrays?: boolean } = {},
): Promise<Record<string, unknown>> {
  const json = await readJsonFile(value, flag);
  if (!json || typeof json !== 'object' || (Array.isArray(json) && !options.arrays)) {
    const where = /^\s*[[{"]/.test(value) ? flag : `${flag}=${value}`;
    const wanted = options.arrays ? 'a JSON object or an array' : 'a JSON object';
    throw new UsageError(`${where}: must hold ${wanted}, got ${describe(json)}`, 'INPUT_UNREADABLE');
  }
  return json as Record<string, unknown>;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
