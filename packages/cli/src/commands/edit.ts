/**
 * `weft edit [settings.yaml.enc]`: decrypts the settings into a private temporary folder, opens
 * them in `$VISUAL` / `$EDITOR` (default `vi`), and encrypts the result again with a fresh nonce.
 * The encrypted file changes only when the edited text is a valid settings mapping; otherwise
 * the edit is kept in a recovery file (mode 0600) whose path is printed, to resume with --from.
 * The plain text never lands beside the settings, and the temporary folder is always removed
 * (except for a recovery file).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { messageOf, UsageError } from '@weft/sdk';
import { writeFileAtomic } from '../atomic-write.js';
import type { EditFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { parseSettingsText } from '../settings.js';
import {
  ENCRYPTED_SUFFIX,
  encryptSettings,
  isEncryptedFile,
  plainNameOf,
  readBytes,
  readEncryptedSettings,
} from '../settings-crypto.js';

const WORK_DIR_PREFIX = 'weft-edit-';

/** `$VISUAL`, then `$EDITOR`, then `vi`; the value may carry arguments (`code --wait`). */
export function editorCommand(env: NodeJS.ProcessEnv = process.env): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

function runEditor(editor: string, path: string, file: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    // Through the shell, as git does, so that EDITOR may hold arguments; the path is passed as
    // "$1" and never parsed by the shell.
    const child =
      process.platform === 'win32'
        ? spawn(`${editor} "${path}"`, { shell: true, stdio: 'inherit' })
        : spawn('/bin/sh', ['-c', `${editor} "$@"`, editor, path], { stdio: 'inherit' });
    // Ctrl-C in the terminal reaches the editor too; weft waits for it so that it can clean up.
    const ignoreInterrupt = () => {};
    process.on('SIGINT', ignoreInterrupt);
    const done = () => process.off('SIGINT', ignoreInterrupt);
    child.on('error', (error) => {
      done();
      reject(new UsageError(`cannot start the editor "${editor}" (${messageOf(error)}); ${file} was left unchanged`));
    });
    child.on('exit', (code, signal) => {
      done();
      if (code === 0) return resolvePromise();
      const how = signal ? `was stopped by ${signal}` : `exited with code ${code}`;
      const hint = code === 127 ? ' (is it installed? set $VISUAL or $EDITOR to the editor to use)' : '';
      reject(new UsageError(`the editor "${editor}" ${how}${hint}; ${file} was left unchanged`));
    });
  });
}

/** A recovery file that an earlier `weft edit` left in its own temporary folder. */
function isOwnRecoveryFile(path: string): boolean {
  const folder = dirname(resolve(path));
  return dirname(folder) === resolve(tmpdir()) && basename(folder).startsWith(WORK_DIR_PREFIX);
}

export async function editCommand(file: string, flags: EditFlags, reporter: Reporter): Promise<number> {
  let workDir: string | undefined;
  let keepWorkDir = false;
  try {
    if (!isEncryptedFile(file)) {
      throw new UsageError(
        `weft edit edits encrypted settings (*${ENCRYPTED_SUFFIX}); ${file} is plain: open it in your editor, ` +
          `or encrypt it first with: weft settings encrypt ${file}`,
      );
    }
    const warn = (m: string) => reporter.note(`weft: warning: ${m}`);
    const { text: current, masterKey, bytes } = await readEncryptedSettings(file, '', { warn });
    const start = flags.from === undefined ? current : (await readBytes(flags.from, '--from=')).toString('utf8');

    // mkdtemp creates the folder with mode 0700: nobody else can even list it.
    workDir = await mkdtemp(join(tmpdir(), WORK_DIR_PREFIX));
    const draft = join(workDir, basename(plainNameOf(file)));
    await writeFile(draft, start, { mode: 0o600, flag: 'wx' });
    await runEditor(editorCommand(), draft, file);
    const edited = await readFile(draft, 'utf8');

    if (edited === current) {
      reporter.note(`weft: no changes; ${file} was left as it was`);
    } else {
      const keep = async (why: string, outcome = 'was left unchanged'): Promise<never> => {
        keepWorkDir = true;
        await chmod(draft, 0o600); // an editor that saves by rename may have widened it
        throw new UsageError(
          `${why}\n${file} ${outcome}. Your edit is kept in ${draft} (readable only by you): ` +
            `continue with  weft edit ${file} --from=${draft}  or delete it.`,
          'SETTINGS_INVALID',
        );
      };
      try {
        await parseSettingsText(draft, edited);
      } catch (error) {
        await keep(messageOf(error));
      }
      // Someone (another weft, a refresh) rewrote the file meanwhile: do not overwrite their work.
      const now = await readBytes(file, '');
      if (!now.equals(bytes))
        await keep(`${file} was changed by something else while you were editing.`, 'was not overwritten');
      await writeFileAtomic(file, encryptSettings(edited, masterKey.key), 0o600);
      reporter.note(`weft: saved ${file} (encrypted with the key from ${masterKey.source})`);
    }
    if (flags.from !== undefined && isOwnRecoveryFile(flags.from)) {
      await rm(dirname(resolve(flags.from)), { recursive: true, force: true });
      reporter.note(`weft: removed the recovery file ${flags.from}`);
    }
    return 0;
  } catch (error) {
    return reporter.fail(error);
  } finally {
    if (workDir && !keepWorkDir) await rm(workDir, { recursive: true, force: true });
  }
}
