/**
 * Where connector code runs. The server never calls a connector's functions itself: it loads
 * connectors and runs operations through a `ConnectorRuntime`. `weft serve` uses the isolated
 * one (a pool of host processes per connector version, see isolation/); tests of the platform's
 * own logic and `weft exec` may use the in-process one, which calls the SDK directly.
 */
import type { ConnectorDefinition } from '@weft/sdk';
import { type OperationRunner, type RunOptions, runOperation as runInProcess } from '@weft/sdk/operations';
import { checkSignatures, type LoadedConnector, loadConnectorFile, signaturesOf } from '@weft/sdk/runtime';
import { importConnectorSource } from './connector-source.js';

/** A resume URL known ahead: calling the function registers it (once) and returns `url`. */
export type PreparedResumeUrl = (() => string) & { readonly url: string };

/** On a definition an isolated runtime loaded: the runner that sends its operations to its hosts. */
const RUNS_IN = Symbol('weft.runsIn');

/** Binds a loaded definition (a manifest) to the runner of its hosts. */
export function bindRunner(definition: object, runner: OperationRunner): void {
  Object.defineProperty(definition, RUNS_IN, { value: runner, enumerable: false });
}

/**
 * Runs an operation wherever the definition's code lives: in its hosts when an isolated
 * runtime loaded it, else in this process. Every platform module calls this, never the SDK's
 * `runOperation`, so no call site decides where connector code runs.
 */
export const runOperation: OperationRunner = (connector, operation, options) => {
  const runner = (connector as { [RUNS_IN]?: OperationRunner })[RUNS_IN] ?? runInProcess;
  return runner(connector, operation, options);
};

/**
 * The dedup signatures of a trigger's events: the `dedup` operation in the connector's hosts,
 * or a direct call in this process (no operation set-up on the webhook path).
 */
export async function signEvents(
  connector: ConnectorDefinition,
  trigger: string,
  events: unknown[],
  options: RunOptions,
): Promise<string[]> {
  const where = `triggers.${trigger}`;
  const runner = (connector as { [RUNS_IN]?: OperationRunner })[RUNS_IN];
  if (!runner) return signaturesOf(connector.triggers?.[trigger]?.dedup ?? (() => undefined), events, where);
  const result = await runner(connector, { kind: 'dedup', trigger, input: events }, options);
  return checkSignatures(result.output, where);
}

export interface ConnectorRuntime {
  /** True when connector code runs in host processes. */
  readonly isolated: boolean;
  /**
   * Bundles, evaluates and validates a connector folder (or file). `builtin`: one of Weft's own
   * built-in connectors, whose definition an isolated runtime may read without starting a host.
   */
  loadFolder(folder: string, options?: { builtin?: boolean }): Promise<LoadedConnector>;
  /**
   * Evaluates and validates a bundled source (a push, a stored version). `file` is where an
   * in-process runtime writes it; an isolated one keeps its own content-addressed copy.
   */
  loadSource(source: string, file: string): Promise<ConnectorDefinition>;
  /** Starts a host for this connector ahead of need (a recipe that uses it started). */
  warm(definition: ConnectorDefinition): void;
  /** The ports the server listens on (connector code may not reach them). */
  setServerPorts(ports: number[]): void;
  close(): Promise<void>;
}

export class InProcessRuntime implements ConnectorRuntime {
  readonly isolated = false;

  loadFolder(folder: string): Promise<LoadedConnector> {
    return loadConnectorFile(folder);
  }

  loadSource(source: string, file: string): Promise<ConnectorDefinition> {
    return importConnectorSource(source, file);
  }

  warm(): void {}

  setServerPorts(): void {}

  async close(): Promise<void> {}
}
