/**
 * `weft new <dir>`: a ready connector project (connector, settings example, a test, README,
 * package.json and tsconfig.json) that runs with `weft exec` right away. The same template is
 * what `npm create weft` writes (packages/create-weft).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '@weft/sdk';
import type { NewFlags } from '../flags.js';
import type { Reporter } from '../report.js';

const TEMPLATE_DIR = fileURLToPath(new URL('../../templates/connector/', import.meta.url));
const CLI_PACKAGE = new URL('../../package.json', import.meta.url);

/**
 * What the template's package.json depends on: this Weft's own version of `@weft/sdk` and
 * `@weft/cli` (released together), and the Vitest range the CLI runs `weft test` with.
 * (create-weft fills the same placeholders from the same package.json.)
 */
async function versions(): Promise<Record<string, string>> {
  const cli = JSON.parse(await readFile(CLI_PACKAGE, 'utf8')) as {
    version: string;
    dependencies: Record<string, string>;
  };
  return { __WEFT_VERSION__: `^${cli.version}`, __VITEST_VERSION__: cli.dependencies.vitest };
}

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
    const placeholders: Record<string, string> = { ...(await versions()), __TITLE__: title, __NAME__: name };
    await mkdir(target, { recursive: true });
    // Recursive: the template ships a recorded cassette under __cassettes__/.
    for (const entry of await readdir(TEMPLATE_DIR, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const from = join(entry.parentPath, entry.name);
      const rel = relative(TEMPLATE_DIR, from);
      const text = (await readFile(from, 'utf8')).replace(/__[A-Z_]+__/g, (p) => placeholders[p] ?? p);
      const to = join(target, dirname(rel), RENAMES[entry.name] ?? entry.name);
      await mkdir(dirname(to), { recursive: true });
      await writeFile(to, text);
    }
    process.stdout.write(
      `Created ${title} in ${dir}\n\nNext:\n  cd ${dir}\n  npx weft exec actions.greet.execute --input=input.json\n  npx weft validate\n  npx weft test\n`,
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
