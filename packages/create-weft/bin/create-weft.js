#!/usr/bin/env node
// `npm create weft@latest <folder>` (or `npx create-weft <folder>`): a Weft connector project in
// a folder of its own, from the same template as `weft new` (packages/cli/templates/connector,
// copied in when this package is packed). Depends on nothing, so `npm create` is quick; the
// project's own `npm install` then brings @weft/sdk and @weft/cli.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const USAGE = `Usage: npm create weft@latest <folder> [-- --title <title>]
       npx create-weft <folder> [--title <title>]

Writes a Weft connector project into <folder> (which must be new or empty).
`;

/** Template files whose names npm would mangle on publish are stored under another name. */
const RENAMES = { gitignore: '.gitignore' };

/** The template and the package.json of the CLI it belongs to: packed copies, else the checkout's. */
function templateSource() {
  const packed = fileURLToPath(new URL('../templates/', import.meta.url));
  if (existsSync(join(packed, 'connector'))) {
    return { dir: join(packed, 'connector'), cliPackage: join(packed, 'cli-package.json') };
  }
  const cli = fileURLToPath(new URL('../../cli/', import.meta.url));
  return { dir: join(cli, 'templates', 'connector'), cliPackage: join(cli, 'package.json') };
}

function parseArgs(argv) {
  const options = { folder: undefined, title: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') options.help = true;
    else if (arg === '--title') options.title = argv[++i];
    else if (arg.startsWith('--title=')) options.title = arg.slice('--title='.length);
    else if (arg.startsWith('-') || options.folder !== undefined) throw new Error(`unexpected argument ${arg}`);
    else options.folder = arg;
  }
  if (options.title === '') throw new Error('--title needs a value');
  return options;
}

async function create(folder, title) {
  const target = resolve(folder);
  if (existsSync(target) && (await readdir(target)).length > 0) {
    throw new Error(`${folder} already exists and is not empty: choose a new folder`);
  }
  const { dir, cliPackage } = templateSource();
  const cli = JSON.parse(await readFile(cliPackage, 'utf8'));
  const words = basename(target)
    .replace(/[-_]+/g, ' ')
    .replace(/\b\w/g, (c) => c.toUpperCase())
    .trim();
  const name =
    basename(target)
      .toLowerCase()
      .replace(/[^a-z0-9-_]+/g, '-') || 'connector';
  const placeholders = {
    __TITLE__: title ?? (words || 'My connector'),
    __NAME__: name,
    __WEFT_VERSION__: `^${cli.version}`,
    __VITEST_VERSION__: cli.dependencies.vitest,
  };
  await mkdir(target, { recursive: true });
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const from = join(entry.parentPath, entry.name);
    const text = (await readFile(from, 'utf8')).replace(/__[A-Z_]+__/g, (p) => placeholders[p] ?? p);
    const to = join(target, dirname(relative(dir, from)), RENAMES[entry.name] ?? entry.name);
    await mkdir(dirname(to), { recursive: true });
    await writeFile(to, text);
  }
  return placeholders.__TITLE__;
}

try {
  const options = parseArgs(process.argv.slice(2));
  if (options.help || options.folder === undefined) {
    (options.help ? process.stdout : process.stderr).write(USAGE);
    process.exitCode = options.help ? 0 : 2;
  } else {
    const title = await create(options.folder, options.title);
    process.stdout.write(
      `Created ${title} in ${options.folder}\n\nNext:\n  cd ${options.folder}\n  npm install\n` +
        '  npx weft exec actions.greet.execute --input=input.json\n  npm test\n',
    );
  }
} catch (error) {
  process.stderr.write(`create-weft: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
