import { describe, expect, test } from 'vitest';
import type { Field, RecipeInput } from '../api/types';
import { allIds, newStep, pillsByStep, recipeBody, savedMessage } from './model';

const recipe: RecipeInput = {
  name: 'r',
  trigger: { connector: 'shop', trigger: 'new_order', input: {}, connection: '' },
  steps: [
    { id: 'contact', connector: 'crm', connection: 'crm', action: 'upsert', input: {} },
    {
      id: 'lines',
      foreach: '=trigger.items',
      as: 'line',
      do: [{ id: 'add', connector: 'crm', connection: '', action: 'add_line', input: {} }],
    },
    { id: 'last', connector: 'crm', action: 'note', input: {} },
  ],
  onError: [{ id: 'alert', stop: { error: true, message: '{{error.message}}' } }],
};

const outputs = new Map<string, Field[] | undefined>([
  ['trigger', [{ name: 'id' }, { name: 'items', type: 'array', of: 'object', properties: [{ name: 'sku' }] }]],
  ['contact', [{ name: 'name' }]],
  ['add', undefined],
]);

describe('the recipe model', () => {
  test('each step sees the trigger, earlier action steps, its foreach items and, in onError, the error', () => {
    const pills = pillsByStep(recipe, outputs, 'New order');
    const paths = (step: unknown) => (pills.get(step as never) ?? []).flatMap((g) => g.pills.map((p) => p.path));
    expect(paths(recipe.steps[0])).toEqual(['trigger.id', 'trigger.items', 'trigger.items.sku']);
    const inner = (recipe.steps[1] as { do: unknown[] }).do[0];
    expect(paths(inner)).toEqual([
      'line.sku',
      'trigger.id',
      'trigger.items',
      'trigger.items.sku',
      'steps.contact.name',
    ]);
    expect(paths(recipe.steps[2])).toContain('steps.add');
    expect(paths(recipe.onError![0])).toEqual(
      expect.arrayContaining(['error.message', 'steps.contact.name', 'steps.add']),
    );
  });

  test('new steps get unused ids; the body drops empty connections', () => {
    expect(newStep('action', allIds(recipe))).toMatchObject({ id: 'step_1', action: '' });
    expect(newStep('if', new Set(['if_1']))).toMatchObject({ id: 'if_2', then: [], else: [] });
    const body = recipeBody(recipe);
    expect(body.trigger).not.toHaveProperty('connection');
    expect((body.steps[1] as { do: object[] }).do[0]).not.toHaveProperty('connection');
    expect(body.steps[0]).toHaveProperty('connection', 'crm');
  });
});

test('a save answered with warnings says which datapills were not checked', () => {
  expect(savedMessage('Recipe saved')).toBe('Recipe saved');
  expect(savedMessage('Recipe saved', [])).toBe('Recipe saved');
  const message =
    'The output fields of the trigger records.new_record could not be resolved (down), so these datapills were not checked: trigger.x';
  expect(
    savedMessage('Recipe saved', [
      {
        code: 'DATAPILLS_UNCHECKED',
        path: 'trigger',
        message,
        datapills: [{ datapill: 'trigger.x', path: 'steps[0].input.a' }],
      },
    ]),
  ).toBe(`Recipe saved. ${message}`);
});
