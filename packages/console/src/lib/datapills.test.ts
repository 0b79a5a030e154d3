import { describe, expect, test } from 'vitest';
import { fieldsAt, insertPill, pathSegment, pillsOf } from './datapills';

const ORDER = [
  { name: 'id', type: 'integer' as const },
  { name: 'customer', type: 'object' as const, properties: [{ name: 'email' }, { name: 'first name' }] },
  { name: 'items', type: 'array' as const, of: 'object' as const, properties: [{ name: 'sku' }] },
];

describe('datapills', () => {
  test('lists nested output fields as paths formulas read', () => {
    expect(pillsOf({ root: 'trigger', title: 'Trigger', fields: ORDER }).map((p) => [p.path, p.type])).toEqual([
      ['trigger.id', 'integer'],
      ['trigger.customer', 'object'],
      ['trigger.customer.email', 'string'],
      ['trigger.customer.`first name`', 'string'],
      ['trigger.items', 'list of objects'],
      ['trigger.items.sku', 'string'],
    ]);
    expect(pillsOf({ root: 'steps.a', title: 'A', fields: undefined }).map((p) => p.path)).toEqual(['steps.a']);
    expect(pathSegment('odd`name')).toBe('`oddname`');
  });

  test('inserts =path into empty or non-text values, {{path}} into text at the caret, a bare path into formulas', () => {
    expect(insertPill(undefined, 'trigger.id', { text: true })).toBe('=trigger.id');
    expect(insertPill(42, 'trigger.id', { text: false })).toBe('=trigger.id');
    expect(insertPill('Hello !', 'trigger.name', { text: true, selectionStart: 6, selectionEnd: 6 })).toBe(
      'Hello {{trigger.name}}!',
    );
    expect(insertPill('=$sum()', 'trigger.items.qty', { text: true, selectionStart: 6 })).toBe(
      '=$sum(trigger.items.qty)',
    );
  });

  test('finds the fields of a foreach list', () => {
    const sources = [{ root: 'trigger', title: 'T', fields: ORDER }];
    expect(fieldsAt(sources, '=trigger.items')?.map((f) => f.name)).toEqual(['sku']);
    expect(fieldsAt(sources, '=trigger.items[0]')).toBeUndefined();
  });
});
