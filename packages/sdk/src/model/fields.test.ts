import { describe, expect, test } from 'vitest';
import { fieldsToJsonSchema } from '../schema/json-schema.js';
import { validateConnector } from '../validate/connector.js';
import { CONTROL_TYPES, FIELD_TYPES, humanize } from './fields.js';

const withField = (field: Record<string, unknown>) =>
  validateConnector({
    title: 'T',
    actions: { a: { inputFields: [{ name: 'x', ...field }], execute: () => undefined } },
  }).map((p) => `${p.path}: ${p.message}`);

describe('the field model', () => {
  test('lists the control types and field types of SPEC §2', () => {
    expect(CONTROL_TYPES).toEqual([
      'text',
      'text-area',
      'plain-text',
      'password',
      'integer',
      'number',
      'url',
      'select',
      'multiselect',
      'checkbox',
      'date',
      'date_time',
      'email',
      'phone',
      'subdomain',
      'tree',
      'key_value',
      'schema-designer',
    ]);
    expect(FIELD_TYPES).toContain('timestamp');
  });

  test('the validator accepts every control type of the model and nothing else', () => {
    for (const controlType of CONTROL_TYPES) expect(withField({ controlType }), controlType).toEqual([]);
    expect(withField({ controlType: 'switch' })).toEqual([
      `actions.a.inputFields[0].controlType: must be one of ${CONTROL_TYPES.join(', ')} (got "switch"); for this control use "checkbox"`,
    ]);
    expect(withField({ controlType: 'slider' })).toEqual([
      `actions.a.inputFields[0].controlType: must be one of ${CONTROL_TYPES.join(', ')} (got "slider")`,
    ]);
  });

  test('humanize gives the label of a field without one, the same for JSON Schema titles and the console', () => {
    expect(['first_name', 'createdAt', 'api-key', 'x'].map(humanize)).toEqual([
      'First name',
      'Created at',
      'Api key',
      'X',
    ]);
    const schema = fieldsToJsonSchema([{ name: 'first_name' }], { mode: 'input' }) as {
      properties: Record<string, { title: string }>;
    };
    expect(schema.properties.first_name.title).toBe('First name');
  });

  test('is importable as @weft/sdk/model without Node modules', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default;
    expect(pkg.exports['./model'].default).toBe('./dist/model/index.js');
    const { readFile } = await import('node:fs/promises');
    for (const file of ['api.ts', 'fields.ts', 'http.ts', 'index.ts']) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from ['"](node:|fs|path|os|crypto)/);
    }
  });
});
