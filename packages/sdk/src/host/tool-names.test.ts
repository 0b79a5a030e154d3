import { describe, expect, test } from 'vitest';
import { mayBeUnder, TOOL_NAME_MAX, toolName } from './tool-names.js';

const ACCEPTED = /^[A-Za-z0-9_-]{1,64}$/;

describe('tool names', () => {
  test('a name that assistants accept stays as it is', () => {
    expect(toolName('crm_a', 'create_contact')).toBe('crm_a__create_contact');
    expect(toolName(undefined, 'create_contact')).toBe('create_contact');
    expect(toolName('c', 'a'.repeat(61))).toBe(`c__${'a'.repeat(61)}`);
  });

  test('a long or unusual name keeps the action, shortens the connection, and ends in a digest', () => {
    const name = toolName('crm.eu-west.production-account-of-the-sales-operations-team', 'create_contact');
    expect(name).toMatch(/^crm_eu-west_production-account-of-the-s__create_contact_[0-9a-f]{8}$/);
    expect(name).toHaveLength(TOOL_NAME_MAX);
    expect(toolName('crm.eu', 'find')).toMatch(/^crm_eu__find_[0-9a-f]{8}$/);
    // A huge action keeps the first characters of the connection and as much of itself as fits.
    const huge = toolName('connection-name', `x${'y'.repeat(200)}`);
    expect(huge).toMatch(/^connecti__xy+_[0-9a-f]{8}$/);
    expect(huge).toHaveLength(TOOL_NAME_MAX);
    expect(toolName(undefined, 'a.b')).toMatch(/^a_b_[0-9a-f]{8}$/);
  });

  test('shortened names are stable and distinct, even where the readable part is the same', () => {
    const samples = [
      ['crm.eu', 'find'],
      ['crm_eu', 'find.all'],
      ['crm.eu', 'find.all'],
      ['x'.repeat(100), 'find'],
      [`${'x'.repeat(100)}y`, 'find'],
      [undefined, 'ñame'],
      [undefined, 'ńame'],
    ] as const;
    const names = samples.map(([prefix, action]) => toolName(prefix, action));
    for (const name of names) expect(name).toMatch(ACCEPTED);
    expect(new Set(names).size).toBe(samples.length);
    expect(samples.map(([prefix, action]) => toolName(prefix, action))).toEqual(names);
  });

  test('mayBeUnder finds the connection of a plain or a shortened name, and not of another', () => {
    const long = 'crm.eu-west.production-account-of-the-sales-operations-team';
    expect(mayBeUnder('crm_a', 'crm_a__create_contact')).toBe(true);
    expect(mayBeUnder(long, toolName(long, 'create_contact'))).toBe(true);
    expect(mayBeUnder('crm_a', 'crm_b__create_contact')).toBe(false);
    expect(mayBeUnder('billing.eu', toolName(long, 'create_contact'))).toBe(false);
  });
});
