/**
 * `weft settings encrypt [file]` and `weft settings decrypt [file]`: move a settings file between
 * its plain form (`settings.yaml`) and its encrypted form (`settings.yaml.enc`).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { UsageError } from '@weft/sdk';
import { writeFileAtomic } from '../atomic-write.js';
import type { DecryptFlags, EncryptFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { parseSettingsText } from '../settings.js';
import {
  createMasterKey,
  ENCRYPTED_SUFFIX,
  encryptSettings,
  findMasterKey,
  isEncryptedFile,
  MASTER_KEY_ENV,
  readBytes,
  readEncryptedSettings,
} from '../settings-crypto.js';

export async function encryptCommand(file: string, flags: EncryptFlags, reporter: Reporter): Promise<number> {
  try {
    if (isEncryptedFile(file)) {
      throw new UsageError(`${file} is already encrypted; name the plain settings file (e.g. settings.yaml)`);
    }
    const target = `${file}${ENCRYPTED_SUFFIX}`;
    const text = (await readBytes(file, '')).toString('utf8');
    // Refuse to seal something that `weft exec` could not read afterwards.
    await parseSettingsText(file, text);
    if (existsSync(target) && !flags.force) {
      throw new UsageError(`${target} already exists: pass --force to replace it`);
    }
    let masterKey = await findMasterKey(target, { warn: (m) => reporter.note(`weft: warning: ${m}`) });
    if (!masterKey) {
      masterKey = await createMasterKey(target);
      reporter.note(
        `weft: created the master key ${masterKey.source} (mode 0600). Keep it out of git and keep a copy ` +
          `somewhere safe: without it ${target} cannot be decrypted. In CI, pass its content as ${MASTER_KEY_ENV}.`,
      );
    }
    await writeFileAtomic(target, encryptSettings(text, masterKey.key), 0o600);
    reporter.note(`weft: encrypted ${file} into ${target} (key from ${masterKey.source})`);
    if (flags.removePlain) {
      await rm(file);
      reporter.note(`weft: removed ${file}`);
    } else {
      reporter.note(`weft: ${file} is still there: delete it (or use --remove-plain) and keep it out of git`);
    }
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}

export async function decryptCommand(file: string, flags: DecryptFlags, reporter: Reporter): Promise<number> {
  try {
    if (!isEncryptedFile(file)) {
      throw new UsageError(`${file} is not an encrypted settings file (those end in ${ENCRYPTED_SUFFIX})`);
    }
    if (flags.output !== undefined && existsSync(flags.output) && !flags.force) {
      throw new UsageError(`--output=${flags.output} already exists: pass --force to replace it`);
    }
    const { text } = await readEncryptedSettings(file, '', {
      warn: (m) => reporter.note(`weft: warning: ${m}`),
    });
    if (flags.output === undefined) {
      process.stdout.write(text);
      return 0;
    }
    // The plain text holds secrets: only its owner may read it.
    await writeFileAtomic(flags.output, text, 0o600);
    reporter.note(`weft: decrypted ${file} into ${flags.output} (mode 0600); keep it out of git`);
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
