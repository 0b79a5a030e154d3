/**
 * Encrypted settings (`settings.yaml.enc`): the whole settings text sealed with AES-256-GCM.
 *
 * File format, version 1 (text, so it can be pasted into a CI secret or a chat without damage):
 *
 *     WEFT-ENC 1 aes-256-gcm
 *     <base64 of: nonce (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes), wrapped at 76 columns>
 *
 * The header line is the additional authenticated data, so it cannot be changed either. Every
 * write draws a fresh random nonce. Base64 must be canonical: any changed character, extra or
 * missing byte makes decryption fail instead of being silently ignored.
 *
 * The 32-byte key comes from `WEFT_MASTER_KEY` (64 hex characters or base64) or, failing that,
 * from a `master.key` file in the settings file's folder. Neither the key nor decrypted values
 * ever appear in a message.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { messageOf, UsageError } from '@weft/sdk';
import { ENCRYPTED_SUFFIX } from '@weft/sdk/settings';
import { createFileExclusive } from './atomic-write.js';

// The file names are the SDK's, shared with the settings parser.
export { ENCRYPTED_SUFFIX, isEncryptedFile, plainNameOf } from '@weft/sdk/settings';
export const MASTER_KEY_FILE = 'master.key';
export const MASTER_KEY_ENV = 'WEFT_MASTER_KEY';

const HEADER = 'WEFT-ENC 1 aes-256-gcm';
const HEADER_PREFIX = 'WEFT-ENC ';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const LINE = 76;

const KEY_FORM = '32 bytes written as 64 hex characters or as base64 (44 characters)';

export interface MasterKey {
  key: Buffer;
  /** Where it came from, for messages: `WEFT_MASTER_KEY` or the path of `master.key`. */
  source: string;
}

export const masterKeyPathFor = (settingsFile: string): string => join(dirname(resolve(settingsFile)), MASTER_KEY_FILE);

const invalid = (message: string) => new UsageError(message, 'SETTINGS_INVALID');

/** Parses a key written as 64 hex characters or base64 (standard or URL-safe) of 32 bytes. */
export function parseMasterKey(text: string, where: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value) || /^[A-Za-z0-9_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  // Say how long it was, never what it was.
  throw invalid(`${where} must be a key of ${KEY_FORM}; the value given (${value.length} characters) is neither`);
}

/** A new random key in the text form written to `master.key`. */
export function newMasterKeyText(): string {
  return `${randomBytes(KEY_BYTES).toString('hex')}\n`;
}

export type Warn = (message: string) => void;
const warnOnStderr: Warn = (message) => process.stderr.write(`weft: warning: ${message}\n`);

async function readMasterKeyFile(path: string, warn: Warn): Promise<MasterKey | undefined> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(`cannot read ${path} (${messageOf(error)})`);
  }
  if (!info.isFile()) throw invalid(`${path} must be a file holding the master key`);
  // Like ssh with private keys, but a warning: shared containers and CI volumes often cannot chmod.
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    warn(`${path} can be read by other users (mode ${mode}); restrict it with: chmod 600 ${path}`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw invalid(`cannot read ${path} (${messageOf(error)})`);
  }
  return { key: parseMasterKey(text, path), source: path };
}

/** The key for a settings file: `WEFT_MASTER_KEY` first, then `master.key` beside the file. */
export async function findMasterKey(
  settingsFile: string,
  options: { env?: NodeJS.ProcessEnv; warn?: Warn } = {},
): Promise<MasterKey | undefined> {
  const fromEnv = (options.env ?? process.env)[MASTER_KEY_ENV];
  // An empty variable counts as unset: CI systems expand a missing secret to "".
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    return { key: parseMasterKey(fromEnv, MASTER_KEY_ENV), source: MASTER_KEY_ENV };
  }
  return readMasterKeyFile(masterKeyPathFor(settingsFile), options.warn ?? warnOnStderr);
}

/** Like `findMasterKey`, but a missing key is an error that says where one is looked for. */
export async function requireMasterKey(
  settingsFile: string,
  options: { env?: NodeJS.ProcessEnv; warn?: Warn } = {},
): Promise<MasterKey> {
  const found = await findMasterKey(settingsFile, options);
  if (found) return found;
  throw invalid(
    `cannot decrypt ${settingsFile}: no master key. Set ${MASTER_KEY_ENV} (${KEY_FORM}) or put the ` +
      `${MASTER_KEY_FILE} it was encrypted with at ${masterKeyPathFor(settingsFile)}`,
  );
}

/** Creates `master.key` beside the settings file (mode 0600); fails if one appeared meanwhile. */
export async function createMasterKey(settingsFile: string): Promise<MasterKey> {
  const path = masterKeyPathFor(settingsFile);
  const text = newMasterKeyText();
  try {
    await createFileExclusive(path, text, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw invalid(`${path} appeared while weft was creating it; run the command again`);
    }
    throw invalid(`cannot create ${path} (${messageOf(error)})`);
  }
  return { key: parseMasterKey(text, path), source: path };
}

/** Seals settings text into the version-1 file format. */
export function encryptSettings(plain: string, key: Buffer): Buffer {
  if (key.length !== KEY_BYTES) throw new Error(`a master key has ${KEY_BYTES} bytes`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(HEADER, 'latin1'));
  const sealed = Buffer.concat([nonce, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  const body = sealed.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += LINE) lines.push(body.slice(i, i + LINE));
  return Buffer.from(`${HEADER}\n${lines.join('\n')}\n`, 'latin1');
}

/** Opens a version-1 file; a wrong key, a changed byte or a cut-off file all fail the same way. */
export function decryptSettings(data: Buffer, masterKey: MasterKey, file: string): string {
  const cannot = () =>
    invalid(`cannot decrypt ${file}: wrong master key or the file was modified (key from ${masterKey.source})`);
  const text = data.toString('latin1');
  const newline = text.indexOf('\n');
  const header = (newline < 0 ? text : text.slice(0, newline)).replace(/\r$/, '');
  if (header !== HEADER) {
    if (HEADER.startsWith(text.trimEnd())) throw cannot(); // empty, or cut off inside the header
    if (header.startsWith(HEADER_PREFIX)) {
      throw invalid(`${file} was written in a format this weft does not read ("${header}"); update weft`);
    }
    throw invalid(
      `${file} is not an encrypted Weft settings file (its first line should be "${HEADER}"). ` +
        `If it holds plain YAML, drop the ${ENCRYPTED_SUFFIX} suffix, or encrypt it with: weft settings encrypt`,
    );
  }
  const body = newline < 0 ? '' : text.slice(newline + 1).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw cannot();
  const sealed = Buffer.from(body, 'base64');
  if (sealed.toString('base64') !== body || sealed.length < NONCE_BYTES + TAG_BYTES) throw cannot();
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const ciphertext = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', masterKey.key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(HEADER, 'latin1'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    throw cannot();
  }
}

/** Reads a file as bytes, with the same wording as the other files named on the command line. */
export async function readBytes(path: string, label: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'it is a folder' : messageOf(error);
    throw new UsageError(`${label}${path}: cannot read the file (${why})`, 'INPUT_UNREADABLE');
  }
}

/** Reads and decrypts an encrypted settings file; returns the text and the key that opened it. */
export async function readEncryptedSettings(
  file: string,
  label = '',
  options: { env?: NodeJS.ProcessEnv; warn?: Warn } = {},
): Promise<{ text: string; masterKey: MasterKey; bytes: Buffer }> {
  const bytes = await readBytes(file, label);
  const masterKey = await requireMasterKey(file, options);
  return { text: decryptSettings(bytes, masterKey, file), masterKey, bytes };
}
