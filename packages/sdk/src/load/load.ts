/**
 * Loads a connector file (TypeScript or JavaScript) without a build step: esbuild bundles the
 * file and its local imports into one ES module written beside it (so bare imports resolve from
 * the connector's own node_modules), which is imported and then removed. `@weft/sdk` resolves
 * to this SDK when the connector's folder has no copy of its own, so a fresh `weft new`
 * project runs before `npm install`.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withCustomAction } from '../custom-action.js';
import { ConnectorLoadError, messageOf } from '../errors.js';
import type { ConnectorDefinition } from '../types.js';
import { assertValidConnector } from '../validate/index.js';

export const CONNECTOR_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

export interface LoadedConnector {
  /** The connector's name: `definition.name`, else its folder (for `connector.ts`) or file name. */
  name: string;
  file: string;
  definition: ConnectorDefinition;
  /** The bundled source (what `weft push` uploads). */
  source: string;
}

export interface LoadOptions {
  /** Skip `validateConnector` (for `weft validate`, which reports problems itself). */
  validate?: boolean;
}

const SDK_ENTRY = fileURLToPath(new URL('../index.js', import.meta.url));

/** Resolves a connector argument: a file, or a folder holding `connector.ts`/`.js`. */
export function resolveConnectorPath(path: string): string {
  const full = resolve(path);
  if (!existsSync(full)) {
    throw new ConnectorLoadError('CONNECTOR_NOT_FOUND', `Connector file not found: ${path}`);
  }
  if (statSync(full).isDirectory()) {
    for (const ext of CONNECTOR_EXTENSIONS) {
      const candidate = join(full, `connector${ext}`);
      if (existsSync(candidate)) return candidate;
    }
    throw new ConnectorLoadError(
      'CONNECTOR_NOT_FOUND',
      `No connector.ts or connector.js in folder ${path}: pass the connector file with --connector=<file>`,
    );
  }
  if (!CONNECTOR_EXTENSIONS.includes(extname(full))) {
    throw new ConnectorLoadError(
      'CONNECTOR_NOT_LOADABLE',
      `${path} is not a TypeScript or JavaScript file (expected one of ${CONNECTOR_EXTENSIONS.join(', ')})`,
    );
  }
  return full;
}

function sdkResolvableFrom(dir: string): boolean {
  try {
    createRequire(join(dir, 'noop.js')).resolve('@weft/sdk');
    return true;
  } catch {
    return false;
  }
}

async function bundle(file: string): Promise<{ text: string; inputs: string[] }> {
  const esbuild = await import('esbuild');
  const dir = dirname(file);
  const ownSdk = !sdkResolvableFrom(dir);
  try {
    const result = await esbuild.build({
      entryPoints: [file],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      packages: 'external',
      sourcemap: 'inline',
      logLevel: 'silent',
      metafile: true,
      plugins: ownSdk
        ? [
            {
              name: 'weft-sdk',
              setup(build) {
                build.onResolve({ filter: /^@weft\/sdk$/ }, () => ({
                  path: pathToFileURL(SDK_ENTRY).href,
                  external: true,
                }));
              },
            },
          ]
        : [],
    });
    // The files read, relative to the working directory esbuild ran in.
    const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(input));
    return { text: result.outputFiles[0].text, inputs };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] })
      .errors;
    if (errors?.length) {
      const lines = errors.slice(0, 5).map((e) => {
        const loc = e.location ? `${basename(e.location.file)}:${e.location.line}:${e.location.column + 1}: ` : '';
        return `${loc}${e.text}`;
      });
      throw new ConnectorLoadError('CONNECTOR_SYNTAX', `Cannot compile ${basename(file)}:\n  ${lines.join('\n  ')}`);
    }
    throw new ConnectorLoadError('CONNECTOR_NOT_LOADABLE', `Cannot compile ${basename(file)}: ${messageOf(error)}`);
  }
}

let counter = 0;

async function importBundle(file: string, code: string): Promise<Record<string, unknown>> {
  const stamp = `${Date.now()}-${process.pid}-${counter++}`;
  let out = join(dirname(file), `.${basename(file)}.timestamp-${stamp}.mjs`);
  try {
    await writeFile(out, code);
  } catch {
    // A read-only folder: import from the temp folder (bare imports then resolve from Weft's own).
    out = join(tmpdir(), `weft-${basename(file)}.timestamp-${stamp}.mjs`);
    await writeFile(out, code);
  }
  try {
    return (await import(pathToFileURL(out).href)) as Record<string, unknown>;
  } finally {
    await unlink(out).catch(() => {});
  }
}

/** The connector's name: `definition.name`, else its folder (for `connector.ts`) or file name. */
export function nameOf(file: string, definition: ConnectorDefinition): string {
  if (typeof definition.name === 'string' && definition.name) return definition.name;
  const stem = basename(file, extname(file));
  return stem === 'connector' || stem === 'index' ? basename(dirname(file)) : stem;
}

/**
 * Resolves and bundles a connector file without evaluating it: its local imports inlined, npm
 * packages left as imports (what `weft push` uploads, and what an isolated host evaluates).
 * `inputs`: the absolute paths of the files the bundle was made from.
 */
export async function bundleConnectorFile(path: string): Promise<{ file: string; source: string; inputs: string[] }> {
  const file = resolveConnectorPath(path);
  await readFile(file).catch((error) => {
    throw new ConnectorLoadError('CONNECTOR_NOT_LOADABLE', `Cannot read ${path}: ${messageOf(error)}`);
  });
  const { text, inputs } = await bundle(file);
  return { file, source: text, inputs };
}

/**
 * A bundle made ahead for `file` (`weft test --isolate` bundles the project's connector before
 * its tests run without the right to start esbuild): `WEFT_PREBUNDLED` maps connector files to
 * bundle files written beside them.
 */
function prebundled(file: string): string | undefined {
  const map = process.env.WEFT_PREBUNDLED;
  if (!map) return undefined;
  try {
    const bundle = (JSON.parse(map) as Record<string, unknown>)[file];
    return typeof bundle === 'string' ? bundle : undefined;
  } catch {
    return undefined;
  }
}

/** Loads, evaluates and (by default) validates a connector file. */
export async function loadConnectorFile(path: string, options: LoadOptions = {}): Promise<LoadedConnector> {
  const file = resolveConnectorPath(path);
  const made = prebundled(file);
  const { source } = made ? { source: await readFile(made, 'utf8') } : await bundleConnectorFile(file);
  let mod: Record<string, unknown>;
  try {
    mod = made
      ? ((await import(pathToFileURL(made).href)) as Record<string, unknown>)
      : await importBundle(file, source);
  } catch (error) {
    throw new ConnectorLoadError('CONNECTOR_NOT_LOADABLE', `Loading ${basename(file)} failed: ${messageOf(error)}`, {
      cause: error,
    });
  }
  let definition = mod.default as unknown;
  // A CommonJS connector's module.exports arrives as `default`, possibly wrapping `default` again.
  if (definition && typeof definition === 'object' && 'default' in definition && !('title' in definition)) {
    definition = (definition as { default: unknown }).default;
  }
  if (definition === undefined) {
    throw new ConnectorLoadError(
      'CONNECTOR_NO_DEFAULT_EXPORT',
      `${basename(file)} has no default export: end it with \`export default defineConnector({ ... })\``,
    );
  }
  definition = withCustomAction(definition);
  const checked = options.validate === false ? (definition as ConnectorDefinition) : assertValidConnector(definition);
  return { name: nameOf(file, checked), file, definition: checked, source };
}
