/**
 * Settings files (SPEC §9): `settings.yaml` holds one connection (a flat mapping of values) or
 * several under top-level names, one chosen with `--connection=name`. Values written back
 * (refreshed tokens) keep the file's format and the other connections.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { messageOf, UsageError } from '@weft/sdk';
import { readText } from './io.js';

export interface LoadedSettings {
  file: string;
  /** The chosen connection's values (mutable: refreshed values are merged in). */
  connection: Record<string, unknown>;
  /** Set when the file holds named connections. */
  name?: string;
  all: Record<string, unknown>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Named connections: every top-level value is a mapping. A flat file has scalar values. */
function isNamed(doc: Record<string, unknown>): boolean {
  const values = Object.values(doc);
  return values.length > 0 && values.every(isPlainObject);
}

async function parse(file: string, text: string): Promise<unknown> {
  if (extname(file) === '.json') return JSON.parse(text);
  const { parse: parseYaml } = await import('yaml');
  return parseYaml(text);
}

export async function loadSettings(file: string, connectionName?: string): Promise<LoadedSettings> {
  if (file.endsWith('.enc')) {
    throw new UsageError(
      `${file}: encrypted settings arrive with the authentication work; use a plain settings.yaml for now`,
      'SETTINGS_INVALID',
    );
  }
  const text = await readText(file, '--settings');
  let doc: unknown;
  try {
    doc = (await parse(file, text)) ?? {};
  } catch (error) {
    throw new UsageError(`${file}: not valid YAML (${messageOf(error).split('\n')[0]})`, 'SETTINGS_INVALID');
  }
  if (!isPlainObject(doc)) {
    throw new UsageError(
      `${file}: must be a mapping of connection values (or of named connections)`,
      'SETTINGS_INVALID',
    );
  }
  if (isNamed(doc)) {
    const names = Object.keys(doc);
    const name = connectionName ?? (names.length === 1 ? names[0] : undefined);
    if (!name) {
      throw new UsageError(
        `${file} holds several connections (${names.join(', ')}): choose one with --connection=<name>`,
      );
    }
    const connection = doc[name];
    if (!isPlainObject(connection)) {
      throw new UsageError(
        `${file} has no connection named "${name}" (it has: ${names.join(', ')})`,
        'SETTINGS_INVALID',
      );
    }
    return { file, connection: { ...connection }, name, all: doc };
  }
  if (connectionName) {
    throw new UsageError(`${file} holds a single connection, not named ones: drop --connection=${connectionName}`);
  }
  return { file, connection: { ...doc }, all: doc };
}

/** The default settings file next to the connector, if any. */
export function defaultSettingsFile(dir: string): string | undefined {
  for (const name of ['settings.yaml', 'settings.yml', 'settings.json']) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  return undefined;
}

/** Writes changed connection values back into the file, keeping its format and other connections. */
export async function saveConnection(settings: LoadedSettings): Promise<void> {
  const doc = settings.name ? { ...settings.all, [settings.name]: settings.connection } : settings.connection;
  if (extname(settings.file) === '.json') {
    await writeFile(settings.file, `${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const { parseDocument } = await import('yaml');
  const { readFile } = await import('node:fs/promises');
  // Edit the parsed document so comments and key order survive.
  const document = parseDocument(await readFile(settings.file, 'utf8'));
  for (const [key, value] of Object.entries(settings.connection)) {
    document.setIn(settings.name ? [settings.name, key] : [key], value);
  }
  await writeFile(settings.file, document.toString());
}
