import { describe, expect, test } from 'vitest';
import { isWeftError } from '../errors.js';
import { evaluateNgIf, parseNgIf } from './ngif.js';

const scope = {
  input: { kind: 'person', count: 3, flag: true, nested: { deep: 'yes' }, list: ['a', 'b'], empty: '' },
  config: { object: 'contact' },
  connection: { region: 'eu' },
};
const ev = (expression: string) => evaluateNgIf(expression, scope);

describe('evaluateNgIf', () => {
  test('compares dotted paths with string literals in either quote style', () => {
    expect(ev('input.kind == "person"')).toBe(true);
    expect(ev("input.kind == 'company'")).toBe(false);
    expect(ev('config.object === "contact"')).toBe(true);
    expect(ev('connection.region != "us"')).toBe(true);
  });

  test('loose equality matches a number with its string form; strict does not', () => {
    expect(ev('input.count == "3"')).toBe(true);
    expect(ev('input.count === "3"')).toBe(false);
    expect(ev('input.count !== 3')).toBe(false);
  });

  test('null and undefined are loosely equal; a missing path is undefined', () => {
    expect(ev('input.missing == null')).toBe(true);
    expect(ev('input.missing === undefined')).toBe(true);
    expect(ev('input.kind == null')).toBe(false);
    expect(ev('input.nested.deep.deeper.still == null')).toBe(true);
  });

  test('ordering operators compare numbers, and refuse missing values', () => {
    expect(ev('input.count > 2')).toBe(true);
    expect(ev('input.count >= 3 && input.count <= 3')).toBe(true);
    expect(ev('input.count < 3')).toBe(false);
    expect(ev('input.missing < 3')).toBe(false);
    expect(ev('input.missing >= 3')).toBe(false);
    expect(ev('input.count > -1')).toBe(true);
  });

  test('&&, || and ! follow the usual precedence and parentheses override it', () => {
    expect(ev('input.flag || input.missing && false')).toBe(true);
    expect(ev('(input.flag || input.missing) && false')).toBe(false);
    expect(ev('!input.flag')).toBe(false);
    expect(ev('!!input.kind')).toBe(true);
    expect(ev('!(input.kind == "company")')).toBe(true);
  });

  test('a bare path is truthiness', () => {
    expect(ev('input.flag')).toBe(true);
    expect(ev('input.empty')).toBe(false);
    expect(ev('input.missing')).toBe(false);
  });

  test('bracket access reads array items and quoted keys', () => {
    expect(ev('input.list[1] == "b"')).toBe(true);
    expect(ev('input["kind"] == "person"')).toBe(true);
  });

  test('paths never reach prototypes', () => {
    expect(ev('input.constructor')).toBe(false);
    expect(ev('input.kind.length')).toBe(false);
    expect(ev('input.__proto__')).toBe(false);
  });
});

describe('parseNgIf', () => {
  test.each([
    ['input.kind ==', /unexpected end/],
    ['input.kind = "a"', /unexpected "="/],
    ['(input.kind == "a"', /unexpected end/],
    ['input.kind == "a', /unterminated string/],
    ['input.kind == "a" extra', /unexpected "extra" at position 19/],
    ['', /empty/],
    ['input.', /unexpected end/],
    ['input.kind # 1', /unexpected "#"/],
  ])('rejects %j with a DEFINITION_INVALID error naming it', (expression, reason) => {
    let caught: unknown;
    try {
      parseNgIf(expression);
    } catch (error) {
      caught = error;
    }
    expect(isWeftError(caught) && caught.code).toBe('DEFINITION_INVALID');
    expect((caught as Error).message).toContain(`"${expression}"`);
    expect((caught as Error).message).toMatch(reason);
  });

  test('evaluation of a malformed expression throws the same error', () => {
    expect(() => evaluateNgIf('input.a &&', {})).toThrow(/Invalid ngIf expression "input\.a &&"/);
  });

  test('never evaluates code', () => {
    expect(() => parseNgIf('process.exit(1)')).toThrow(/unexpected "\("/);
    expect(evaluateNgIf('globalThis', {})).toBe(false);
  });
});
