/**
 * Connections: a connector's connection values, checked against its connection fields, sealed
 * by the vault, and shown through the API with every secret replaced by `[REDACTED]`.
 */
import { type ConnectorDefinition, type Field, isWeftError, messageOf, ValidationError } from '@weft/sdk';
import type { ConnectionListItem, ConnectionView, ConnectionTestResult as TestResult } from '@weft/sdk/model';
import type { RefreshGate, RunOptions } from '@weft/sdk/operations';
import { connectionSecrets, processInput, REDACTED, Redactor } from '@weft/sdk/runtime';
import { checkAgentGroup, type TunnelDispatchers, tunnelDispatcher } from './connection-tunnel.js';
import { runOperation } from './connector-runtime.js';
import { ConflictError, NotFoundError } from './errors.js';
import { invalid, type Json, nameAt, stringAt } from './input.js';
import { refreshGateFor } from './refresh-gate.js';
import type { Registry } from './registry.js';
import type { ConnectionRecord, Page, PageRequest, Store } from './store/store.js';
import type { Vault } from './vault.js';

/** Values a connection may hold besides its fields: what OAuth2 and `acquire` store. */
const TOKEN_KEYS = new Set(['access_token', 'refresh_token', 'id_token', 'expires_at', 'token_type', 'scope']);
/** Undeclared values shown as they are: a token's description, not the token. */
const VISIBLE_TOKEN_KEYS = new Set(['expires_at', 'token_type', 'scope']);

/** The views of a connection are the API's shapes (`@weft/sdk/model`), shared with the console. */
export type { ConnectionListItem, ConnectionView, TestResult };

/** What creates a connection (the API's schema has checked the shape; the values are checked here). */
export interface ConnectionInput {
  name: string;
  connector: string;
  values?: Json | null;
  /** The agent group that carries the connection's HTTP (connectors with `secureTunnel` only). */
  agentGroup?: string | null;
}

/** A change: values merged into the stored ones; `name` and `connector`, if given, must not change. */
export interface ConnectionPatch {
  name?: string;
  connector?: string;
  values?: Json | null;
  /** A new agent group; null: send directly again. */
  agentGroup?: string | null;
}

/** Every secret a connection's values hold: what the connector says, and every undeclared value (tokens). */
export function redactorFor(definition: ConnectorDefinition, values: Record<string, unknown>): Redactor {
  const redactor = new Redactor(connectionSecrets(definition, values));
  const declared = new Set((definition.connection?.fields ?? []).map((f) => f.name));
  for (const [key, value] of Object.entries(values)) {
    if (!declared.has(key) && !VISIBLE_TOKEN_KEYS.has(key)) redactor.add(value);
  }
  return redactor;
}

function connectionFields(definition: ConnectorDefinition): readonly Field[] {
  return definition.connection?.fields ?? [];
}

/**
 * The values as the API shows them: password fields, values the SDK knows to be secret, and
 * every value that is not a declared field (tokens obtained by `acquire` or `refresh`) are
 * `[REDACTED]`. Without the connector's definition, every value is.
 */
export function redactConnectionValues(
  definition: ConnectorDefinition | undefined,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const fields = new Map((definition ? connectionFields(definition) : []).map((f) => [f.name, f]));
  const secrets = new Set(definition ? connectionSecrets(definition, values) : []);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    const field = fields.get(key);
    const hidden =
      !definition ||
      field?.controlType === 'password' ||
      (!field && !VISIBLE_TOKEN_KEYS.has(key)) ||
      ((typeof value === 'string' || typeof value === 'number') && secrets.has(String(value)));
    out[key] = hidden ? REDACTED : value;
  }
  return out;
}

/** A connection as jobs use it: one shared values object per connection (see `live`). */
export interface LiveConnection {
  connector: string;
  definition: ConnectorDefinition;
  /**
   * Shared by every run of this server: refreshed tokens are merged into it in place, and so
   * are the tokens another process refreshed, when a run here finds its own rejected.
   */
  values: Record<string, unknown>;
  /**
   * Give to `runOperation` as `refreshGate`: a refresh runs under the store's lock on the
   * connection and its values are re-sealed and stored before the lock is released.
   */
  refreshGate: RefreshGate;
  /** Give to `runOperation` as `dispatcher`: its agent group's, when the connection has one. */
  dispatcher?: RunOptions['dispatcher'];
}

export class Connections {
  /**
   * Opened connections, by name. The SDK's single-flight refresh is kept per values object, so
   * concurrent jobs on one connection must share the object: one refresh, not one per job.
   */
  private readonly opened = new Map<string, Promise<LiveConnection>>();

  constructor(
    private readonly store: Store,
    private readonly vault: Vault,
    private readonly registry: Registry,
    /** Told of each refresh stored (the metrics). */
    private readonly onRefreshed?: () => void,
    /** Told after a connection's stored values changed or it was deleted (the other processes follow). */
    private readonly onChanged?: (name: string, deleted: boolean) => void,
    /** Where connections with an agent group send their HTTP (none: such a connection fails clearly). */
    private readonly tunnel?: TunnelDispatchers,
  ) {}

