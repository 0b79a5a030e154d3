// `npm pack` of @weft/platform (prepack): copies the built web console (packages/console/dist)
// into console/, which `files` ships and api/console.ts serves when the platform is installed
// from npm. With --clean (postpack) removes the copy again. Builds nothing: a console that is not
// built stops the pack with the command that builds it.
import { existsSync } from 'node:fs';
import { cp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const built = fileURLToPath(new URL('../../console/dist/', import.meta.url));
const copy = fileURLToPath(new URL('../console/', import.meta.url));

await rm(copy, { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  if (!existsSync(join(built, 'index.html'))) {
    process.stderr.write(
      `The web console is not built (${built} has no index.html): run \`npm run build -w @weft/console\` first.\n`,
    );
    process.exit(1);
  }
  await cp(built, copy, { recursive: true });
}
