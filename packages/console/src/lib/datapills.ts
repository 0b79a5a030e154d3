/**
 * Datapills: the trigger's and earlier steps' output fields as paths formulas can read
 * (`trigger.customer.email`, `steps.contact.id`, `item.sku`). See docs/recipes.md.
 */
import type { Field } from '../api/types';
import { labelOf, typeOf } from './fields';

export interface Datapill {
  /** What a formula reads: `trigger.customer.email`. */
  path: string;
  label: string;
  type: string;
  depth: number;
}

export interface PillSource {
  /** `trigger`, `steps.contact`, `item` */
  root: string;
  /** Shown as the group heading: "Trigger: New order", "Step contact: Create contact". */
  title: string;
  /** `undefined`: computed at run time (any path accepted); the root itself is offered. */
  fields: readonly Field[] | undefined;
}

/** JSONata needs backquotes around names that are not identifiers. */
export function pathSegment(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `\`${name.replace(/`/g, '')}\``;
}

function walk(fields: readonly Field[], prefix: string, depth: number, out: Datapill[]): void {
  for (const field of fields) {
    const path = `${prefix}.${pathSegment(field.name)}`;
    const type = typeOf(field);
    const shown = type === 'array' ? `list of ${field.properties ? 'objects' : (field.of ?? 'string')}` : type;
    out.push({ path, label: labelOf(field), type: shown, depth });
    if (field.properties && depth < 5) walk(field.properties, path, depth + 1, out);
  }
}

/** Every pill of a source, depth-first (nested fields after their parent). */
export function pillsOf(source: PillSource): Datapill[] {
  const out: Datapill[] = [];
  if (source.fields === undefined) {
    out.push({ path: source.root, label: `${source.title} (fields known at run time)`, type: 'object', depth: 0 });
    return out;
  }
  walk(source.fields, source.root, 0, out);
  return out;
}

/** The fields below a pill path, for `foreach` items: `=trigger.items` → the properties of `items`. */
export function fieldsAt(sources: readonly PillSource[], formula: string): readonly Field[] | undefined {
  const match = /^=\s*([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*$/.exec(formula);
  if (!match) return undefined;
  const names = match[1].split('.');
  for (const source of sources) {
    const rootNames = source.root.split('.');
    if (rootNames.some((n, i) => names[i] !== n)) continue;
    let fields = source.fields;
    for (const name of names.slice(rootNames.length)) {
      const field = fields?.find((f) => f.name === name);
      if (!field?.properties) return undefined;
      fields = field.properties;
    }
    return fields;
  }
  return undefined;
}

/**
 * The value after inserting a pill: into a formula, the bare path at the caret; into text, a
 * `{{ path }}` template at the caret; into an empty or non-text value, `=path`.
 */
export function insertPill(
  current: unknown,
  path: string,
  options: { text: boolean; selectionStart?: number | null; selectionEnd?: number | null },
): string {
  const value = typeof current === 'string' ? current : '';
  if (value === '' || (!options.text && !value.startsWith('='))) return `=${path}`;
  const start = options.selectionStart ?? value.length;
  const end = options.selectionEnd ?? start;
  const piece = value.startsWith('=') ? path : `{{${path}}}`;
  return value.slice(0, start) + piece + value.slice(end);
}
