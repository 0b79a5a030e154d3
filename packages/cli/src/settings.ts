/**
 * Settings files (SPEC §9): `settings.yaml` holds one connection (a flat mapping of values) or
 * several under top-level names, one chosen with `--connection=name`. `settings.yaml.enc` is the
 * same text encrypted (see settings-crypto.ts) and is read and written back transparently.
 * Values written back (refreshed tokens) keep the file's format, comments and other connections,
 * and replace the file atomically.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { messageOf, UsageError } from '@weft/sdk';
import { modeOf, writeFileAtomic } from './atomic-write.js';
import { readText } from './io.js';
import { encryptSettings, isEncryptedFile, plainNameOf, readEncryptedSettings, type Warn } from './settings-crypto.js';

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

const isJson = (file: string) => extname(plainNameOf(file)) === '.json';

/**
 * Parses settings text and checks that it is a mapping. `file` names it in messages and its
 * extension (without `.enc`) picks JSON or YAML. Messages quote no part of the text: the first
 * line of a YAML error gives only the problem and its line and column.
 */
export async function parseSettingsText(file: string, text: string): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    if (isJson(file)) doc = JSON.parse(text);
    else {
      const { parse: parseYaml } = await import('yaml');
      doc = parseYaml(text);
    }
  } catch (error) {
    const format = isJson(file) ? 'JSON' : 'YAML';
    // The problem and its position only: V8 quotes an excerpt of the text, which may be a secret.
    const why = messageOf(error)
      .replace(/^(Unexpected token '.*?'), .* is not valid JSON$/s, '$1')
      .split('\n')[0]
      .replace(/:$/, '');
    throw new UsageError(`${file}: not valid ${format} (${why})`, 'SETTINGS_INVALID');
  }
  doc ??= {};
  if (!isPlainObject(doc)) {
    throw new UsageError(
      `${file}: must be a mapping of connection values (or of named connections)`,
      'SETTINGS_INVALID',
    );
  }
  return doc;
}

/** The text of a settings file, decrypted when it is a `.enc` file. */
async function readSettingsText(file: string, warn?: Warn): Promise<string> {
  if (isEncryptedFile(file)) return (await readEncryptedSettings(file, '--settings=', { warn })).text;
  return readText(file, '--settings');
}

export async function loadSettings(
  file: string,
  connectionName?: string,
  options: { warn?: Warn } = {},
): Promise<LoadedSettings> {
  const doc = await parseSettingsText(file, await readSettingsText(file, options.warn));
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

const SETTINGS_NAMES = ['settings.yaml', 'settings.yml', 'settings.json'];

/**
 * The default settings file next to the connector, if any. An encrypted `settings.yaml.enc` wins
 * over a plain one (the plain file is usually the leftover of `weft settings encrypt`), with a
 * warning so that nobody edits the plain copy in vain.
 */
export function defaultSettingsFile(dir: string, warn?: Warn): string | undefined {
  const plain = SETTINGS_NAMES.map((name) => join(dir, name)).find((path) => existsSync(path));
  const encrypted = SETTINGS_NAMES.map((name) => join(dir, `${name}.enc`)).find((path) => existsSync(path));
  if (plain && encrypted) {
    (warn ?? ((m: string) => process.stderr.write(`weft: warning: ${m}\n`)))(
      `both ${basename(encrypted)} and ${basename(plain)} are in ${dir}; using ${basename(encrypted)} ` +
        `(pass --settings=<file> to choose, and delete ${basename(plain)} once it is encrypted)`,
    );
  }
  return encrypted ?? plain;
}

/** The settings text with the connection's values set, keeping comments and key order. */
async function updatedText(settings: LoadedSettings, current: string): Promise<string> {
  if (isJson(settings.file)) {
    const doc = settings.name ? { ...settings.all, [settings.name]: settings.connection } : settings.connection;
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const { parseDocument } = await import('yaml');
  // Edit the parsed document so comments and key order survive.
  const document = parseDocument(current);
  for (const [key, value] of Object.entries(settings.connection)) {
    document.setIn(settings.name ? [settings.name, key] : [key], value);
  }
  return document.toString();
}

/** Writes changed connection values back into the file, keeping its format and other connections. */
export async function saveConnection(settings: LoadedSettings, options: { warn?: Warn } = {}): Promise<void> {
  if (isEncryptedFile(settings.file)) {
    // Read the file again (it may hold other connections changed meanwhile) with the same key
    // lookup, and seal the result with a fresh nonce.
    const { text, masterKey } = await readEncryptedSettings(settings.file, '--settings=', options);
    const next = await updatedText(settings, text);
    await writeFileAtomic(settings.file, encryptSettings(next, masterKey.key), 0o600);
    return;
  }
  const current = isJson(settings.file) ? '' : await readFile(settings.file, 'utf8');
  const next = await updatedText(settings, current);
  await writeFileAtomic(settings.file, next, await modeOf(settings.file, 0o600));
}
