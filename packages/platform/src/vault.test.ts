import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { keyIdOf, parseMasterKey, Vault } from './vault.js';

const home = () => mkdtemp(join(tmpdir(), 'weft-vault-'));
const values = { api_key: 'sk_live_very_secret_value', port: 5432 };

describe('the vault', () => {
  test('seals and opens connection values (round trip)', async () => {
    const vault = new Vault(randomBytes(32));
    const sealed = vault.seal('main', values);
    expect(sealed.keyId).toBe(vault.keyId);
    expect(sealed.valuesEncrypted).not.toContain('sk_live');
    expect(Buffer.from(sealed.valuesEncrypted, 'base64').toString('latin1')).not.toContain('sk_live');
    expect(vault.open('main', sealed)).toEqual(values);
  });

  test('draws a fresh 12-byte nonce for every write', async () => {
    const vault = new Vault(randomBytes(32));
    const seen = new Set<string>();
    const ciphertexts = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const sealed = vault.seal('main', values);
      expect(Buffer.from(sealed.nonce, 'base64')).toHaveLength(12);
      seen.add(sealed.nonce);
      ciphertexts.add(sealed.valuesEncrypted);
    }
    expect(seen.size).toBe(50);
    expect(ciphertexts.size).toBe(50);
  });

  test('a row does not open under another connection name or after tampering', async () => {
    const vault = new Vault(randomBytes(32));
    const sealed = vault.seal('main', values);
    expect(() => vault.open('other', sealed)).toThrow(/cannot be decrypted/);
    const bytes = Buffer.from(sealed.valuesEncrypted, 'base64');
    bytes[0] ^= 1;
    expect(() => vault.open('main', { ...sealed, valuesEncrypted: bytes.toString('base64') })).toThrow(
      /changed or damaged/,
    );
  });

  test('a webhook subscription is bound to its recipe, and is not a connection row either', async () => {
    const oldKey = randomBytes(32);
    const vault = new Vault(oldKey);
    const subscription = { id: 'hook_1', secret: 'whsec_per_webhook_value' };
    const sealed = vault.sealSubscription('rcp_a', subscription);
    expect(Buffer.from(sealed.valuesEncrypted, 'base64').toString('latin1')).not.toContain('whsec');
    expect(vault.openSubscription('rcp_a', sealed)).toEqual(subscription);
    expect(vault.openSubscription('rcp_a', vault.sealSubscription('rcp_a', null))).toBeNull();
    expect(() => vault.openSubscription('rcp_b', sealed)).toThrow(/recipe rcp_b cannot be decrypted/);
    // A connection sealed under the same name opens as neither.
    expect(() => vault.open('rcp_a', sealed)).toThrow(/cannot be decrypted/);
    expect(() => vault.openSubscription('main', vault.seal('main', values))).toThrow(/cannot be decrypted/);
    // Another key: a mismatch that names rotation; with the old key as a previous key, it opens.
    expect(() => new Vault(randomBytes(32)).openSubscription('rcp_a', sealed)).toThrow(/WEFT_MASTER_KEY_PREVIOUS/);
    expect(new Vault(randomBytes(32), [oldKey]).openSubscription('rcp_a', sealed)).toEqual(subscription);
  });

  test('a wrong key is a clear error that names rotation, and never shows a key', async () => {
    const oldKey = randomBytes(32);
    const sealed = new Vault(oldKey).seal('main', values);
    const current = new Vault(randomBytes(32));
    const error = (() => {
      try {
        current.open('main', sealed);
      } catch (e) {
        return e as Error & { vaultCode: string };
      }
    })();
    expect(error?.vaultCode).toBe('VAULT_KEY_MISMATCH');
    expect(error?.message).toContain(keyIdOf(oldKey));
    expect(error?.message).toContain('WEFT_MASTER_KEY_PREVIOUS');
    expect(error?.message).toMatch(/rotate/);
    expect(error?.message).not.toContain(oldKey.toString('hex'));
    // With the old key as a previous key, the row opens again (rotation).
    const rotating = new Vault(randomBytes(32), [oldKey]);
    expect(rotating.canOpen(sealed.keyId)).toBe(true);
    expect(rotating.open('main', sealed)).toEqual(values);
    expect(rotating.seal('main', values).keyId).toBe(rotating.keyId);
  });

  test('takes WEFT_MASTER_KEY as hex or base64 and refuses anything else clearly', async () => {
    const key = randomBytes(32);
    const dir = await home();
    const hex = await Vault.open(dir, { env: { WEFT_MASTER_KEY: key.toString('hex') } });
    const b64 = await Vault.open(dir, { env: { WEFT_MASTER_KEY: key.toString('base64') } });
    const url = await Vault.open(dir, { env: { WEFT_MASTER_KEY: key.toString('base64url') } });
    expect(new Set([hex.keyId, b64.keyId, url.keyId, keyIdOf(key)]).size).toBe(1);
    for (const bad of ['too-short', 'a'.repeat(63), randomBytes(16).toString('base64'), `${key.toString('hex')}00`]) {
      await expect(Vault.open(dir, { env: { WEFT_MASTER_KEY: bad } })).rejects.toThrow(
        /WEFT_MASTER_KEY must be a key of 32 bytes written as 64 hex characters or as base64/,
      );
    }
    expect(() => parseMasterKey('secret-looking-value', 'X')).toThrow(/\(20 characters\)/);
  });

  test('creates $WEFT_HOME/master.key (mode 0600) once and reuses it', async () => {
    const dir = await home();
    const first = await Vault.open(dir, { env: {} });
    const file = join(dir, 'master.key');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const again = await Vault.open(dir, { env: { WEFT_MASTER_KEY: '' } });
    expect(again.keyId).toBe(first.keyId);
    expect(again.open('c', first.seal('c', values))).toEqual(values);
  });

  test('a damaged key file is a clear error; a readable one a warning', async () => {
    const dir = await home();
    await writeFile(join(dir, 'master.key'), 'not a key\n', { mode: 0o600 });
    await expect(Vault.open(dir, { env: {} })).rejects.toThrow(/master\.key must be a key of 32 bytes/);
    const other = await home();
    await writeFile(join(other, 'master.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o644 });
    const warnings: string[] = [];
    await Vault.open(other, { env: {}, warn: (m) => warnings.push(m) });
    expect(warnings).toEqual([expect.stringContaining('chmod 600')]);
  });
});
