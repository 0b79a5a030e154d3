/**
 * The data directory `$WEFT_HOME` (default `./.weft`) and the admin API token kept in it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WeftError } from '@weft/sdk';

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.WEFT_HOME || '.weft');
}

export async function ensureHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
}

export interface AdminToken {
  token: string;
  /** Where it came from, for the start-up message. */
  source: 'env' | 'file' | 'created';
  file: string;
}

/** `WEFT_ADMIN_TOKEN`, else `$WEFT_HOME/admin.token`, created (mode 0600) on first start. */
export async function adminToken(home: string, env: NodeJS.ProcessEnv = process.env): Promise<AdminToken> {
  const file = join(home, 'admin.token');
  if (env.WEFT_ADMIN_TOKEN) {
    if (env.WEFT_ADMIN_TOKEN.length < 16) {
      throw new WeftError('SETTINGS_INVALID', 'WEFT_ADMIN_TOKEN must be at least 16 characters long');
    }
    return { token: env.WEFT_ADMIN_TOKEN, source: 'env', file };
  }
  if (existsSync(file)) {
    const token = (await readFile(file, 'utf8')).trim();
    if (token.length < 16) {
      throw new WeftError('SETTINGS_INVALID', `${file} holds no valid token: delete it to have a new one created`);
    }
    return { token, source: 'file', file };
  }
  const token = `weft_${randomBytes(32).toString('base64url')}`;
  await writeFile(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { token, source: 'created', file };
}
