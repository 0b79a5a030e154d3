/**
 * Bundles kept across restarts (`<bundleDir>/<sha256 of the folder's path>.folder.json`): a
 * connector folder is bundled again only when what its bundle was made from changed — a file
 * esbuild read (by content), the names in one of those files' folders (a file that appeared may
 * now be what an import resolves to), a `tsconfig.json`, `jsconfig.json` or `package.json` from
 * the connector's folder up, where `@weft/sdk` resolves from there, the working directory (the
 * bundle's source map names files relative to it), the SDK build or the esbuild version. A warm
 * restart with unchanged connectors then starts no esbuild at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { bundleConnectorFile } from '@weft/sdk/runtime';
import { sdkStamp } from './manifest-cache.js';

interface Kept {
  stamp: string;
  file: string;
  source: string;
  /** What the bundle depends on: `file:<path>`, `dir:<path>` or `sdk:<dir>`, each with its hash. */
  depends: Record<string, string>;
}

const CONFIG_FILES = ['tsconfig.json', 'jsconfig.json', 'package.json'];

function hashOf(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The current hash of one dependency (`none` for a file or folder that is not there). */
async function current(key: string): Promise<string> {
  const [kind, path] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  try {
    if (kind === 'file') return hashOf(await readFile(path));
    if (kind === 'dir') return hashOf((await readdir(path)).sort().join('\n'));
    return createRequire(join(path, 'noop.js')).resolve('@weft/sdk');
  } catch {
    return 'none';
  }
}

/** Every dependency of a bundle made from `inputs` for the connector file `file`. */
async function dependencies(file: string, inputs: string[]): Promise<Record<string, string>> {
  const keys = new Set<string>([`sdk:${dirname(file)}`]);
  for (const input of inputs) {
    keys.add(`file:${input}`);
    keys.add(`dir:${dirname(input)}`);
  }
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) keys.add(`file:${join(dir, name)}`);
    if (dirname(dir) === dir) break;
  }
  const depends: Record<string, string> = {};
  await Promise.all([...keys].map(async (key) => (depends[key] = await current(key))));
  return depends;
}

/** True when no file or folder of `keys` was modified at or after `since` (ms). */
async function unchangedSince(keys: string[], since: number): Promise<boolean> {
  const paths = keys.filter((k) => !k.startsWith('sdk:')).map((k) => k.slice(k.indexOf(':') + 1));
  const times = await Promise.all(
    paths.map((p) =>
      stat(p).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  // A second of margin: file systems with coarse timestamps round down.
  return times.every((t) => t < since - 1000);
}

/** What bundles: the SDK's loader build (its time) and the esbuild it runs (its version). */
function bundlerStamp(): string {
  const sdk = createRequire(import.meta.url).resolve('@weft/sdk/package.json');
  const loader = statSync(join(dirname(sdk), 'dist', 'load', 'load.js')).mtimeMs;
  const esbuild = createRequire(sdk).resolve('esbuild/package.json');
  return `${loader}|${(JSON.parse(readFileSync(esbuild, 'utf8')) as { version: string }).version}`;
}

export class BundleCache {
  private bundler?: string;

  constructor(private readonly dir: string) {}

  private keptFile(folder: string): string {
    return join(this.dir, `${hashOf(resolve(folder))}.folder.json`);
  }

  private stamp(): string {
    this.bundler ??= bundlerStamp();
    return `${sdkStamp()}|${this.bundler}|${process.cwd()}`;
  }

  /** The folder's connector file and bundled source: the kept ones while nothing they depend on changed. */
  async bundle(folder: string): Promise<{ file: string; source: string }> {
    const kept = await this.read(folder);
    if (kept) return { file: kept.file, source: kept.source };
    const began = Date.now();
    const { file, source, inputs } = await bundleConnectorFile(folder);
    if (inputs) {
      const depends = await dependencies(file, inputs);
      // A file or folder changed while esbuild read it: what was read is not known, so not kept.
      if (await unchangedSince(Object.keys(depends), began)) {
        await this.keep(folder, { stamp: this.stamp(), file, source, depends });
      }
    }
    return { file, source };
  }

  private async read(folder: string): Promise<Kept | undefined> {
    let kept: Kept;
    try {
      kept = JSON.parse(await readFile(this.keptFile(folder), 'utf8')) as Kept;
    } catch {
      return undefined;
    }
    if (kept.stamp !== this.stamp() || typeof kept.source !== 'string' || !kept.depends) return undefined;
    const checks = await Promise.all(
      Object.entries(kept.depends).map(async ([key, hash]) => (await current(key)) === hash),
    );
    return checks.every(Boolean) ? kept : undefined;
  }

  private async keep(folder: string, kept: Kept): Promise<void> {
    const file = this.keptFile(folder);
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const partial = `${file}.${randomUUID()}.partial`;
      await writeFile(partial, JSON.stringify(kept), { mode: 0o600 });
      await rename(partial, file);
    } catch {
      // Not kept: the next start bundles again.
    }
  }
}