  /** Where the connection's HTTP goes: through its agent group's dispatcher, else directly. */
  dispatcherOf(record: ConnectionRecord): RunOptions['dispatcher'] {
    return tunnelDispatcher(this.tunnel, record);
  }

  private definitionOf(connector: string, path = 'connector'): ConnectorDefinition {
    const registered = this.registry.get(connector);
    if (!registered) {
      const known = this.registry.list().map((c) => c.name);
      throw invalid(path, `no connector named "${connector}" is loaded (loaded: ${known.join(', ') || 'none'})`);
    }
    return registered.definition;
  }

  private view(record: ConnectionRecord, values: Record<string, unknown>): ConnectionView {
    return {
      name: record.name,
      connector: record.connector,
      values: redactConnectionValues(this.registry.get(record.connector)?.definition, values),
      ...(record.agentGroup !== undefined ? { agentGroup: record.agentGroup } : {}),
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  private async record(name: string): Promise<ConnectionRecord> {
    const record = await this.store.getConnection(name);
    if (!record) throw new NotFoundError('CONNECTION_NOT_FOUND', `No connection named "${name}"`, 'name');
    return record;
  }

  /** Checks values against the connector's connection fields; returns them coerced. */
  private async check(definition: ConnectorDefinition, values: Json): Promise<Record<string, unknown>> {
    for (const [key, value] of Object.entries(values)) {
      if (value === REDACTED) {
        throw invalid(
          `values.${key}`,
          `"${REDACTED}" stands for a stored secret, and this connection has none to keep`,
        );
      }
    }
    let processed: { value: Record<string, unknown>; dropped: string[] };
    try {
      processed = await processInput(connectionFields(definition), values, {
        path: 'values',
        scope: { connection: values },
      });
    } catch (error) {
      if (error instanceof ValidationError || (isWeftError(error) && error.code === 'INPUT_INVALID')) {
        const problems = (error as ValidationError).problems ?? [];
        const first = problems[0];
        const more =
          problems.length > 1
            ? ` (and ${problems.length - 1} more: ${problems
                .slice(1)
                .map((p) => `${p.path}: ${p.message}`)
                .join('; ')})`
            : '';
        throw invalid(first?.path ?? 'values', `${first?.message ?? messageOf(error)}${more}`);
      }
      throw error;
    }
    const result = processed.value;
    for (const path of processed.dropped) {
      const key = path.slice('values.'.length);
      if (TOKEN_KEYS.has(key)) {
        result[key] = values[key];
        continue;
      }
      const names = connectionFields(definition).map((f) => f.name);
      throw invalid(path, `not a connection field of this connector (fields: ${names.join(', ') || 'none'})`);
    }
    return result;
  }

  async list(request: PageRequest): Promise<Page<ConnectionListItem>> {
    const page = await this.store.listConnections(request);
    return {
      items: page.items.map((record) => {
        try {
          return this.view(record, this.vault.open(record.name, record));
        } catch (error) {
          const code = (error as { vaultCode?: string }).vaultCode ?? 'VAULT_DECRYPT_FAILED';
          return {
            name: record.name,
            connector: record.connector,
            ...(record.agentGroup !== undefined ? { agentGroup: record.agentGroup } : {}),
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
            error: { code, message: messageOf(error) },
          };
        }
      }),
      nextCursor: page.nextCursor,
    };
  }

  async get(name: string): Promise<ConnectionView> {
    const record = await this.record(name);
    return this.view(record, this.vault.open(name, record));
  }

  async create(input: ConnectionInput): Promise<ConnectionView> {
    const name = nameAt({ ...input }, 'name');
    const connector = stringAt({ ...input }, 'connector')!;
    const definition = this.definitionOf(connector);
    const agentGroup = checkAgentGroup(definition, connector, input.agentGroup) ?? undefined;
    const values = await this.check(definition, input.values ?? {});
    if (await this.store.getConnection(name)) {
      throw new ConflictError('CONFLICT', `A connection named "${name}" exists already`, 'name');
    }
    const sealed = this.vault.seal(name, values);
    const record = await this.store.insertConnection({ name, connector, agentGroup, ...sealed });
    this.onChanged?.(name, false);
    return this.view(record, values);
  }

  /** Merges the given values into the stored ones: `"[REDACTED]"` keeps a stored value, null removes one. */
  async update(name: string, obj: ConnectionPatch): Promise<ConnectionView> {
    const record = await this.record(name);
    if (obj.name !== undefined && obj.name !== name)
      throw invalid('name', 'a connection cannot be renamed; create a new one');
    if (obj.connector !== undefined && obj.connector !== record.connector) {
      throw invalid(
        'connector',
        `this connection belongs to "${record.connector}"; create a new connection for another connector`,
      );
    }
    const patch = obj.values ?? {};
    const definition = this.definitionOf(record.connector);
    const agentGroup = checkAgentGroup(definition, record.connector, obj.agentGroup);
    const stored = this.vault.open(name, record);
    const merged: Json = { ...stored };
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key];
      else if (value === REDACTED) {
        if (!Object.hasOwn(stored, key)) {
          throw invalid(
            `values.${key}`,
            `"${REDACTED}" stands for a stored secret, and this connection has none to keep`,
          );
        }
      } else merged[key] = value;
    }
    const values = await this.check(definition, merged);
    const updated = await this.store.updateConnectionValues(name, this.vault.seal(name, values), { agentGroup });
    this.forget(name);
    if (!updated) throw new NotFoundError('CONNECTION_NOT_FOUND', `No connection named "${name}"`, 'name');
    this.onChanged?.(name, false);
    return this.view(updated, values);
  }

