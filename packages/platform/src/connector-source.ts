/**
 * Connector sources inside the runtime. A source is the bundled ES module that
 * `loadConnectorFile` produces (and `weft push` uploads): local imports are inlined, bare package
 * imports stay external. To run one, the server writes it to a file of its own with `@weft/sdk`
 * pointing at the platform's SDK, imports it and validates the default export.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ConnectorDefinition, ConnectorLoadError, DefinitionError, messageOf } from '@weft/sdk';
import { validateConnector, withCustomAction } from '@weft/sdk/runtime';

/** The platform's own SDK entry, as a file URL (what pushed sources import). */
export const PLATFORM_SDK_URL = pathToFileURL(createRequire(import.meta.url).resolve('@weft/sdk')).href;

/** `from "@weft/sdk"`, `import "@weft/sdk"`, `import("@weft/sdk")`, with either quote. */
const SDK_SPECIFIER = /(\b(?:from|import)\s*\(?\s*)(["'])@weft\/sdk\2/g;

/** The source with every bare `@weft/sdk` import pointing at the platform's SDK. */
export function withPlatformSdk(source: string): string {
  return source.replace(
    SDK_SPECIFIER,
    (_match, head: string, quote: string) => `${head}${quote}${PLATFORM_SDK_URL}${quote}`,
  );
}

export function checksumOf(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

/** The default export, unwrapping a CommonJS `module.exports` as `loadConnectorFile` does. */
function definitionOf(mod: Record<string, unknown>): unknown {
  let definition = mod.default;
  if (definition && typeof definition === 'object' && 'default' in definition && !('title' in definition)) {
    definition = (definition as { default: unknown }).default;
  }
  return definition;
}

/** Writes the source, with the platform's SDK, to `file` unless it holds it already; returns the code. */
export async function writeConnectorSource(source: string, file: string): Promise<string> {
  const code = withPlatformSdk(source);
  const current = await readFile(file, 'utf8').catch(() => undefined);
  if (current !== code) {
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    // Written aside and renamed: a reader never imports half a file.
    const partial = `${file}.${randomUUID()}.partial`;
    await writeFile(partial, code, { mode: 0o600 });
    await rename(partial, file);
  }
  return code;
}

/**
 * Writes the source to `file` (see `writeConnectorSource`), imports it and validates the
 * definition. Problems are the SDK's errors: `CONNECTOR_NOT_LOADABLE` (it does not evaluate),
 * `CONNECTOR_NO_DEFAULT_EXPORT`, `DEFINITION_INVALID` (with every problem's path).
 */
export async function importConnectorSource(source: string, file: string): Promise<ConnectorDefinition> {
  const code = await writeConnectorSource(source, file);
  return evaluateConnectorFile(file, checksumOf(code));
}

/**
 * Imports a written source (see `writeConnectorSource`) and validates the definition; what a
 * connector host does with the file the server wrote for it.
 */
export async function evaluateConnectorFile(file: string, checksum: string): Promise<ConnectorDefinition> {
  // The content hash in the URL: a file rewritten with other code is not served from the module cache.
  const url = `${pathToFileURL(file).href}?checksum=${checksum.slice(0, 16)}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    // Where the server keeps its copy means nothing to the person who pushed the source.
    const message = messageOf(error).split(url).join('the source').split(file).join('the source');
    throw new ConnectorLoadError('CONNECTOR_NOT_LOADABLE', `The connector source does not load: ${message}`, {
      cause: error,
    });
  }
  const exported = definitionOf(mod);
  if (exported === undefined) {
    throw new ConnectorLoadError(
      'CONNECTOR_NO_DEFAULT_EXPORT',
      'The connector source has no default export: end the connector with `export default defineConnector({ ... })`',
    );
  }
  // As `loadConnectorFile` does for folders: `customAction: true` brings its `custom_action`.
  const definition = withCustomAction(exported as ConnectorDefinition);
  const problems = validateConnector(definition);
  if (problems.length) throw new DefinitionError(problems);
  return definition;
}

/** Imports a source from a private file that is removed afterwards (a push before it is accepted). */
export async function tryConnectorSource(source: string, file: string): Promise<ConnectorDefinition> {
  try {
    return await importConnectorSource(source, file);
  } finally {
    await unlink(file).catch(() => {});
  }
}
