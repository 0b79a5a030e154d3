/**
 * `weft generate test [--action=x | --trigger=y] [--force]`: writes a Vitest test per action or
 * trigger (`tests/<name>.test.ts`) that runs it through `@weft/sdk/testing` with an input fixture
 * (`tests/fixtures/<name>.input.json`, sample values built from the input fields) and a cassette
 * slot (`tests/__cassettes__/<name>.test.ts/`, filled by `weft test --record`).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { type ConnectorDefinition, execute, type Field, loadConnectorFile, UsageError } from '@weft/sdk';
import { OfflineDispatcher } from '@weft/sdk/testing';
import type { Reporter } from '../report.js';

export interface GenerateFlags {
  connector?: string;
  action?: string;
  trigger?: string;
  force?: boolean;
}

/** Values of the connector's pick lists that answer without arguments or API (for samples). */
type PickListValues = Record<string, unknown[]>;

/** A plausible value for a field, by its default, options, pick list, control type and type. */
export function sampleValue(field: Field, pickLists: PickListValues = {}): unknown {
  if (field.default !== undefined) return field.default;
  const options = Array.isArray(field.pickList) ? field.pickList : field.options;
  if (options?.length) return options[0][1];
  const named = typeof field.pickList === 'string' ? pickLists[field.pickList] : undefined;
  if (named?.length) return named[0];
  switch (field.type) {
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'date':
      return '2026-01-01';
    case 'date_time':
    case 'timestamp':
      return '2026-01-01T00:00:00Z';
    case 'object':
      return sampleInput(field.properties ?? [], pickLists);
    case 'array': {
      if (field.properties?.length || field.of === 'object') return [sampleInput(field.properties ?? [], pickLists)];
      return [sampleValue({ name: field.name, type: field.of ?? 'string' }, pickLists)];
    }
  }
  switch (field.controlType) {
    case 'email':
      return 'someone@example.com';
    case 'url':
      return 'https://example.com';
    case 'phone':
      return '+1 555 0100';
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'checkbox':
      return true;
  }
  return `example ${field.name.replace(/_/g, ' ')}`;
}

export function sampleInput(fields: readonly Field[], pickLists: PickListValues = {}): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f, pickLists)]));
}

/** The values of every pick list that answers offline without arguments. */
async function staticPickLists(definition: ConnectorDefinition): Promise<PickListValues> {
  const out: PickListValues = {};
  for (const name of Object.keys(definition.pickLists ?? {})) {
    try {
      const result = await execute(definition, `pick_lists.${name}`, { args: {}, dispatcher: new OfflineDispatcher() });
      if (result.kind === 'output' && Array.isArray(result.output)) {
        out[name] = (result.output as unknown[][]).map((pair) => pair[1]);
      }
    } catch {
      // needs the API or arguments: no sample from it
    }
  }
  return out;
}

async function inputFieldsOf(definition: ConnectorDefinition, path: string): Promise<Field[] | undefined> {
  try {
    const result = await execute(definition, path, { dispatcher: new OfflineDispatcher() });
    return result.kind === 'output' ? (result.output as Field[]) : undefined;
  } catch {
    return undefined; // dynamic fields that need the API: the fixture starts empty
  }
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
    const pickLists = await staticPickLists(definition);
    const connectorImport = `../${relative(root, loaded.file).split('\\').join('/')}`;
    for (const f of files) {
      const prefix = f.kind === 'action' ? 'actions' : 'triggers';
      const fields = await inputFieldsOf(definition, `${prefix}.${f.name}.input_fields`);
      await writeFile(f.fixture, `${JSON.stringify(sampleInput(fields ?? [], pickLists), null, 2)}\n`);
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
