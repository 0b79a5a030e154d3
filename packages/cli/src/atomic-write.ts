/**
 * Writes that never leave a half-written file behind: the data goes to a temporary file in the
 * same folder (so the final rename stays on one file system), is flushed, and then replaces the
 * target in one `rename`. A crash leaves either the old file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Follows a symlink so that the link keeps pointing at the (rewritten) file. */
async function realTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Writes a new file and syncs it; `wx`: never follows or reuses something already at `path`. */
async function writeNew(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const handle = await open(path, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeTemp(temp: string, data: string | Uint8Array, mode: number): Promise<void> {
  await writeNew(temp, data, mode);
  // The umask may have taken bits away from `mode`; set exactly what was asked.
  await chmod(temp, mode);
}

/** The permission bits of an existing file, or `fallback` when it does not exist. */
export async function modeOf(path: string, fallback: number): Promise<number> {
  try {
    return (await stat(path)).mode & 0o777;
  } catch {
    return fallback;
  }
}

/** Replaces (or creates) `path` with `data`, atomically, with permission bits `mode`. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const target = await realTarget(path);
  const temp = tempPathFor(target);
  try {
    await writeTemp(temp, data, mode);
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Creates `path` with `data` only if nothing exists there yet (throws `EEXIST` otherwise), and
 * never shows a partly written file: the complete temporary file is hard-linked into place.
 */
export async function createFileExclusive(path: string, data: string | Uint8Array, mode: number): Promise<void> {
  const temp = tempPathFor(path);
  try {
    await writeTemp(temp, data, mode);
    try {
      await link(temp, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // File systems without hard links: fall back to an exclusive create.
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
      await writeNew(path, data, mode);
    }
  } finally {
    await rm(temp, { force: true });
  }
}
