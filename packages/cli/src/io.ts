/**
 * Reading the JSON and YAML files named by CLI flags, with one clear error per mistake.
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

/** Reads a JSON file named by a flag (`--input=file.json`). */
export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  const text = await readText(path, flag);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag}=${path}: not valid JSON (${messageOf(error)})`, 'INPUT_UNREADABLE');
  }
}

export async function readJsonObject(path: string, flag: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(path, flag);
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${flag}=${path}: must hold a JSON object, got ${describe(value)}`, 'INPUT_UNREADABLE');
  }
  return value as Record<string, unknown>;
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
