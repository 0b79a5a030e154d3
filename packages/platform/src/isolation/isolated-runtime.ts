/**
 * The isolated `ConnectorRuntime`: connector code runs only in host processes. The server
 * bundles a folder (esbuild reads code, it does not run it), writes each bundle once under a
 * content-addressed name, and keeps a pool of hosts per bundle. What the server keeps of a
 * connector is its manifest (functions stubbed); `run` finds the manifest's pool and sends the
 * operation there.
 */
import { mkdirSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import type { ConnectorDefinition } from '@weft/sdk';
import type { Operation, ResultOf, RunOptions } from '@weft/sdk/operations';
import { connectorNameOf, type LoadedConnector } from '@weft/sdk/runtime';
import { bindRunner, type ConnectorRuntime } from '../connector-runtime.js';
import { checksumOf, evaluateConnectorFile, withPlatformSdk, writeConnectorSource } from '../connector-source.js';
import { BundleCache } from './bundle-cache.js';
import type { EgressRules } from './egress.js';
import { HostPids } from './host-pids.js';
import type { TimeLimit } from './host-process.js';
import { fromManifest, toManifest } from './manifest.js';
import { keepManifest, readManifest } from './manifest-cache.js';
import type { IsolationOptions } from './options.js';
import { HostPool } from './pool.js';

export interface IsolatedRuntimeOptions extends IsolationOptions {
  /** Where bundles are written (below `$WEFT_HOME`). */
  bundleDir: string;
  /** The server's environment (hosts keep only network and locale variables of it). */
  env: NodeJS.ProcessEnv;
  /** Where running hosts are written down; hosts a killed server left there are killed on start. */
  pidDir?: string;
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address)
    .filter((a): a is string => typeof a === 'string');
}

export class IsolatedRuntime implements ConnectorRuntime {
  readonly isolated = true;
  private readonly pools = new Map<string, HostPool>();
  /** The pool of each definition this runtime answered (to warm it). */
  private readonly owners = new WeakMap<object, HostPool>();
  private serverPorts: number[] = [];
  private readonly local = localAddresses();

  private readonly pids?: HostPids;
  private readonly bundles: BundleCache;

  constructor(private readonly options: IsolatedRuntimeOptions) {
    mkdirSync(options.bundleDir, { recursive: true, mode: 0o700 });
    this.bundles = new BundleCache(options.bundleDir);
    if (options.pidDir) {
      this.pids = new HostPids(options.pidDir);
      this.pids.reap();
    }
  }

  private egress = (): EgressRules => ({
    serverPorts: this.serverPorts,
    localAddresses: this.local,
    allow: this.options.egressAllow,
  });

  async loadFolder(folder: string, options: { builtin?: boolean } = {}): Promise<LoadedConnector> {
    const { file, source } = await this.bundles.bundle(folder);
    const definition = await this.load(source, options.builtin === true);
    return { name: connectorNameOf(file, definition), file, definition, source };
  }

  loadSource(source: string): Promise<ConnectorDefinition> {
    return this.load(source, false);
  }

  /**
   * The connector's manifest without a host when one can be had: kept from an earlier load of the
   * same bundle, or — for a built-in connector, which is Weft's own code — read by evaluating its
   * definition here. Its operations still run in its hosts, started on first use.
   */
  private async knownManifest(bundle: string, checksum: string, builtin: boolean): Promise<unknown> {
    const kept = await readManifest(bundle);
    if (kept !== undefined || !builtin) return kept;
    const manifest = toManifest(await evaluateConnectorFile(bundle, checksum));
    await keepManifest(bundle, manifest).catch(() => {});
    return manifest;
  }

  private async load(source: string, builtin: boolean): Promise<ConnectorDefinition> {
    const checksum = checksumOf(withPlatformSdk(source));
    const bundle = join(this.options.bundleDir, `${checksum}.mjs`);
    let pool = this.pools.get(checksum);
    if (!pool) {
      await writeConnectorSource(source, bundle);
      pool = new HostPool({
        bundle,
        checksum,
        label: 'the connector',
        env: this.options.env,
        egress: this.egress,
        limits: this.options,
        pids: this.pids,
      });
      this.pools.set(checksum, pool);
    }
    let manifest: unknown;
    try {
      const known = await this.knownManifest(bundle, checksum, builtin);
      manifest = await pool.load(known);
      if (known === undefined) await keepManifest(bundle, manifest).catch(() => {});
    } catch (error) {
      // A source that does not load keeps no host; the next try starts afresh.
      if (this.pools.get(checksum) === pool) {
        this.pools.delete(checksum);
        await unlink(bundle).catch(() => {});
      }
      await pool.close();
      throw error;
    }
    const definition = fromManifest<ConnectorDefinition>(manifest);
    const name = typeof definition.name === 'string' ? definition.name : definition.title;
    pool.name(`connector "${name}"`);
    bindRunner(definition, (_connector, operation, options = {}) => this.runIn(pool, operation, options));
    this.owners.set(definition, pool);
    return definition;
  }

  private async runIn<O extends Operation>(
    pool: HostPool,
    operation: O,
    options: RunOptions,
  ): Promise<ResultOf<O['kind']>> {
    const limit: TimeLimit =
      options.timeLimitMs !== undefined
        ? { ms: options.timeLimitMs, setting: "the step's timeoutSeconds" }
        : options.mode === 'job'
          ? { ms: this.options.jobTimeoutMs, setting: 'WEFT_CONNECTOR_TIMEOUT_SECONDS' }
          : { ms: this.options.interactiveTimeoutMs, setting: 'WEFT_CONNECTOR_INTERACTIVE_TIMEOUT_SECONDS' };
    return (await pool.run(operation, options, limit)) as ResultOf<O['kind']>;
  }

  warm(definition: ConnectorDefinition): void {
    this.owners.get(definition)?.warm();
  }

  setServerPorts(ports: number[]): void {
    this.serverPorts = ports;
    const rules = this.egress();
    for (const pool of this.pools.values()) pool.updateEgress(rules);
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
