import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import {
  AUTH_TYPES,
  FINISHED_JOB_STATUSES,
  isAuthType,
  JOB_STATUSES,
  RECIPE_STATUSES,
  type RecipeInput,
  STEP_KINDS,
  stepKind,
} from './index.js';

// The example recipe of SPEC §10, as a user writes it.
const example: RecipeInput = {
  name: 'New order to CRM',
  trigger: { connector: 'shop', connection: 'shop-main', trigger: 'new_order', input: {}, pollIntervalSeconds: 300 },
  steps: [
    { id: 'contact', connector: 'crm', connection: 'crm-main', action: 'upsert_contact', input: {} },
    { id: 'big', if: '=trigger.total > 100', then: [], else: [] },
    { id: 'lines', foreach: '=trigger.items', do: [{ id: 'line', connector: 'crm', action: 'add_line', input: {} }] },
    { id: 'done', stop: { error: false } },
  ],
};

const repo = new URL('../../../../', import.meta.url);

describe('the recipe model', () => {
  test('names the step kinds, recipe statuses and job statuses of SPEC §10', () => {
    expect(example.steps.map(stepKind)).toEqual([...STEP_KINDS]);
    expect(RECIPE_STATUSES).toEqual(['running', 'stopped']);
    expect(JOB_STATUSES).toEqual(['pending', 'running', 'suspended', 'succeeded', 'failed', 'stopped']);
    expect(FINISHED_JOB_STATUSES.every((s) => JOB_STATUSES.includes(s))).toBe(true);
  });

  test('lists the authorization types of SPEC §4 as a closed set', () => {
    expect(AUTH_TYPES).toEqual(['none', 'basic_auth', 'api_key', 'custom_auth', 'oauth2', 'aws_auth', 'multi']);
    expect(isAuthType('oauth2')).toBe(true);
    expect(isAuthType('bearer')).toBe(false);
  });

  test('every module of @weft/sdk/model is pure: no Node imports', async () => {
    const files = (await readdir(new URL('.', import.meta.url))).filter(
      (f) => f.endsWith('.ts') && !f.includes('.test.'),
    );
    expect(files).toEqual(expect.arrayContaining(['auth.ts', 'fields.ts', 'recipes.ts', 'index.ts']));
    for (const file of files) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"](node:|fs|path|os|crypto)/);
    }
  });

  test('the platform and the console keep no copy of the recipe types or statuses', async () => {
    const copies = /interface (IfStep|ForeachStep|StopStep|RecipeTrigger)\b|JOB_STATUSES[^=]*=\s*\[|RecipeStatus = '/;
    const sources = [
      'packages/platform/src/recipes/types.ts',
      'packages/platform/src/store/store.ts',
      'packages/platform/src/store/schema.ts',
      'packages/platform/src/api/jobs.ts',
      'packages/console/src/api/types.ts',
      'packages/console/src/recipe/model.ts',
    ];
    for (const file of sources) {
      const source = await readFile(new URL(file, repo), 'utf8');
      expect(source, file).not.toMatch(copies);
    }
  });
});
