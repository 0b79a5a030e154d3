import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import type { Field } from '../types.js';
import { validateConnector } from './connector.js';

/** Kizen-shaped: the chosen object (a config field) decides which input fields show. */
function kizen(inputFields: Field[] | (() => Field[]), connectionFields: Field[] = []) {
  return defineConnector({
    title: 'Kizen-like',
    connection: { fields: [{ name: 'api_key', controlType: 'password' }, ...connectionFields] },
    actions: {
      create_record: {
        configFields: [{ name: 'object', controlType: 'select', pickList: [['Deals', 'deals']] }],
        inputFields,
        execute: (ctx) => ctx.input,
      },
    },
  });
}

const problems = (def: unknown) => validateConnector(def).map((p) => `${p.path}: ${p.message}`);

describe('ngIf refers to fields by one rule', () => {
  test('input.<name> names a config field or an input field; config.<name> a config field', () => {
    expect(
      problems(
        kizen([
          { name: 'deal_value', ngIf: 'input.object == "deals"' },
          { name: 'stage', ngIf: 'config.object == "deals" && input.deal_value > 0' },
        ]),
      ),
    ).toEqual([]);
  });

  test('weft validate reports a name no field has, a bare name and a config name that is not one', () => {
    expect(
      problems(
        kizen(
          [
            { name: 'deal_value', ngIf: 'input.objekt == "deals"' },
            { name: 'stage', ngIf: 'object == "deals"' },
            { name: 'owner', ngIf: 'config.deal_value != null' },
            { name: 'details', type: 'object', properties: [{ name: 'note', ngIf: 'input.nope' }] },
          ],
          [{ name: 'region', ngIf: 'connection.regoin == "eu"' }],
        ),
      ),
    ).toEqual([
      'connection.fields[1].ngIf: connection.regoin: no connection field is called "regoin" (known: api_key, region)',
      'actions.create_record.inputFields[0].ngIf: input.objekt: no config or input field is called "objekt" (known: object, deal_value, stage, owner, details)',
      'actions.create_record.inputFields[1].ngIf: "object" is not something ngIf can read: write input.object (a config or input field), config.object or connection.object',
      'actions.create_record.inputFields[2].ngIf: config.deal_value: no config field is called "deal_value" (known: object)',
      'actions.create_record.inputFields[3].properties[0].ngIf: input.nope: no config or input field is called "nope" (known: object, deal_value, stage, owner, details)',
    ]);
  });

  test('at run time, computed input fields may show a field by a config value (it used to be dropped)', async () => {
    const connector = kizen(() => [{ name: 'deal_value', ngIf: 'input.object == "deals"' }]);
    const result = await execute(connector, 'actions.create_record.execute', {
      input: { object: 'deals', deal_value: '5' },
    });
    expect(result.kind === 'output' && result.output).toEqual({ object: 'deals', deal_value: '5' });
    expect(result.kind === 'output' && result.dropped).toEqual([]);
  });

  test('at run time, computed input fields naming an unknown field fail with a definition error', async () => {
    const connector = kizen(() => [{ name: 'deal_value', ngIf: 'input.objekt == "deals"' }]);
    await expect(
      execute(connector, 'actions.create_record.execute', { input: { object: 'deals', deal_value: '5' } }),
    ).rejects.toMatchObject({
      code: 'DEFINITION_INVALID',
      message:
        'The ngIf of field "deal_value" ("input.objekt == "deals"") refers to an unknown field: input.objekt: no config or input field is called "objekt" (known: deal_value, object)',
    });
  });
});
