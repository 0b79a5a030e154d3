/**
 * `weft new <dir>`: a ready connector project (connector, settings example, a test, README)
 * that runs with `weft exec` right away.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@weft/sdk';
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

export async function newCommand(dir: string, options: { title?: string }, reporter: Reporter): Promise<number> {
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
    for (const file of await readdir(TEMPLATE_DIR)) {
      const text = (await readFile(join(TEMPLATE_DIR, file), 'utf8'))
        .replaceAll('__TITLE__', title)
        .replaceAll('__NAME__', name);
      await writeFile(join(target, RENAMES[file] ?? file), text);
    }
    process.stdout.write(
      `Created ${title} in ${dir}\n\nNext:\n  cd ${dir}\n  weft exec actions.greet.execute --input=input.json\n  weft validate\n`,
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
