/**
 * `weft check [connector]`: the contract checks of `@weft/sdk/testing` (fields resolve, sample
 * and recorded outputs match the output fields, pick lists return pairs, triggers define dedup).
 * Prints every problem with its path; exits non-zero when any is an error.
 */
import { dirname, relative, resolve } from 'node:path';
import { loadConnectorFile } from '@weft/sdk/runtime';
import { type CheckProblem, checkConnector, findCassetteDirs } from '@weft/sdk/testing';
import type { CheckFlags } from '../flags.js';
import { readJsonObject } from '../io.js';
import type { Reporter } from '../report.js';
import { loadSettings } from '../settings.js';

export function formatProblems(problems: CheckProblem[]): string {
  return problems.map((p) => `${p.level.padEnd(8)} ${p.path}: ${p.message}\n`).join('');
}

export function summary(name: string, problems: CheckProblem[]): string {
  const count = (level: CheckProblem['level']) => problems.filter((p) => p.level === level).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const errors = count('error');
  const parts = [plural(errors, 'error'), plural(count('warning'), 'warning')];
  const skipped = count('skipped');
  if (skipped) parts.push(`${skipped} skipped (pass --settings to check lambdas that call the API)`);
  return `${name}: contract checks ${errors ? 'failed' : 'passed'}: ${parts.join(', ')}\n`;
}

/** Runs the checks; returns the exit code (1 when there are errors). */
export async function runChecks(path: string, flags: CheckFlags, out: (s: string) => void): Promise<number> {
  const loaded = await loadConnectorFile(path, { validate: false });
  const settings = flags.settings
    ? (await loadSettings(resolve(flags.settings), flags.connection)).connection
    : undefined;
  const root = dirname(loaded.file);
  const cassettesDir = flags.cassettes?.length ? flags.cassettes.map((d) => resolve(d)) : await findCassetteDirs(root);
  const [configFields, args] = await Promise.all([
    flags.configFields === undefined ? undefined : readJsonObject(flags.configFields, '--config-fields'),
    flags.args === undefined ? undefined : readJsonObject(flags.args, '--args'),
  ]);
  const problems = await checkConnector(loaded.definition, { cassettesDir, settings, configFields, args });
  const shown = problems.map((p) => ({ ...p, path: p.path.startsWith(root) ? relative(root, p.path) : p.path }));
  out(formatProblems(shown));
  out(summary(loaded.name, problems));
  return problems.some((p) => p.level === 'error') ? 1 : 0;
}

export async function checkCommand(path: string, flags: CheckFlags, reporter: Reporter): Promise<number> {
  try {
    return await runChecks(path, flags, (s) => process.stdout.write(s));
  } catch (error) {
    return reporter.fail(error);
  }
}
