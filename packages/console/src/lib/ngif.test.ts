import { expect, test } from 'vitest';
import { ngIfHolds } from './ngif';

test('ngIf expressions evaluate as the SDK does', () => {
  const scope = { input: { kind: 'company', size: '12', tags: ['a'] }, connection: { sandbox: true } };
  expect(ngIfHolds('input.kind == "company"', scope)).toBe(true);
  expect(ngIfHolds("input.kind != 'company'", scope)).toBe(false);
  expect(ngIfHolds('input.size > 10 && connection.sandbox', scope)).toBe(true);
  expect(ngIfHolds('input.missing > 1', scope)).toBe(false);
  expect(ngIfHolds('!(input.kind == "person") || false', scope)).toBe(true);
  expect(ngIfHolds('input.tags[0] === "a"', scope)).toBe(true);
  expect(ngIfHolds('input.constructor', scope)).toBe(false);
  expect(ngIfHolds(undefined, scope)).toBe(true);
  // A malformed expression shows the field; the server reports the definition error.
  expect(ngIfHolds('input.kind ==', scope)).toBe(true);
});
