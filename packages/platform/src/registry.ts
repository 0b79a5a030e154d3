/**
 * The connectors registry: connectors loaded from folders (each sub-folder with a
 * `connector.ts` or `.js` is one connector, named after the folder unless the definition sets
 * `name`), validated, and versioned in the store whenever their source changes.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CONNECTOR_EXTENSIONS,
  type ConnectorDefinition,
  isWeftError,
  loadConnectorFile,
  messageOf,
  WeftError,
} from '@weft/sdk';
import type { ConnectorVersion, Store } from './store/store.js';

export interface RegisteredConnector {
  name: string;
  file: string;
  definition: ConnectorDefinition;
  version: ConnectorVersion;
}

export interface RegistryProblem {
  folder: string;
  code: string;
  message: string;
}

export class Registry {
  private readonly connectors = new Map<string, RegisteredConnector>();
  readonly problems: RegistryProblem[] = [];

  constructor(private readonly store: Store) {}

  list(): RegisteredConnector[] {
    return [...this.connectors.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): RegisteredConnector | undefined {
    return this.connectors.get(name);
  }

  /**
   * The definition of a connector at a pinned version (what a recipe runs with). The loaded
   * version is answered from memory; older or pushed versions are loaded from their stored source.
   */
  async definitionAt(name: string, version: number): Promise<ConnectorDefinition> {
    const loaded = this.connectors.get(name);
    if (loaded && loaded.version.version === version) return loaded.definition;
    // TODO(push): load older versions from the stored source.
    throw new WeftError(
      'CONNECTOR_NOT_FOUND',
      `Connector "${name}" version ${version} is not loaded (loaded: ${loaded ? `version ${loaded.version.version}` : 'none'})`,
    );
  }

  /** Loads every connector folder below each directory; a broken connector is reported, not fatal. */
  async loadFolders(dirs: string[]): Promise<void> {
    for (const dir of dirs) {
      if (!existsSync(dir)) {
        throw new WeftError('SETTINGS_INVALID', `Connector folder not found: ${dir}`);
      }
      const entries = await readdir(dir, { withFileTypes: true });
      for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
        const folder = join(dir, entry.name);
        if (!CONNECTOR_EXTENSIONS.some((ext) => existsSync(join(folder, `connector${ext}`)))) continue;
        await this.loadOne(folder);
      }
    }
  }

  private async loadOne(folder: string): Promise<void> {
    try {
      const loaded = await loadConnectorFile(folder);
      if (this.connectors.has(loaded.name)) {
        throw new WeftError(
          'DEFINITION_INVALID',
          `a connector named "${loaded.name}" is already loaded from ${this.connectors.get(loaded.name)!.file}`,
        );
      }
      const checksum = createHash('sha256').update(loaded.source).digest('hex');
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
