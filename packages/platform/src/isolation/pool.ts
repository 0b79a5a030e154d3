/**
 * The hosts of one connector version (one bundle): started ahead of need (the host that loaded
 * the bundle stays as the first), reused, up to `maxHosts` at once with up to `perHost`
 * operations on each, replaced when one dies, and retired after `idleMs` without work.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Operation, OperationResult, RunOptions } from '@weft/sdk/operations';
import type { EgressRules } from './egress.js';
import type { HostPids } from './host-pids.js';
import { ConnectorHost, type TimeLimit } from './host-process.js';
import { hostEntry, hostEnv, hostExecArgv } from './spawn-spec.js';

/** How long a host that never ran an operation is kept. */
const LOAD_ONLY_IDLE_MS = 60_000;

export interface PoolLimits {
  memoryMb: number;
  loadTimeoutMs: number;
  maxHosts: number;
  perHost: number;
  idleMs: number;
}

export interface PoolSpec {
  bundle: string;
  checksum: string;
  label: string;
  env: NodeJS.ProcessEnv;
  egress: () => EgressRules;
  limits: PoolLimits;
  /** Where running hosts are written down (reaped after a server was killed). */
  pids?: HostPids;
}

export class HostPool {
  private readonly hosts: ConnectorHost[] = [];
  private readonly scratch: string;
  private manifest?: Promise<unknown>;
  private readonly sweep: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly spec: PoolSpec) {
    this.scratch = mkdtempSync(join(tmpdir(), 'weft-host-'));
    this.sweep = setInterval(
      () => this.retireIdle(),
      Math.max(1000, Math.min(spec.limits.idleMs, LOAD_ONLY_IDLE_MS) / 2),
    );
    this.sweep.unref();
  }

  private spawn(): ConnectorHost {
    const { spec } = this;
    const host = new ConnectorHost({
      entry: hostEntry(),
      execArgv: hostExecArgv(spec.bundle, this.scratch, spec.limits),
      env: hostEnv(spec.env, this.scratch),
      config: { egress: spec.egress(), checksum: spec.checksum },
      memoryMb: spec.limits.memoryMb,
      label: () => this.spec.label,
    });
    this.hosts.push(host);
    spec.pids?.add(host.pid);
    void host.exited.then(() => {
      spec.pids?.remove(host.pid);
      const at = this.hosts.indexOf(host);
      if (at >= 0) this.hosts.splice(at, 1);
      // A host that died while the connector is in use is replaced ahead of the next operation.
      const inUse = Date.now() - host.lastUsed < this.spec.limits.idleMs;
      if (!this.closed && !host.retired && host.loaded && inUse && this.hosts.length === 0) {
        this.loadIn(this.spawn()).catch(() => {});
      }
    });
    return host;
  }

  /** A host with the bundle loaded: the least busy one, or a new one while there is room. */
  private async host(): Promise<ConnectorHost> {
    const live = this.hosts.filter((h) => !h.dead);
    const idlest = live.sort((a, b) => a.inFlight - b.inFlight)[0];
    if (idlest && (idlest.inFlight < this.spec.limits.perHost || live.length >= this.spec.limits.maxHosts)) {
      await idlest.ready;
      return idlest;
    }
    const host = this.spawn();
    await this.loadIn(host);
    return host;
  }

  private async loadIn(host: ConnectorHost): Promise<unknown> {
    try {
      return await host.load(this.spec.bundle, this.spec.limits.loadTimeoutMs);
    } catch (error) {
      host.retire();
      throw error;
    }
  }

  /** Loads the bundle in a first host; its manifest (or the connector's load error). */
  load(known?: unknown): Promise<unknown> {
    // A manifest known from an earlier load of the same bundle: the first host starts on demand.
    if (known !== undefined) this.manifest ??= Promise.resolve(known);
    this.manifest ??= this.loadIn(this.spawn());
    return this.manifest;
  }

  async run(operation: Operation, options: RunOptions, limit: TimeLimit): Promise<OperationResult> {
    if (this.closed) throw new Error(`The hosts of ${this.spec.label} are closed`);
    const host = await this.host();
    return host.run(operation, options, limit);
  }

  /** Starts a host ahead of need when none is running (a recipe using the connector started). */
  warm(): void {
    if (this.closed || this.hosts.some((h) => !h.dead)) return;
    this.loadIn(this.spawn()).catch(() => {});
  }

  /** The connector's name for messages, once its manifest tells it. */
  name(label: string): void {
    this.spec.label = label;
  }

  /** Tells every live host the current egress rules. */
  updateEgress(rules: EgressRules): void {
    for (const host of this.hosts) host.send({ t: 'egress', rules });
  }

  private retireIdle(): void {
    const now = Date.now();
    for (const host of this.hosts) {
      // A host that only loaded the connector (at start, or a push) goes after a minute.
      const idleMs = host.used ? this.spec.limits.idleMs : Math.min(this.spec.limits.idleMs, LOAD_ONLY_IDLE_MS);
      if (!host.dead && host.inFlight === 0 && now - host.lastUsed > idleMs) host.retire();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweep);
    const hosts = [...this.hosts];
    for (const host of hosts) host.retire();
    await Promise.all(hosts.map((h) => h.exited));
    rmSync(this.scratch, { recursive: true, force: true });
  }
}
