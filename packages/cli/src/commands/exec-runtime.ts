/**
 * Where `weft exec` runs connector code: in this process (the default: fastest feedback), or
 * with `--isolate` in a connector host exactly as `weft serve` runs it — the same permission
 * model, memory and time limits, environment and egress rules — so an author sees a limit
 * before pushing. The platform is imported only for `--isolate` (start-up time of the CLI).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperationRunner, runOperation } from '@weft/sdk/operations';
import { type LoadedConnector, loadConnectorFile } from '@weft/sdk/runtime';

export interface ExecRuntime {
  load(path: string): Promise<LoadedConnector>;
  run: OperationRunner;
  close(): Promise<void>;
}

export async function execRuntime(isolate: boolean): Promise<ExecRuntime> {
  if (!isolate) return { load: (path) => loadConnectorFile(path), run: runOperation, close: async () => {} };
  const platform = await import('@weft/platform');
  const bundleDir = await mkdtemp(join(tmpdir(), 'weft-exec-'));
  const runtime = new platform.IsolatedRuntime({
    ...platform.isolationOptions(process.env, 1),
    bundleDir,
    env: process.env,
  });
  return {
    load: (path) => runtime.loadFolder(path),
    run: platform.runOperation,
    async close() {
      await runtime.close();
      await rm(bundleDir, { recursive: true, force: true });
    },
  };
}
