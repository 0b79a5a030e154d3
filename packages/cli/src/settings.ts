/**
 * Settings files (SPEC §9): `settings.yaml` holds one connection (a flat mapping of values) or
 * several under top-level names, one chosen with `--connection=name`. `settings.yaml.enc` is the
 * same text encrypted (see settings-crypto.ts) and is read and written back transparently.
 * Values written back (refreshed tokens) keep the file's format, comments and other connections,
 * and replace the file atomically.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  chooseConnection,
  isEncryptedFile,
  isJsonSettings as isJson,
  parseSettingsText,
  settingsFilesIn,
} from '@weft/sdk/settings';
import { modeOf, writeFileAtomic } from './atomic-write.js';
import { readText } from './io.js';
import { encryptSettings, readEncryptedSettings, type Warn } from './settings-crypto.js';

// The parsing is the SDK's, shared with its testing kit (`@weft/sdk/settings`).
export { parseSettingsText };

export interface LoadedSettings {
  file: string;
  /** The chosen connection's values (mutable: refreshed values are merged in). */
  connection: Record<string, unknown>;
  /** Set when the file holds named connections. */
  name?: string;
  all: Record<string, unknown>;
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
  const chosen = chooseConnection(doc, connectionName, { where: file, option: (name) => `--connection=${name}` });
  return { file, connection: chosen.values, name: chosen.name, all: doc };
}

/**
 * The default settings file next to the connector, if any. An encrypted `settings.yaml.enc` wins
 * over a plain one (the plain file is usually the leftover of `weft settings encrypt`), with a
 * warning so that nobody edits the plain copy in vain.
 */
export function defaultSettingsFile(dir: string, warn?: Warn): string | undefined {
  const { plain, encrypted } = settingsFilesIn(dir);
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
