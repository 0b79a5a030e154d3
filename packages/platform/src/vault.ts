/**
 * The vault: connection values and webhook subscriptions sealed at rest with AES-256-GCM.
 *
 * - The key is `WEFT_MASTER_KEY` (64 hex characters, or base64 of 32 bytes) or, when unset, the
 *   file `$WEFT_HOME/master.key`, created on first start (mode 0600).
 * - Every write draws a fresh 12-byte nonce; the GCM tag is appended to the ciphertext.
 * - The connection's name (a subscription's recipe id) is the additional authenticated data: a
 *   sealed row copied onto another connection (recipe) does not open.
 * - Each row records the key id (first 8 hex digits of the SHA-256 of the key), so rows written
 *   with an older key can be found. With the old key in `WEFT_MASTER_KEY_PREVIOUS`
 *   (comma-separated), old rows still open and `rotate` re-seals them under the current key.
 *
 * Neither the key nor a decrypted value ever appears in a message.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WeftError } from '@weft/sdk';
import type { SealedValues } from './store/store.js';

export const MASTER_KEY_ENV = 'WEFT_MASTER_KEY';
export const PREVIOUS_KEYS_ENV = 'WEFT_MASTER_KEY_PREVIOUS';
export const MASTER_KEY_FILE = 'master.key';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_FORM = '32 bytes written as 64 hex characters or as base64 (e.g. `openssl rand -hex 32`)';

/** A problem with the master key or a sealed row; the API answers it with `code` and `message`. */
export class VaultError extends WeftError {
  constructor(
    readonly vaultCode: 'MASTER_KEY_INVALID' | 'VAULT_KEY_MISMATCH' | 'VAULT_DECRYPT_FAILED',
    message: string,
  ) {
    super('SETTINGS_INVALID', message);
  }
}

/** Parses a key written as 64 hex characters or base64 (standard or URL-safe) of 32 bytes. */
export function parseMasterKey(text: string, where: string): Buffer {
  const value = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  // Say how long it was, never what it was.
  throw new VaultError(
    'MASTER_KEY_INVALID',
    `${where} must be a key of ${KEY_FORM}; the value given (${value.length} characters) is neither`,
  );
}

/** First 8 hex digits of the SHA-256 of the key: names a key without revealing it. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

export interface VaultOptions {
  env?: NodeJS.ProcessEnv;
  /** Told about a key file readable by others. */
  warn?: (message: string) => void;
}

export class Vault {
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  /**
   * @param key the current key: every write uses it.
   * @param previous older keys that may still open rows (key rotation).
   * @param source where the current key came from, for messages.
   */
  constructor(
    key: Buffer,
    previous: Buffer[] = [],
    readonly source = MASTER_KEY_ENV,
  ) {
    if (key.length !== KEY_BYTES)
      throw new VaultError('MASTER_KEY_INVALID', `The master key must be ${KEY_BYTES} bytes`);
    this.keyId = keyIdOf(key);
    for (const old of previous) this.keys.set(keyIdOf(old), old);
    this.keys.set(this.keyId, key);
  }

