/**
 * Settings files (SPEC §9), as both the `weft` command and the testing kit read them:
 * `settings.yaml` (or `.yml`, `.json`) holds one connection (a flat mapping of values) or several
 * under top-level names. `settings.yaml.enc` is the same text encrypted; the CLI opens it and
 * hands the text here. Exported as `@weft/sdk/settings`.
 *
 * Messages never quote the file's text: it holds secrets.
 */
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { messageOf, UsageError } from '../errors.js';
import { isPlainObject } from '../schema/values.js';

/** The names a settings file beside a connector may have, in order of preference. */
export const SETTINGS_FILE_NAMES = ['settings.yaml', 'settings.yml', 'settings.json'] as const;

/** An encrypted settings file is the plain file's name with this suffix. */
export const ENCRYPTED_SUFFIX = '.enc';

export const isEncryptedFile = (file: string): boolean => file.endsWith(ENCRYPTED_SUFFIX);

/** `settings.yaml.enc` → `settings.yaml`: the name whose extension tells the inner format. */
export const plainNameOf = (file: string): string =>
  isEncryptedFile(file) ? file.slice(0, -ENCRYPTED_SUFFIX.length) : file;

export const isJsonSettings = (file: string): boolean => extname(plainNameOf(file)) === '.json';

/** Named connections: every top-level value is a mapping. A flat file has scalar values. */
export function isNamedSettings(doc: Record<string, unknown>): boolean {
  const values = Object.values(doc);
  return values.length > 0 && values.every(isPlainObject);
}

/**
 * Parses settings text and checks that it is a mapping. `file` names it in messages and its
 * extension (without `.enc`) picks JSON or YAML. Messages quote no part of the text: the first
 * line of a YAML error gives only the problem and its line and column.
 */
export async function parseSettingsText(file: string, text: string): Promise<Record<string, unknown>> {
  let doc: unknown;
  try {
    if (isJsonSettings(file)) doc = JSON.parse(text);
    else {
      // Loaded on demand: most commands never read a settings file.
      const { parse: parseYaml } = await import('yaml');
      doc = parseYaml(text);
    }
  } catch (error) {
    const format = isJsonSettings(file) ? 'JSON' : 'YAML';
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

export interface ChosenConnection {
  /** A copy of the chosen connection's values. */
  values: Record<string, unknown>;
  /** Set when the file holds named connections. */
  name?: string;
}

export interface ChooseOptions {
  /** Names the settings in messages: a file path, or `settings` for values given inline. */
  where: string;
  /** How the caller's user chooses a connection, for messages: `--connection=<name>`. */
  option: (name: string) => string;
}

/** The connection to use from a settings document: the named one, the only one, or the flat values. */
export function chooseConnection(
  doc: Record<string, unknown>,
  name: string | undefined,
  { where, option }: ChooseOptions,
): ChosenConnection {
  if (!isNamedSettings(doc)) {
    if (name) throw new UsageError(`${where} holds a single connection, not named ones: drop ${option(name)}`);
    return { values: { ...doc } };
  }
  const names = Object.keys(doc);
  const chosen = name ?? (names.length === 1 ? names[0] : undefined);
  if (!chosen) {
    throw new UsageError(
      `${where} holds several connections (${names.join(', ')}): choose one with ${option('<name>')}`,
    );
  }
  const values = doc[chosen];
  if (!isPlainObject(values)) {
    throw new UsageError(
      `${where} has no connection named "${chosen}" (it has: ${names.join(', ')})`,
      'SETTINGS_INVALID',
    );
  }
  return { values: { ...values }, name: chosen };
}

/** The settings files in a folder (`settings.yaml` and the like), plain and encrypted. */
export function settingsFilesIn(dir: string): { plain?: string; encrypted?: string } {
  const find = (suffix: string) =>
    SETTINGS_FILE_NAMES.map((name) => join(dir, `${name}${suffix}`)).find((path) => existsSync(path));
  return { plain: find(''), encrypted: find(ENCRYPTED_SUFFIX) };
}
