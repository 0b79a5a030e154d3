import { describe, expect, test } from 'vitest';
import { compileValue, evaluateCondition, evaluateInput, FormulaError } from './formula.js';

const scope = {
  trigger: {
    id: 42,
    total: 120.5,
    customer: { email: 'ada@example.com', name: 'Ada' },
    items: [
      { sku: 'a', qty: 2 },
      { sku: 'b', qty: 1 },
    ],
  },
  steps: { contact: { id: 7, name: 'Ada L.' } },
};

describe('formulas', () => {
  test('"=expr" gives the JSON value of the expression', async () => {
    const out = await evaluateInput(
      {
        email: '=trigger.customer.email',
        total: '=trigger.total * 2',
        skus: '=trigger.items.sku',
        count: '=$count(trigger.items)',
        big: '=trigger.total > 100',
        first: '=trigger.items[0]',
        contact: '=steps.contact.id',
      },
      scope,
    );
    expect(out).toEqual({
      email: 'ada@example.com',
      total: 241,
      skus: ['a', 'b'],
      count: 2,
      big: true,
      first: { sku: 'a', qty: 2 },
      contact: 7,
    });
    // Plain arrays, not JSONata sequences.
    expect(Object.keys(out.skus as object)).toEqual(['0', '1']);
  });

  test('"{{ expr }}" interpolates inside strings; other values are literal', async () => {
    const out = await evaluateInput(
      {
        note: 'Order {{trigger.id}} for {{ trigger.total }} by {{steps.contact.name}}',
        json: 'Items: {{trigger.items.sku}}',
        object: 'Obj {{ {"a": trigger.id} }}',
        missing: 'x{{trigger.nope}}y',
        literal: 'just text',
        unclosed: 'a {{ b',
        number: 5,
        nested: { list: ['=trigger.id', 'id {{trigger.id}}', true] },
      },
      scope,
    );
    expect(out).toEqual({
      note: 'Order 42 for 120.5 by Ada L.',
      json: 'Items: ["a","b"]',
      object: 'Obj {"a":42}',
      missing: 'xy',
      literal: 'just text',
      unclosed: 'a {{ b',
      number: 5,
      nested: { list: [42, 'id 42', true] },
    });
  });

  test('a formula that matches nothing leaves the key out', async () => {
    expect(await evaluateInput({ a: '=trigger.nothing', b: 1 }, scope)).toEqual({ b: 1 });
  });

  test('item and error are in scope where given', async () => {
    expect(await evaluateInput({ sku: '=item.sku' }, { ...scope, item: { sku: 'z' } })).toEqual({ sku: 'z' });
    expect(await evaluateInput({ m: 'Failed: {{error.message}}' }, { ...scope, error: { message: 'boom' } })).toEqual({
      m: 'Failed: boom',
    });
  });

  test('an evaluation error is a FormulaError with the path of the value', async () => {
    const error = await evaluateInput({ deep: { n: '=$number(trigger.customer.email)' } }, scope, {
      path: 'steps[0].input',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(FormulaError);
    expect(error.path).toBe('steps[0].input.deep.n');
    expect(error.message).toMatch(/^steps\[0\]\.input\.deep\.n: formula "\$number\(trigger\.customer\.email\)" failed/);
    expect(error.message).toContain('Unable to cast value to a number');
    const inList = await evaluateInput({ l: ['ok', '=1 + "a"'] }, scope).catch((e) => e);
    expect(inList.path).toBe('input.l[1]');
  });

  test('syntax errors are found when compiling, with the path', () => {
    expect(() => compileValue('=trigger.(', 'steps[0].input.email')).toThrow(
      /^steps\[0\]\.input\.email: formula "trigger\.\(" does not parse/,
    );
    expect(() => compileValue('Hi {{ trigger. }}', 'p')).toThrow(FormulaError);
    expect(() => compileValue('=', 'p')).toThrow(/needs an expression/);
    expect(() => compileValue('a {{ }} b', 'p')).toThrow(/holds no expression/);
  });

  test('conditions', async () => {
    expect(await evaluateCondition('=trigger.total > 100', scope)).toBe(true);
    expect(await evaluateCondition('=trigger.total > 1000', scope)).toBe(false);
    expect(await evaluateCondition('=trigger.nothing', scope)).toBe(false);
    expect(await evaluateCondition(true, scope)).toBe(true);
  });

  test('no code runs but JSONata, and runaway formulas stop', async () => {
    const error = await evaluateInput({ x: '=($f := function($n){ 1 + $f($n + 1) }; $f(0))' }, scope).catch((e) => e);
    expect(error).toBeInstanceOf(FormulaError);
    expect(await evaluateInput({ x: '=constructor' }, scope)).toEqual({});
  });
});