  /** The key from `WEFT_MASTER_KEY`, else `<home>/master.key` (created, mode 0600, when missing). */
  static async open(home: string, options: VaultOptions = {}): Promise<Vault> {
    const env = options.env ?? process.env;
    const previous = (env[PREVIOUS_KEYS_ENV] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s, i) => parseMasterKey(s, `${PREVIOUS_KEYS_ENV} (key ${i + 1})`));
    const fromEnv = env[MASTER_KEY_ENV];
    // An empty variable counts as unset: CI systems expand a missing secret to "".
    if (fromEnv !== undefined && fromEnv.trim() !== '') {
      return new Vault(parseMasterKey(fromEnv, MASTER_KEY_ENV), previous, MASTER_KEY_ENV);
    }
    const file = join(home, MASTER_KEY_FILE);
    let text: string;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new VaultError('MASTER_KEY_INVALID', `${file} must be a file holding the master key`);
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        options.warn?.(`${file} can be read by other users; restrict it with: chmod 600 ${file}`);
      }
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = randomBytes(KEY_BYTES).toString('hex');
      // `wx`: never overwrite a key that appeared meanwhile (it may already seal rows).
      await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' });
      await chmod(file, 0o600);
    }
    return new Vault(parseMasterKey(text, file), previous, file);
  }

  /** Seals `values` for the connection `name`, with a fresh nonce. */
  seal(name: string, values: Record<string, unknown>): SealedValues {
    return this.sealText(aad(name), JSON.stringify(values));
  }

  /**
   * Seals the webhook subscription of the recipe `recipeId` (any JSON value, null for none):
   * bound to that recipe, so a row copied onto another recipe does not open.
   */
  sealSubscription(recipeId: string, data: unknown): SealedValues {
    return this.sealText(subscriptionAad(recipeId), JSON.stringify(data ?? null));
  }

  private sealText(additional: Buffer, text: string): SealedValues {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.keyId)!, nonce);
    cipher.setAAD(additional);
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return { valuesEncrypted: body.toString('base64'), keyId: this.keyId, nonce: nonce.toString('base64') };
  }

  /**
   * A key for another purpose, derived from the master key (HMAC-SHA256 of `purpose`), so every
   * process with the same master key derives the same one and no process sends the master key
   * anywhere: the current key's first, then the previous keys' (a cluster in mid-rotation).
   */
  derive(purpose: string): Buffer[] {
    const keys = [this.keys.get(this.keyId)!, ...[...this.keys].filter(([id]) => id !== this.keyId).map(([, k]) => k)];
    return keys.map((key) => createHmac('sha256', key).update(`weft:derived:${purpose}`, 'utf8').digest());
  }

  /** Whether `open` can read a row sealed with `keyId`. */
  canOpen(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  /** Opens the values of the connection `name`. */
  open(name: string, sealed: SealedValues): Record<string, unknown> {
    const key = this.keyFor(sealed, `The connection "${name}"`, 'connection');
    const text = this.openText(key, aad(name), sealed);
    if (text === undefined) {
      throw new VaultError(
        'VAULT_DECRYPT_FAILED',
        `The stored values of connection "${name}" cannot be decrypted with master key ${sealed.keyId}: the row was ` +
          'changed or damaged. Enter the connection values again (PATCH /api/connections/:name).',
      );
    }
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** Opens the webhook subscription of the recipe `recipeId` (what `sealSubscription` sealed). */
  openSubscription(recipeId: string, sealed: SealedValues): unknown {
    const key = this.keyFor(sealed, `The webhook subscription of recipe ${recipeId}`, 'webhook subscription');
    const text = this.openText(key, subscriptionAad(recipeId), sealed);
    if (text === undefined) {
      throw new VaultError(
        'VAULT_DECRYPT_FAILED',
        `The stored webhook subscription of recipe ${recipeId} cannot be decrypted with master key ${sealed.keyId}: ` +
          'the row was changed, damaged or copied from another recipe. Stop the recipe (its subscription is then ' +
          'forgotten: remove the registration at the application by hand if it lingers) and start it again.',
      );
    }
    return JSON.parse(text) as unknown;
  }

  private keyFor(sealed: SealedValues, what: string, kind: string): Buffer {
    const key = this.keys.get(sealed.keyId);
    if (key) return key;
    throw new VaultError(
      'VAULT_KEY_MISMATCH',
      `${what} was sealed with master key ${sealed.keyId}, but the current key (from ${this.source}) is ` +
        `${this.keyId}. Start Weft with the key it was sealed with, or rotate: set ${MASTER_KEY_ENV} to the new key and ` +
        `${PREVIOUS_KEYS_ENV} to the old one, and Weft re-seals every ${kind} on start.`,
    );
  }

  /** The plain text, or undefined when the row does not open (changed, damaged, or bound elsewhere). */
  private openText(key: Buffer, additional: Buffer, sealed: SealedValues): string | undefined {
    const body = Buffer.from(sealed.valuesEncrypted, 'base64');
    const nonce = Buffer.from(sealed.nonce, 'base64');
    try {
      if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', key, nonce);
      decipher.setAAD(additional);
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      return undefined;
    }
  }
}

function aad(name: string): Buffer {
  return Buffer.from(`weft:connection:${name}`, 'utf8');
}

function subscriptionAad(recipeId: string): Buffer {
  return Buffer.from(`weft:webhook-subscription:${recipeId}`, 'utf8');
}
