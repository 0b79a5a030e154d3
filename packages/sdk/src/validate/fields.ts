/** Checks of literal field lists (lambdas are checked when they run). */
import { isWeftError } from '../errors.js';
import { CONTROL_TYPES, FIELD_TYPES } from '../model/fields.js';
import { isNamedConversion, NAMED_CONVERSIONS } from '../schema/conversions.js';
import { parseNgIf } from '../schema/ngif.js';
import { describe, isPlainObject } from '../schema/values.js';
import type { Checker, Obj } from './checks.js';
import { checkKeys } from './keys.js';

const FIELD_KEYS = [
  'name',
  'label',
  'hint',
  'type',
  'of',
  'properties',
  'optional',
  'controlType',
  'pickList',
  'pickListParams',
  'options',
  'delimiter',
  'toggleHint',
  'toggleField',
  'default',
  'sticky',
  'extendsSchema',
  'ngIf',
  'convertInput',
  'convertOutput',
  'listMode',
  'itemLabel',
  'custom',
  'supportPills',
  'schema',
];

/** What fields may refer to: the connector's pick lists and methods. */
export interface FieldRefs {
  pickLists: string[];
  methods: string[];
}

const known = (names: string[], what: string) =>
  names.length ? `${what}: ${names.join(', ')}` : `the connector defines no ${what}`;

export function checkFieldList(
  c: Checker,
  value: unknown,
  path: string,
  refs: FieldRefs,
  options: { lambda?: boolean; extraSiblings?: string[] } = {},
): void {
  if (value === undefined) return;
  if (typeof value === 'function' && options.lambda) return;
  if (!Array.isArray(value)) {
    const expected = options.lambda ? 'an array of fields or a function returning one' : 'an array of fields';
    c.add(path, `must be ${expected}, got ${describe(value)}`);
    return;
  }
  const siblings = [
    ...value.filter((f) => isPlainObject(f) && typeof f.name === 'string').map((f) => (f as Obj).name as string),
    ...(options.extraSiblings ?? []),
  ];
  const seen = new Map<string, number>();
  value.forEach((field, i) => {
    const where = `${path}[${i}]`;
    if (!c.object(field, where, 'a field object')) return;
    checkField(c, field, where, refs, siblings);
    if (typeof field.name === 'string') {
      const first = seen.get(field.name);
      if (first !== undefined) c.add(`${where}.name`, `duplicate field name "${field.name}" (also at [${first}])`);
      else seen.set(field.name, i);
    }
  });
}

/** Names other form libraries use for a control type of ours (SPEC §2 has no `switch`). */
const CONTROL_ALIASES: Readonly<Record<string, string>> = {
  switch: 'checkbox',
  toggle: 'checkbox',
  boolean: 'checkbox',
  textarea: 'text-area',
};

function checkControlType(c: Checker, value: unknown, path: string): void {
  if (value === undefined || (CONTROL_TYPES as readonly unknown[]).includes(value)) return;
  const alias = typeof value === 'string' && Object.hasOwn(CONTROL_ALIASES, value) ? CONTROL_ALIASES[value] : undefined;
  const hint = alias ? `; for this control use "${alias}"` : '';
  c.add(path, `must be one of ${CONTROL_TYPES.join(', ')} (got ${describe(value)})${hint}`);
}

