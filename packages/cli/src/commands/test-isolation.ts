/**
 * `weft test --isolate`: the project's tests run in Vitest workers under a connector host's
 * rules (Node's permission model with reads of the project and Weft, writes in the project, no
 * child processes or threads, the egress and signal guards, the host's heap limit). esbuild
 * cannot start inside such a worker, so the project's connector is bundled here first and the
 * testing kit imports that bundle (`WEFT_PREBUNDLED`).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { bundleConnectorFile } from '@weft/sdk/runtime';

export interface TestIsolation {
  /** Vitest arguments: the forks pool, each worker's execArgv. */
  args: string[];
  env: NodeJS.ProcessEnv;
  cleanUp(): Promise<void>;
}

/**
 * `scratch`: a private folder of this run. Vitest keeps the modules it transforms in the temp
 * folder and its workers read them there, so the temp folder (`TMPDIR`) is moved inside it and
 * the workers may read it — and nothing else of the machine's temp folder.
 */
export async function testIsolation(
  root: string,
  connector: string | undefined,
  scratch: string,
): Promise<TestIsolation> {
  const platform = await import('@weft/platform');
  const { memoryMb } = platform.isolationOptions(process.env, 1);
  const argv = platform.testWorkerArgv({ root, configDir: scratch, memoryMb });
  const temp = join(scratch, 'tmp');
  await mkdir(temp, { recursive: true, mode: 0o700 });
  const env: NodeJS.ProcessEnv = { TMPDIR: temp, TMP: temp, TEMP: temp };
  let bundle: string | undefined;
  if (connector) {
    const { file, source } = await bundleConnectorFile(connector);
    // Beside the connector: its npm packages resolve from there, as they do for esbuild's output.
    bundle = join(dirname(file), `.${basename(file)}.weft-isolate.mjs`);
    await writeFile(bundle, source);
    env.WEFT_PREBUNDLED = JSON.stringify({ [file]: bundle });
  }
  return {
    args: ['--pool=forks', ...argv.map((a) => `--execArgv=${a}`)],
    env,
    async cleanUp() {
      if (bundle) await rm(bundle, { force: true });
    },
  };
}
