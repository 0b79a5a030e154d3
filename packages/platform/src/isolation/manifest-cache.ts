/**
 * Manifests kept beside their bundles (`<sha256>.manifest.json`), so that a restart knows what
 * each connector defines without starting a host for it: hosts then start when a connector is
 * first used. A manifest is kept only when it is plain JSON, and only for the SDK build that
 * validated it (the stamp: the SDK's version and the time its validator was built).
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let stamp: string | undefined;

/** The SDK build: its version and the time its validator was built (read once). */
export function sdkStamp(): string {
  if (stamp !== undefined) return stamp;
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@weft/sdk/package.json');
  const version = (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  const built = statSync(join(dirname(pkg), 'dist', 'validate', 'index.js')).mtimeMs;
  stamp = `${version}@${built}`;
  return stamp;
}

function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1));
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every((v) => isPlainJson(v, depth + 1));
}

export function manifestFile(bundle: string): string {
  return bundle.replace(/\.mjs$/, '.manifest.json');
}

/** The manifest kept for this bundle by this SDK build, if any. */
export async function readManifest(bundle: string): Promise<unknown> {
  try {
    const kept = JSON.parse(await readFile(manifestFile(bundle), 'utf8')) as { stamp?: string; manifest?: unknown };
    return kept.stamp === sdkStamp() ? kept.manifest : undefined;
  } catch {
    return undefined;
  }
}

export async function keepManifest(bundle: string, manifest: unknown): Promise<void> {
  if (!isPlainJson(manifest)) return;
  const file = manifestFile(bundle);
  const partial = `${file}.${process.pid}.partial`;
  await writeFile(partial, JSON.stringify({ stamp: sdkStamp(), manifest }), { mode: 0o600 });
  await rename(partial, file);
}
