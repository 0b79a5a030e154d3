#!/usr/bin/env node
// The `weft` command as npm links it. This file is committed (npm links bins before the
// workspace's `prepare` build has produced dist/), and hands over to the built CLI.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bin.js', import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  process.stderr.write(
    'weft: the CLI is not built yet (packages/cli/dist/bin.js is missing). Run `npm run build` in the Weft checkout.\n',
  );
  process.exitCode = 1;
}
