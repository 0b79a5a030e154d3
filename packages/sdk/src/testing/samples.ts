/**
 * Plausible values for a list of fields: what `weft generate test` writes into an input fixture
 * and what `weft check` uses as config values and as the parents of dependent pick lists. A
 * field takes, in order: the value given (config fields, `--config-fields`), its default, the
 * first option of its inline list, the first value of its pick list (a dependent one called with
 * the values of the fields its `pickListParams` name), else a sample of its type.
 */
import type { Field } from '../types.js';

export interface SampleSource {
  /** Values the user gave, by field name: used as they are. */
  given?: Record<string, unknown>;
  /** The values (second elements) of a pick list called with `args`; undefined when it cannot answer. */
  pickList?(name: string, args: Record<string, unknown>): Promise<unknown[] | undefined>;
}

/** A sample by type and control type alone (no pick list, no default). */
export function typeSample(field: Field): unknown {
  switch (field.type) {
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'boolean':
      return true;
    case 'date':
      return '2026-01-01';
    case 'date_time':
    case 'timestamp':
      return '2026-01-01T00:00:00Z';
  }
  switch (field.controlType) {
    case 'email':
      return 'someone@example.com';
    case 'url':
      return 'https://example.com';
    case 'phone':
      return '+1 555 0100';
    case 'integer':
      return 1;
    case 'number':
      return 1.5;
    case 'checkbox':
      return true;
  }
  return `example ${field.name.replace(/_/g, ' ')}`;
}

/** The arguments a field's pick list gets: each `pickListParams` entry takes its sibling's value. */
export function pickListArgs(field: Field, siblingValue: (sibling: string) => unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [arg, sibling] of Object.entries(field.pickListParams ?? {})) {
    const value = siblingValue(sibling);
    if (value !== undefined) args[arg] = value;
  }
  return args;
}

/** Sample values for `fields`, by name. Siblings a dependent pick list names are sampled first. */
export async function sampleFields(
  fields: readonly Field[],
  source: SampleSource = {},
): Promise<Record<string, unknown>> {
  const byName = new Map(fields.map((f) => [f.name, f]));
  const values: Record<string, unknown> = {};
  const busy = new Set<string>();
  const sample = async (field: Field): Promise<void> => {
    if (field.name in values || busy.has(field.name)) return;
    busy.add(field.name);
    for (const sibling of Object.values(field.pickListParams ?? {})) {
      const parent = byName.get(sibling);
      if (parent) await sample(parent);
    }
    values[field.name] = await sampleValue(field, source, (sibling) => values[sibling] ?? source.given?.[sibling]);
    busy.delete(field.name);
  };
  for (const field of fields) await sample(field);
  // Keep the fields' own order.
  return Object.fromEntries(fields.map((f) => [f.name, values[f.name]]));
}

async function sampleValue(
  field: Field,
  source: SampleSource,
  siblingValue: (sibling: string) => unknown,
): Promise<unknown> {
  const given = source.given?.[field.name];
  if (given !== undefined) return given;
  if (field.default !== undefined) return field.default;
  const options = Array.isArray(field.pickList) ? field.pickList : field.options;
  if (options?.length) return options[0][1];
  if (typeof field.pickList === 'string' && source.pickList) {
    const values = await source.pickList(field.pickList, pickListArgs(field, siblingValue));
    if (values?.length) return values[0];
  }
  const nested: SampleSource = { pickList: source.pickList };
  if (field.type === 'object') return sampleFields(field.properties ?? [], nested);
  if (field.type === 'array') {
    if (field.properties?.length || field.of === 'object') return [await sampleFields(field.properties ?? [], nested)];
    return [typeSample({ name: field.name, type: field.of ?? 'string' })];
  }
  return typeSample(field);
}
