/**
 * `weft new <dir>`: a ready connector project (connector, settings example, a test, README)
 * that runs with `weft exec` right away.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@weft/sdk';
import type { NewFlags } from '../flags.js';
import type { Reporter } from '../report.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/connector/', import.meta.url));

/** Template files whose names npm would mangle on publish are stored under another name. */
const RENAMES: Record<string, string> = { gitignore: '.gitignore' };

function titleFrom(dir: string): string {
  return basename(dir)
    .replace(/[-_]+/g, ' ')
    .replace(/\b\w/g, (c) => c.toUpperCase())
    .trim();
}

export async function newCommand(dir: string, options: NewFlags, reporter: Reporter): Promise<number> {
  try {
    const target = resolve(dir);
    if (existsSync(target) && (await readdir(target)).length > 0) {
      throw new UsageError(`${dir} already exists and is not empty: choose a new folder`);
    }
    const title = options.title ?? (titleFrom(target) || 'My connector');
    const name =
      basename(target)
        .toLowerCase()
        .replace(/[^a-z0-9-_]+/g, '-') || 'connector';
    await mkdir(target, { recursive: true });
    // Recursive: the template ships a recorded cassette under __cassettes__/.
    for (const entry of await readdir(TEMPLATE_DIR, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const from = join(entry.parentPath, entry.name);
      const rel = relative(TEMPLATE_DIR, from);
      const text = (await readFile(from, 'utf8')).replaceAll('__TITLE__', title).replaceAll('__NAME__', name);
      const to = join(target, dirname(rel), RENAMES[entry.name] ?? entry.name);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, text);
    }
    process.stdout.write(
      `Created ${title} in ${dir}\n\nNext:\n  cd ${dir}\n  weft exec actions.greet.execute --input=input.json\n  weft validate\n  weft test\n`,
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
