/**
 * `weft import openapi <spec> --out <dir> [--only tag,operationId,...]`: writes a connector
 * project from a Swagger 2.0 or OpenAPI 3.x description (a file or an http(s) URL).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '@weft/sdk';
import type { ImportOpenApiFlags } from '../flags.js';
import { loadSpec } from '../openapi/load.js';
import { normalize } from '../openapi/normalize.js';
import { type GeneratedProject, generateProject } from '../openapi/project.js';
import type { Reporter } from '../report.js';

export interface ImportResult {
  out: string;
  project: GeneratedProject;
}

/** Loads, generates and writes; the library form of the command (tests and the benchmark use it). */
export async function importOpenApi(source: string, options: { out: string; only?: string[] }): Promise<ImportResult> {
  const out = resolve(options.out);
  if (existsSync(out) && (await readdir(out)).length > 0) {
    throw new UsageError(`${options.out} already exists and is not empty: choose a new folder`);
  }
  const { document, schemaNames } = await loadSpec(source);
  const model = normalize(document, schemaNames);
  const name =
    basename(out)
      .toLowerCase()
      .replace(/[^a-z0-9-_]+/g, '-') || 'connector';
  const shown = /^[a-z]+:\/\//i.test(source) ? source : basename(source);
  const project = generateProject(model, { only: options.only, source: shown, name });
  if (!project.actions.length) {
    const what = options.only?.length ? ` matching --only ${options.only.join(',')}` : '';
    throw new UsageError(`${source} has no operations${what}: nothing to import`);
  }
  for (const [path, text] of project.files) {
    const file = join(out, path);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return { out, project };
}

export async function importOpenApiCommand(
  spec: string,
  flags: ImportOpenApiFlags,
  reporter: Reporter,
): Promise<number> {
  try {
    if (!flags.out) throw new UsageError('--out <dir> is required: the folder to write the connector project into');
    const only = flags.only
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const { project } = await importOpenApi(spec, { out: flags.out, only });
    const tags = new Set(project.actions.map((a) => a.tag)).size;
    const skipped = project.skippedSchemes.length
      ? `\nSecurity schemes not imported: ${project.skippedSchemes.join(', ')}\n`
      : '';
    process.stdout.write(
      `Wrote ${flags.out}: ${project.actions.length} actions in ${tags} tag${tags === 1 ? '' : 's'}, ${project.definitions} object definitions, ${project.pickLists} pick lists${skipped}\n\nNext:\n  cd ${flags.out}\n  cp settings.yaml.example settings.yaml\n  weft validate && weft check\n`,
    );
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
