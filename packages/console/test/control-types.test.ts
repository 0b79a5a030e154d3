/**
 * One field model: the console's forms draw exactly the control types the SDK accepts
 * (`@weft/sdk/model`, SPEC §2). No browser needed.
 */
import { CONTROL_TYPES } from '@weft/sdk/model';
import { expect, test } from 'vitest';
import { CONTROL_WIDGETS, isControlType, widgetOf } from '../src/forms/controls.ts';

test("the form renderer's control types are the SDK's list", () => {
  expect(Object.keys(CONTROL_WIDGETS).sort()).toEqual([...CONTROL_TYPES].sort());
  for (const type of CONTROL_TYPES) expect(widgetOf(type), type).toBe(CONTROL_WIDGETS[type]);
});

test('a control type the SDK rejects is not one the console accepts', () => {
  expect(isControlType('switch')).toBe(false);
  expect(isControlType('toString')).toBe(false);
  expect(isControlType('checkbox')).toBe(true);
});
