/**
 * The connectors registry: connectors loaded from folders (each sub-folder with a
 * `connector.ts` or `.js` is one connector, as is a given folder that holds one itself; named after
 * the folder unless the definition sets `name`) or pushed through the API, validated, and
 * versioned in the store whenever their source changes. Recipes pin versions; `definitionAt`
 * answers the definition of any stored version.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type ConnectorDefinition, isWeftError, messageOf, WeftError } from '@weft/sdk';
import type { ConnectorProblem } from '@weft/sdk/model';
import { CONNECTOR_EXTENSIONS, type LoadedConnector } from '@weft/sdk/runtime';
import { type ConnectorRuntime, InProcessRuntime } from './connector-runtime.js';
import { checksumOf, tryConnectorSource, writeConnectorSource } from './connector-source.js';
import { unsafeCharacter, visible } from './names.js';
import { cachedLoad } from './promise-cache.js';
import type { ConnectorVersion, Store } from './store/store.js';

export interface RegisteredConnector {
  name: string;
  /** The connector file, or for a pushed connector the file its stored source was written to. */
  file: string;
  definition: ConnectorDefinition;
  version: ConnectorVersion;
  /** Loaded from the built-in connectors shipped with the platform (`packages/platform/builtins`). */
  builtin?: true;
}

/** A folder that did not load: the API's shape (`@weft/sdk/model`). */
export type RegistryProblem = ConnectorProblem;

export interface RegistryOptions {
  /** `$WEFT_HOME`: stored and pushed sources are written below `<home>/connectors/`. */
  home?: string;
  /** Where connector code runs (default: in this process). */
  runtime?: ConnectorRuntime;
}

export interface PushResult {
  connector: RegisteredConnector;
  /** False when the source equals the current version's (nothing changed). */
  created: boolean;
}

/** What a pushed version's `origin` says. */
export const PUSH_ORIGIN = 'push';

/** Connector folders loaded at once on start. */
const LOAD_CONCURRENCY = Math.max(2, availableParallelism());

/** Runs `fn` over `items`, at most `limit` at once; the promises in the items' order. */
function inBatches<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R>[] {
  const results: Promise<R>[] = [];
  const running: Promise<unknown>[] = [];
  for (const [i, item] of items.entries()) {
    const before = i >= limit ? running[i - limit] : Promise.resolve();
    const result = before.then(() => fn(item));
    results.push(result);
    running.push(result.catch(() => {}));
  }
  return results;
}