  async remove(name: string, usedBy: string[] = []): Promise<void> {
    if (usedBy.length) {
      throw new ConflictError(
        'CONNECTION_IN_USE',
        `The connection "${name}" is used by ${usedBy.length === 1 ? 'the recipe' : 'the recipes'} ${usedBy.map((r) => `"${r}"`).join(', ')}: change or delete them first`,
        'name',
      );
    }
    this.forget(name);
    if (!(await this.store.deleteConnection(name))) {
      throw new NotFoundError('CONNECTION_NOT_FOUND', `No connection named "${name}"`, 'name');
    }
    this.onChanged?.(name, true);
  }

  /** The decrypted values and the connector of a connection (for running steps). */
  async open(name: string): Promise<{
    connector: string;
    definition: ConnectorDefinition;
    values: Record<string, unknown>;
    dispatcher?: RunOptions['dispatcher'];
  }> {
    const record = await this.record(name);
    const values = this.vault.open(name, record);
    const dispatcher = this.dispatcherOf(record);
    return { connector: record.connector, definition: this.definitionOf(record.connector), values, dispatcher };
  }

  /**
   * The shared, decrypted connection for running steps (cached until the connection is changed
   * or deleted through this object).
   */
  live(name: string): Promise<LiveConnection> {
    let entry = this.opened.get(name);
    if (!entry) {
      entry = this.open(name).then((opened) => ({ ...opened, refreshGate: this.refreshGate(name) }));
      entry.catch(() => this.opened.delete(name));
      this.opened.set(name, entry);
    }
    return entry;
  }

  /** Forgets the cached live values of a connection (after it changed outside a run). */
  forget(name: string): void {
    this.opened.delete(name);
  }

  /** Forgets every cached live connection (after changes may have been missed). */
  forgetAll(): void {
    this.opened.clear();
  }

  /** Where the refreshes of a connection run (see refresh-gate.ts); a stored refresh is a change the other processes follow. */
  refreshGate(name: string): RefreshGate {
    const onRefreshed = () => {
      this.onRefreshed?.();
      this.onChanged?.(name, false);
    };
    return refreshGateFor({ store: this.store, vault: this.vault, onRefreshed }, name);
  }

  /** Re-seals a connection's values. */
  async save(name: string, values: Record<string, unknown>): Promise<void> {
    await this.store.updateConnectionValues(name, this.vault.seal(name, values));
    this.onChanged?.(name, false);
  }

  /** Runs the connector's `test` with the connection; refreshed values are stored whatever the outcome. */
  async test(name: string): Promise<TestResult> {
    const { definition, values, dispatcher } = await this.open(name);
    let result: TestResult;
    if (typeof definition.test !== 'function') {
      return { ok: true, message: 'This connector defines no test: the values were stored but not checked' };
    }
    try {
      await runOperation(
        definition,
        { kind: 'test' },
        { connection: values, mode: 'job', refreshGate: this.refreshGate(name), dispatcher },
      );
      result = { ok: true, message: 'The connection works' };
    } catch (error) {
      // The executor redacts its errors; this pass also covers values obtained during the run.
      const redactor = new Redactor(connectionSecrets(definition, values));
      for (const [key, value] of Object.entries(values)) {
        if (!connectionFields(definition).some((f) => f.name === key) && !VISIBLE_TOKEN_KEYS.has(key))
          redactor.add(value);
      }
      result = { ok: false, message: redactor.redact(messageOf(error)) };
    }
    return result;
  }

  /**
   * Key rotation on start: re-seals every row the vault can open that is sealed with another
   * key. Returns the names of rows no known key opens (they stay as they are).
   */
  async rotate(): Promise<{ rotated: string[]; locked: string[] }> {
    const rotated: string[] = [];
    const locked: string[] = [];
    for (const record of await this.store.connectionsNotSealedWith(this.vault.keyId)) {
      if (!this.vault.canOpen(record.keyId)) {
        locked.push(record.name);
        continue;
      }
      try {
        await this.save(record.name, this.vault.open(record.name, record));
        rotated.push(record.name);
      } catch {
        locked.push(record.name);
      }
    }
    return { rotated, locked };
  }
}
