// `npm pack` of create-weft (prepack): copies the connector template of `weft new`
// (packages/cli/templates/connector) into templates/, with the CLI's version and Vitest range in
// templates/cli-package.json, so that create-weft needs no dependency. With --clean (postpack)
// removes the copy again: in a checkout, bin/create-weft.js reads the CLI's template directly.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const cli = new URL('../../cli/', import.meta.url);
const copy = fileURLToPath(new URL('../templates/', import.meta.url));

await rm(copy, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  await cp(fileURLToPath(new URL('templates/connector/', cli)), `${copy}connector/`, { recursive: true });
  const pkg = JSON.parse(await readFile(new URL('package.json', cli), 'utf8'));
  const versions = { version: pkg.version, dependencies: { vitest: pkg.dependencies.vitest } };
  await writeFile(`${copy}cli-package.json`, `${JSON.stringify(versions, null, 2)}\n`);
}
