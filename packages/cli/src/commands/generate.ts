/**
 * `weft generate test [--action=x | --trigger=y] [--force]`: writes a Vitest test per action or
 * trigger (`tests/<name>.test.ts`) that runs it through `@weft/sdk/testing` with an input fixture
 * (`tests/fixtures/<name>.input.json`, sample values built from the config and input fields) and a cassette
 * slot (`tests/__cassettes__/<name>.test.ts/`, filled by `weft test --record`).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { type ConnectorDefinition, type Field, UsageError } from '@weft/sdk';
import { runOperation } from '@weft/sdk/operations';
import { loadConnectorFile } from '@weft/sdk/runtime';
import { OfflineDispatcher, type SampleSource, sampleFields } from '@weft/sdk/testing';
import type { GenerateFlags } from '../flags.js';
import { readJsonObject } from '../io.js';
import type { Reporter } from '../report.js';

/**
 * The values of a pick list called offline with `args` (plus the user's `--args`), one call per
 * distinct arguments; undefined when it needs the API or fails.
 */
function offlinePickLists(definition: ConnectorDefinition, userArgs: Record<string, unknown> | undefined) {
  const calls = new Map<string, Promise<unknown[] | undefined>>();
  return (name: string, args: Record<string, unknown>): Promise<unknown[] | undefined> => {
    const all = { ...args, ...(userArgs ?? {}) };
    const key = `${name}\u0000${JSON.stringify(all)}`;
    let call = calls.get(key);
    if (!call) {
      call = runOperation(
        definition,
        { kind: 'pick_list', name, args: all },
        { dispatcher: new OfflineDispatcher() },
      ).then(
        (result) =>
          result.kind === 'output' && Array.isArray(result.output)
            ? (result.output as unknown[][]).map((pair) => pair[1])
            : undefined,
        () => undefined, // needs the API or other arguments: no sample from it
      );
      calls.set(key, call);
    }
    return call;
  };
}

async function fieldsOf(
  definition: ConnectorDefinition,
  operation: { kind: 'config_fields' | 'input_fields'; of: 'action' | 'trigger'; name: string },
  configFields?: Record<string, unknown>,
): Promise<Field[] | undefined> {
  try {
    const dispatcher = new OfflineDispatcher();
    const result = await runOperation(definition, { ...operation, configFields }, { dispatcher });
    return result.output;
  } catch {
    return undefined; // dynamic fields that need the API: the fixture starts empty
  }
}

/** The fixture: config values (given or sampled), then input values resolved with them. */
async function fixtureInput(
  definition: ConnectorDefinition,
  of: 'action' | 'trigger',
  name: string,
  source: { configFields?: Record<string, unknown>; pickList: SampleSource['pickList'] },
): Promise<Record<string, unknown>> {
  const configDefs = (await fieldsOf(definition, { kind: 'config_fields', of, name })) ?? [];
  const config = await sampleFields(configDefs, { given: source.configFields, pickList: source.pickList });
  const inputs = (await fieldsOf(definition, { kind: 'input_fields', of, name }, config)) ?? [];
  return { ...config, ...(await sampleFields(inputs, { given: config, pickList: source.pickList })) };
}

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function testText(kind: 'action' | 'trigger', name: string, connectorImport: string): string {
  const key = quote(name);
  const access = /^[A-Za-z_$][\w$]*$/.test(name) ? `.${name}` : `[${key}]`;
  const run =
    kind === 'action'
      ? `  const output = await connector.actions${access}.execute({ input });
  expect(output).toBeDefined();
  // expect(output).toMatchObject({ ... });`
      : `  const { events, nextPoll, canPollMore } = await connector.triggers${access}.poll({ input });
  expect(Array.isArray(events)).toBe(true);
  expect(typeof canPollMore).toBe('boolean');
  expect(nextPoll).toBeDefined();`;
  return `import { readFileSync } from 'node:fs';
import { loadConnector } from '@weft/sdk/testing';
import { expect, test } from 'vitest';

const input = JSON.parse(readFileSync(new URL('./fixtures/${name}.input.json', import.meta.url), 'utf8'));

// HTTP exchanges replay from __cassettes__/${name}.test.ts/ (no API needed). Record them once
// against the real API with \`weft test --record\` (connection values from settings.yaml).
test(${key}, async () => {
  const connector = await loadConnector('${connectorImport}');
${run}
});
`;
}

export async function generateTestCommand(flags: GenerateFlags, reporter: Reporter): Promise<number> {
  try {
    if (flags.action && flags.trigger) throw new UsageError('give --action or --trigger, not both');
    const loaded = await loadConnectorFile(flags.connector ?? '.');
    const { definition } = loaded;
    const root = dirname(loaded.file);
    const targets: { kind: 'action' | 'trigger'; name: string }[] = [];
    const pick = (kind: 'action' | 'trigger', wanted: string | undefined, all: Record<string, unknown> | undefined) => {
      const names = Object.keys(all ?? {});
      if (wanted !== undefined) {
        if (!names.includes(wanted)) {
          throw new UsageError(
            `unknown ${kind} "${wanted}"; ${kind}s of this connector: ${names.join(', ') || 'none'}`,
          );
        }
        targets.push({ kind, name: wanted });
      } else if (!flags.action && !flags.trigger) {
        for (const name of names) targets.push({ kind, name });
      }
    };
    pick('action', flags.action, definition.actions);
    pick('trigger', flags.trigger, definition.triggers);
    if (targets.length === 0) throw new UsageError('this connector has no actions or triggers to generate tests for');

    const testsDir = join(root, 'tests');
    const files = targets.map((t) => ({
      ...t,
      test: join(testsDir, `${t.name}.test.ts`),
      fixture: join(testsDir, 'fixtures', `${t.name}.input.json`),
    }));
    const names = files.map((f) => f.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate)
      throw new UsageError(
        `an action and a trigger are both named "${duplicate}": generate them one at a time with --action or --trigger`,
      );
    const existing = files.flatMap((f) => [f.test, f.fixture]).filter((f) => existsSync(f));
    if (existing.length && !flags.force) {
      throw new UsageError(
        `not overwriting ${existing.map((f) => relative(process.cwd(), f) || f).join(', ')}: pass --force to replace`,
      );
    }
    await mkdir(join(testsDir, 'fixtures'), { recursive: true });
    const [configFields, args] = await Promise.all([
      flags.configFields === undefined ? undefined : readJsonObject(flags.configFields, '--config-fields'),
      flags.args === undefined ? undefined : readJsonObject(flags.args, '--args'),
    ]);
    const pickList = offlinePickLists(definition, args);
    const connectorImport = `../${relative(root, loaded.file).split('\\').join('/')}`;
    for (const f of files) {
      const input = await fixtureInput(definition, f.kind, f.name, { configFields, pickList });
      await writeFile(f.fixture, `${JSON.stringify(input, null, 2)}\n`);
      await writeFile(f.test, testText(f.kind, f.name, connectorImport));
      process.stdout.write(
        `wrote ${relative(process.cwd(), f.test) || f.test} and ${relative(process.cwd(), f.fixture) || f.fixture}\n`,
      );
    }
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}