function checkField(c: Checker, field: Obj, path: string, refs: FieldRefs, siblings: string[]): void {
  checkKeys(field, path, FIELD_KEYS, c.problems, { what: 'field attribute' });
  if (field.name === undefined) c.add(`${path}.name`, 'is required');
  else if (typeof field.name !== 'string' || field.name === '') {
    c.add(`${path}.name`, `must be a non-empty string, got ${describe(field.name)}`);
  }
  c.oneOf(field.type, `${path}.type`, FIELD_TYPES);
  c.oneOf(
    field.of,
    `${path}.of`,
    FIELD_TYPES.filter((t) => t !== 'array'),
  );
  checkControlType(c, field.controlType, `${path}.controlType`);
  c.oneOf(field.listMode, `${path}.listMode`, ['static', 'dynamic']);
  for (const key of ['label', 'hint', 'toggleHint', 'itemLabel']) c.string(field[key], `${path}.${key}`);
  for (const key of ['optional', 'sticky', 'extendsSchema', 'custom', 'supportPills'])
    c.boolean(field[key], `${path}.${key}`);
  if (field.schema !== undefined) c.object(field.schema, `${path}.schema`, 'an object of JSON Schema keywords');
  if (field.delimiter !== undefined && (typeof field.delimiter !== 'string' || field.delimiter === '')) {
    c.add(`${path}.delimiter`, `must be a non-empty string, got ${describe(field.delimiter)}`);
  }

  if (field.properties !== undefined) {
    if (field.type !== undefined && field.type !== 'object' && field.type !== 'array') {
      c.add(
        `${path}.properties`,
        `only object and array fields have properties (this field's type is ${describe(field.type)})`,
      );
    } else {
      checkFieldList(c, field.properties, `${path}.properties`, refs);
    }
  }

  if (typeof field.pickList === 'string') {
    if (!refs.pickLists.includes(field.pickList)) {
      c.add(
        `${path}.pickList`,
        `names a pick list "${field.pickList}" that the connector does not define (${known(refs.pickLists, 'pick lists')})`,
      );
    }
  } else if (field.pickList !== undefined) {
    checkOptions(c, field.pickList, `${path}.pickList`, 'the name of a pick list or an array of [label, value] pairs');
  }
  if (field.options !== undefined)
    checkOptions(c, field.options, `${path}.options`, 'an array of [label, value] pairs');

  if (field.pickListParams !== undefined && c.object(field.pickListParams, `${path}.pickListParams`)) {
    for (const [arg, sibling] of Object.entries(field.pickListParams)) {
      if (typeof sibling !== 'string')
        c.add(`${path}.pickListParams.${arg}`, `must name a field, got ${describe(sibling)}`);
      else if (!siblings.includes(sibling)) {
        c.add(
          `${path}.pickListParams.${arg}`,
          `names field "${sibling}", which is not a sibling field (fields here: ${siblings.join(', ') || 'none'})`,
        );
      }
    }
  }

  if (field.toggleField !== undefined && c.object(field.toggleField, `${path}.toggleField`, 'a field object')) {
    checkField(c, field.toggleField, `${path}.toggleField`, refs, siblings);
  }

  if (field.ngIf !== undefined) {
    if (typeof field.ngIf !== 'string')
      c.add(`${path}.ngIf`, `must be a string expression, got ${describe(field.ngIf)}`);
    else {
      try {
        parseNgIf(field.ngIf);
      } catch (error) {
        c.add(`${path}.ngIf`, isWeftError(error) ? error.message : String(error));
      }
    }
  }

  for (const key of ['convertInput', 'convertOutput']) {
    const name = field[key];
    if (name === undefined) continue;
    if (typeof name !== 'string') c.add(`${path}.${key}`, `must be a string, got ${describe(name)}`);
    else if (!isNamedConversion(name) && !refs.methods.includes(name)) {
      c.add(
        `${path}.${key}`,
        `"${name}" names neither a named conversion (${NAMED_CONVERSIONS.join(', ')}) nor a method (${known(refs.methods, 'methods')})`,
      );
    }
  }
}

function checkOptions(c: Checker, value: unknown, path: string, expected: string): void {
  if (!Array.isArray(value)) {
    c.add(path, `must be ${expected}, got ${describe(value)}`);
    return;
  }
  value.forEach((option, i) => {
    if (!Array.isArray(option) || option.length < 2 || typeof option[0] !== 'string') {
      c.add(`${path}[${i}]`, `must be a [label, value] pair, got ${describe(option)}`);
    }
  });
}
