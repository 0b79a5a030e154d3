/**
 * Which widget draws each control. The control types are the SDK's own list (`@weft/sdk/model`,
 * SPEC §2): the table is typed by it, so a control type the SDK adds or drops fails the build
 * here until the form renderer follows. Pure (no React), so tests can read it without a browser.
 */
import type { ControlType } from '@weft/sdk/model';

/** Controls picked from a field's type when it sets no `controlType`. */
export type DerivedControl = 'boolean' | 'object' | 'object-list' | 'string-list' | 'json' | 'timestamp';

export type ControlKind = ControlType | DerivedControl;

export type Widget =
  | 'input'
  | 'textarea'
  | 'number'
  | 'checkbox'
  | 'toggle'
  | 'date'
  | 'date_time'
  | 'timestamp'
  | 'select'
  | 'multiselect'
  | 'tree'
  | 'key_value'
  | 'schema-designer'
  | 'string-list'
  | 'json'
  | 'object'
  | 'object-list';

/** One entry per SDK control type, and no other. */
export const CONTROL_WIDGETS = {
  text: 'input',
  'text-area': 'textarea',
  'plain-text': 'input',
  password: 'input',
  integer: 'number',
  number: 'number',
  url: 'input',
  select: 'select',
  multiselect: 'multiselect',
  checkbox: 'checkbox',
  date: 'date',
  date_time: 'date_time',
  email: 'input',
  phone: 'input',
  subdomain: 'input',
  tree: 'tree',
  key_value: 'key_value',
  'schema-designer': 'schema-designer',
} as const satisfies Record<ControlType, Widget>;

const DERIVED_WIDGETS = {
  boolean: 'toggle',
  object: 'object',
  'object-list': 'object-list',
  'string-list': 'string-list',
  json: 'json',
  timestamp: 'timestamp',
} as const satisfies Record<DerivedControl, Widget>;

const WIDGETS: Readonly<Record<ControlKind, Widget>> = { ...CONTROL_WIDGETS, ...DERIVED_WIDGETS };

export const isControlType = (value: unknown): value is ControlType =>
  typeof value === 'string' && Object.hasOwn(CONTROL_WIDGETS, value);

export const widgetOf = (kind: ControlKind): Widget => WIDGETS[kind] ?? 'input';
