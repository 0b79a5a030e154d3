/**
 * Field helpers shared by every generated form: labels, control kinds, required-ness, and
 * how formulas (`=expr`) and templates (`{{ expr }}`) are recognized.
 */
import { humanize } from '@weft/sdk/model';
import type { Field, FieldType } from '../api/types';
import { type ControlKind, isControlType } from '../forms/controls';

export type { ControlKind };

/** A field's label, or its name humanized as the SDK does (`first_name` → `First name`). */
export const labelOf = (field: Field): string => field.label ?? humanize(field.name);

export function typeOf(field: Field): FieldType {
  return field.type ?? (field.properties ? 'object' : 'string');
}

/**
 * The control a field gets: its `controlType`, else one derived from its type and pick list. A
 * control type the SDK does not know (fields computed at run time are not validated) is ignored.
 */
export function controlOf(field: Field): ControlKind {
  if (isControlType(field.controlType)) return field.controlType;
  const type = typeOf(field);
  if (field.pickList || field.options) return type === 'array' ? 'multiselect' : 'select';
  switch (type) {
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'date_time':
      return 'date_time';
    case 'timestamp':
      return 'timestamp';
    case 'object':
      return field.properties ? 'object' : 'json';
    case 'array':
      if (field.properties || field.of === 'object') return field.properties ? 'object-list' : 'json';
      return 'string-list';
    default:
      return 'text';
  }
}

/** Required in a form: not optional and without a default (ngIf fields are required only when shown). */
export const isRequired = (field: Field): boolean => !field.optional && field.default === undefined;

/** Whether a value is a formula or a template, which only the formula editor can show. */
export function isFormula(value: unknown): value is string {
  return typeof value === 'string' && (value.startsWith('=') || value.includes('{{'));
}

export function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    value === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0)
  );
}

/** Text controls take datapills as `{{ }}` templates; the others become a formula. */
export function isTextControl(kind: ControlKind): boolean {
  return ['text', 'text-area', 'plain-text', 'url', 'email', 'phone', 'subdomain'].includes(kind);
}

/** The value without the keys of fields an `ngIf` hides (the server drops them anyway). */
export function withoutKeys(value: Record<string, unknown>, keys: Iterable<string>): Record<string, unknown> {
  const out = { ...value };
  for (const key of keys) delete out[key];
  return out;
}

/** A DOM id for a value's path (`steps[0].input.email` → `f-steps_0_-input-email`). */
export function fieldId(path: string): string {
  return `f-${path.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '.' ? '-' : '_'))}`;
}