/** The connector folders (with a `connector.ts` or `.js`) directly below each directory, sorted per directory. */
async function foldersBelow(dirs: string[]): Promise<string[]> {
  const folders: string[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) {
      throw new WeftError('SETTINGS_INVALID', `Connector folder not found: ${dir}`);
    }
    // A connector project's own folder (`weft serve --connectors .` in it) is that one connector.
    if (CONNECTOR_EXTENSIONS.some((ext) => existsSync(join(dir, `connector${ext}`)))) {
      folders.push(resolve(dir));
      continue;
    }
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const folder = join(dir, entry.name);
      if (CONNECTOR_EXTENSIONS.some((ext) => existsSync(join(folder, `connector${ext}`)))) folders.push(folder);
    }
  }
  return folders;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export class Registry {
  private readonly connectors = new Map<string, RegisteredConnector>();
  /** Definitions of versions other than the current ones, by `name@version`. */
  private readonly versions = new Map<string, Promise<ConnectorDefinition>>();
  /** Pushes run one at a time: each reads the latest version and makes the next one. */
  private publishing: Promise<unknown> = Promise.resolve();
  private readonly sourceDir: string;
  readonly problems: RegistryProblem[] = [];
  /** Start-up notices that are not problems (a user folder replacing a built-in connector). */
  readonly notices: string[] = [];
  readonly runtime: ConnectorRuntime;

  constructor(
    private readonly store: Store,
    options: RegistryOptions = {},
  ) {
    this.sourceDir = join(options.home ?? join(tmpdir(), `weft-registry-${process.pid}`), 'connectors');
    this.runtime = options.runtime ?? new InProcessRuntime();
  }

  list(): RegisteredConnector[] {
    return [...this.connectors.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): RegisteredConnector | undefined {
    return this.connectors.get(name);
  }

  /**
   * The definition of a connector at a pinned version (what a recipe runs with). The current
   * version is answered from memory; other versions are loaded once from their stored source
   * and kept (the job engine asks for every step).
   */
  async definitionAt(name: string, version: number): Promise<ConnectorDefinition> {
    const loaded = this.connectors.get(name);
    if (loaded && loaded.version.version === version) return loaded.definition;
    // A failure is not kept: the next call tries again.
    return cachedLoad(this.versions, `${name}@${version}`, () => this.loadStored(name, version));
  }

  /** Where the stored source of a version is written to be imported. */
  private fileOf(name: string, version: number): string {
    const dir = SAFE_NAME.test(name) ? name : `_${checksumOf(name).slice(0, 16)}`;
    return join(this.sourceDir, dir, `${version}.mjs`);
  }

  private async loadStored(name: string, version: number): Promise<ConnectorDefinition> {
    const source = await this.store.connectorSource(name, version);
    if (source === undefined) {
      const known = (await this.store.connectorVersions(name)).map((v) => v.version);
      throw new WeftError(
        'CONNECTOR_NOT_FOUND',
        known.length
          ? `Connector "${name}" has no version ${version} (versions: ${known.join(', ')})`
          : `No connector named "${name}" is stored`,
      );
    }
    try {
      return await this.runtime.loadSource(source, this.fileOf(name, version));
    } catch (error) {
      const code = isWeftError(error) ? error.code : 'CONNECTOR_NOT_LOADABLE';
      throw new WeftError(code, `Connector "${name}" version ${version}: ${messageOf(error)}`, { cause: error });
    }
  }

  /**
   * Loads a pushed source and checks it, without storing anything: the SDK's errors
   * (`CONNECTOR_NOT_LOADABLE`, `CONNECTOR_NO_DEFAULT_EXPORT`, `DEFINITION_INVALID` with problems).
   */
  async loadSource(source: string): Promise<ConnectorDefinition> {
    const file = join(this.sourceDir, '.incoming', `${randomUUID()}.mjs`);
    return this.runtime.isolated ? this.runtime.loadSource(source, file) : tryConnectorSource(source, file);
  }

  /**
   * Makes a checked source the current version of `name`: a new version when its checksum
   * differs from the latest stored one. Recipes keep the versions they pinned.
   */
  publish(name: string, source: string, definition: ConnectorDefinition): Promise<PushResult> {
    const run = this.publishing.then(() => this.publishNow(name, source, definition));
    this.publishing = run.catch(() => {});
    return run;
  }

  private async publishNow(name: string, source: string, definition: ConnectorDefinition): Promise<PushResult> {
    const checksum = checksumOf(source);
    const before = (await this.store.connectorVersions(name))[0];
    const version = await this.store.putConnectorVersion({ name, checksum, source, origin: PUSH_ORIGIN });
    const created = before?.version !== version.version;
    const current = this.connectors.get(name);
    if (current && current.version.version === version.version) return { connector: current, created };
    // The file this version is imported from after a restart.
    const file = this.fileOf(name, version.version);
    await writeConnectorSource(source, file);
    if (current) this.versions.set(`${name}@${current.version.version}`, Promise.resolve(current.definition));
    const connector = { name, file, definition, version };
    this.connectors.set(name, connector);
    return { connector, created };
  }

  /**
   * Another process pushed `name`: its latest stored version becomes the current one here too
   * (loaded from the store; nothing is stored). Versions already current are left alone.
   */
  follow(name: string): Promise<void> {
    const run = this.publishing.then(() => this.followNow(name));
    this.publishing = run.catch(() => {});
    return run;
  }

  /** Follows every pushed connector's latest version (after messages may have been missed). */
  async followAll(): Promise<void> {
    for (const latest of await this.store.latestConnectorVersions()) {
      if (latest.origin === PUSH_ORIGIN) await this.follow(latest.name);
    }
  }

  private async followNow(name: string): Promise<void> {
    const latest = (await this.store.connectorVersions(name))[0];
    const current = this.connectors.get(name);
    if (!latest || latest.origin !== PUSH_ORIGIN || (current && current.version.version >= latest.version)) return;
    const pushed = await this.loadPushedVersion(latest);
    if (!pushed) return;
    if (current) this.versions.set(`${name}@${current.version.version}`, Promise.resolve(current.definition));
    this.connectors.set(name, pushed);
  }

  /**
   * Loads every connector folder below each directory (or the directory itself when it holds a
   * connector), then the built-in connectors below
   * `builtinDirs`, then every pushed connector that no folder provides (its latest version, from
   * the store). A broken connector is reported, not fatal. A user folder named like a built-in
   * replaces it: the built-in is skipped with a notice (`notices`), not reported as a problem.
   */
  async loadFolders(dirs: string[], builtinDirs: string[] = []): Promise<void> {
    const folders = await foldersBelow(dirs);
    const builtins = new Set(await foldersBelow(builtinDirs));
    folders.push(...builtins);
    // Loaded a few at once (each but a built-in may start a host), registered in order: a duplicate name is
    // reported against the folder that comes later, as before.
    const loads = inBatches(folders, LOAD_CONCURRENCY, (folder) =>
      this.runtime.loadFolder(folder, { builtin: builtins.has(folder) }).then(
        (loaded) => ({ loaded }),
        (error: unknown) => ({ error }),
      ),
    );
    for (let i = 0; i < folders.length; i++) {
      await this.loadOne(folders[i], await loads[i], builtins.has(folders[i]));
    }
    await this.loadPushed();
  }

  private async loadPushed(): Promise<void> {
    for (const latest of await this.store.latestConnectorVersions()) {
      if (latest.origin !== PUSH_ORIGIN || this.connectors.has(latest.name)) continue;
      const pushed = await this.loadPushedVersion(latest);
      if (pushed) this.connectors.set(latest.name, pushed);
    }
  }

  /** A pushed version from the store; one that no longer loads is reported and undefined. */
  private async loadPushedVersion(version: ConnectorVersion): Promise<RegisteredConnector | undefined> {
    const file = this.fileOf(version.name, version.version);
    try {
      const definition = await this.loadStored(version.name, version.version);
      return { name: version.name, file, definition, version };
    } catch (error) {
      this.problems.push({
        folder: file,
        code: isWeftError(error) ? error.code : 'CONNECTOR_NOT_LOADABLE',
        message: messageOf(error),
      });
      return undefined;
    }
  }

  private async loadOne(
    folder: string,
    load: { loaded: LoadedConnector } | { error: unknown },
    builtin = false,
  ): Promise<void> {
    try {
      if ('error' in load) throw load.error;
      const { loaded } = load;
      const user = builtin ? this.connectors.get(loaded.name) : undefined;
      if (user) {
        this.notices.push(
          `the connector "${loaded.name}" of ${user.file} replaces the built-in connector of that name`,
        );
        return;
      }
      const unsafe = unsafeCharacter(loaded.name);
      if (unsafe) {
        throw new WeftError(
          'DEFINITION_INVALID',
          `the connector name "${visible(loaded.name)}" holds the character ${unsafe}: names must not contain control or invisible formatting characters`,
        );
      }
      if (this.connectors.has(loaded.name)) {
        throw new WeftError(
          'DEFINITION_INVALID',
          `a connector named "${loaded.name}" is already loaded from ${this.connectors.get(loaded.name)!.file}`,
        );
      }
      const checksum = checksumOf(loaded.source);
      // A push wins over the folder until the folder's file changes: when the folder still holds
      // a source stored before, and a pushed version came after it, the pushed version stays current.
      const stored = await this.store.connectorVersions(loaded.name);
      const latest = stored[0];
      if (latest && latest.origin === PUSH_ORIGIN && latest.checksum !== checksum) {
        const seen = stored.find((v) => v.checksum === checksum);
        const pushed = seen && (await this.loadPushedVersion(latest));
        if (seen && pushed) {
          this.versions.set(`${loaded.name}@${seen.version}`, Promise.resolve(loaded.definition));
          this.connectors.set(loaded.name, pushed);
          return;
        }
      }
      const version = await this.store.putConnectorVersion({
        name: loaded.name,
        checksum,
        source: loaded.source,
        origin: loaded.file,
      });
      this.connectors.set(loaded.name, {
        name: loaded.name,
        file: loaded.file,
        definition: loaded.definition,
        version,
        ...(builtin ? { builtin: true as const } : {}),
      });
    } catch (error) {
      this.problems.push({
        folder,
        code: isWeftError(error) ? error.code : 'CONNECTOR_NOT_LOADABLE',
        message: messageOf(error),
      });
    }
  }
}
