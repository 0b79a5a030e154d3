/**
 * Contract checks of a connector (`weft check`, also run by `weft test`): fields resolve, sample
 * outputs and recorded outputs match the output fields, pick lists return `[label, value]`
 * pairs, triggers define `dedup`. Every problem is reported at once, each with its path.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isWeftError, messageOf } from '../errors.js';
import { execute } from '../execute/executor.js';
import { checkOutput } from '../schema/index.js';
import type { ConnectorDefinition, Field } from '../types.js';
import { validateConnector } from '../validate/index.js';
import { readCassette } from './cassette.js';
import type { CheckProblem } from './check-problem.js';
import { OfflineDispatcher } from './interceptor.js';
import { PickListCheck } from './pick-list-check.js';
import { sampleFields } from './samples.js';

export type { CheckProblem };

export interface CheckOptions {
  /** Folders (or files) of cassettes whose recorded outputs are checked; folders are searched recursively. */
  cassettesDir?: string | string[];
  /** Connection values: lambdas that call the API then run against it instead of being skipped. */
  settings?: Record<string, unknown>;
  /** Config field values for every action and trigger; the ones not given are sampled. */
  configFields?: Record<string, unknown>;
  /** Pick-list arguments given to every pick list the checks call. */
  args?: Record<string, unknown>;
}

function needsConnection(error: unknown): boolean {
  for (let e: any = error, depth = 0; e && depth < 6; e = e.cause, depth++) {
    if (e.code === 'WEFT_OFFLINE') return true;
    // No connection values: no base URI to send requests to.
    if (isWeftError(e) && e.code === 'DEFINITION_INVALID' && e.message.startsWith('connection.baseUri')) return true;
    if (isWeftError(e) && (e.code.startsWith('HTTP_') || e.code === 'REQUEST_INVALID' || e.code === 'REAUTHORIZE'))
      return true;
  }
  return false;
}

async function cassetteFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    if (!existsSync(p)) return;
    if ((await stat(p)).isFile()) {
      if (p.endsWith('.json')) out.push(p);
      return;
    }
    for (const entry of (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      await walk(join(p, entry.name));
    }
  };
  for (const p of paths) await walk(p);
  return out;
}

/** Finds every `__cassettes__` folder under a connector project (not in node_modules). */
export async function findCassetteDirs(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number) => {
    if (depth > 6) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.name === '__cassettes__') out.push(full);
      else await walk(full, depth + 1);
    }
  };
  await walk(root, 0);
  return out.sort();
}

export async function checkConnector(
  definition: ConnectorDefinition,
  options: CheckOptions = {},
): Promise<CheckProblem[]> {
  const problems: CheckProblem[] = [];
  const error = (path: string, message: string) => problems.push({ level: 'error', path, message });

  for (const p of validateConnector(definition)) error(p.path, p.message);
  if (problems.length) return problems; // the other checks would only repeat these

  const dispatcher = new OfflineDispatcher('no connection given (pass --settings to check lambdas that call the API)');
  const online = options.settings !== undefined;
  const run = async (path: string, extra: Record<string, unknown> = {}) => {
    const result = await execute(definition, path, {
      connection: { ...(options.settings ?? {}) },
      ...(online ? {} : { dispatcher }),
      retryBaseMs: 1,
      ...extra,
    });
    return result.kind === 'output' ? result.output : undefined;
  };
  /** Runs one check; an API call without settings is reported as skipped, anything else as an error. */
  const attempt = async <T>(where: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      if (!online && needsConnection(e)) {
        problems.push({ level: 'skipped', path: where, message: 'needs a connection; skipped' });
      } else {
        error(where, messageOf(e));
      }
      return undefined;
    }
  };
  const pickLists = new PickListCheck(definition, {
    run: (name, args) => run(`pick_lists.${name}`, { args }),
    skippable: (e) => !online && needsConnection(e),
    problems,
    args: options.args,
  });

  const outputFieldsOf = new Map<string, Field[] | undefined>();
  const kinds = [
    ['actions', 'actions', definition.actions ?? {}],
    ['triggers', 'triggers', definition.triggers ?? {}],
  ] as const;
  for (const [kind, prefix, entries] of kinds) {
    for (const [name, op] of Object.entries(entries)) {
      const where = `${kind}.${name}`;
      // Fields resolve with config values as a form would hold them: given, else sampled; the
      // samples of the input fields call their (dependent) pick lists with their parents' values.
      const configDefs = await attempt(`${where}.configFields`, () => run(`${prefix}.${name}.config_fields`));
      const configFields = await sampleFields((configDefs as Field[] | undefined) ?? [], {
        given: options.configFields,
        pickList: pickLists.values,
      });
      const inputs = await attempt(`${where}.inputFields`, () =>
        run(`${prefix}.${name}.input_fields`, { configFields }),
      );
      if (Array.isArray(inputs))
        await sampleFields(inputs as Field[], { given: configFields, pickList: pickLists.values });
      const fields = (await attempt(`${where}.outputFields`, () =>
        run(`${prefix}.${name}.output_fields`, { configFields }),
      )) as Field[] | undefined;
      outputFieldsOf.set(where, fields);
      if (op.sampleOutput !== undefined) {
        const sample = await attempt(`${where}.sampleOutput`, () =>
          run(`${prefix}.${name}.sample_output`, { configFields }),
        );
        if (sample !== undefined && sample !== null && fields) {
          for (const p of checkOutput(fields, sample, `${where}.sampleOutput`)) error(p.path, p.message);
        }
      }
      if (kind === 'triggers' && typeof (op as { dedup?: unknown }).dedup !== 'function') {
        problems.push({
          level: 'warning',
          path: `${where}.dedup`,
          message: 'not defined: an event that a poll or webhook delivers twice becomes two jobs',
        });
      }
    }
  }

  await pickLists.rest();

  const dirs =
    options.cassettesDir === undefined
      ? []
      : Array.isArray(options.cassettesDir)
        ? options.cassettesDir
        : [options.cassettesDir];
  const base = dirs.length === 1 ? dirs[0] : process.cwd();
  for (const file of await cassetteFiles(dirs)) {
    const label = relative(base, file) || file;
    let cassette: Awaited<ReturnType<typeof readCassette>>;
    try {
      cassette = await readCassette(file);
    } catch (e) {
      error(label, messageOf(e));
      continue;
    }
    for (const [i, recorded] of (cassette?.outputs ?? []).entries()) {
      const m = /^(actions|triggers)\.([^.]+)\.(execute|poll|webhook_notification)$/.exec(recorded.path);
      if (!m) continue;
      const fields = outputFieldsOf.get(`${m[1]}.${m[2]}`);
      if (!fields || recorded.output === null || recorded.output === undefined) continue;
      const output = recorded.output as Record<string, unknown>;
      if (m[3] === 'execute' && output && typeof output === 'object' && 'reinvokeAfter' in output) continue;
      const value = m[3] === 'poll' ? ((output as { events?: unknown[] }).events ?? []) : output;
      for (const p of checkOutput(fields, value, `outputs[${i}]`)) {
        error(`${label}: ${recorded.path} ${p.path}`, p.message);
      }
    }
  }
  return problems;
}
