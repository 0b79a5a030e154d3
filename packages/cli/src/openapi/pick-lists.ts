/** Enums become named pick lists: one per distinct list of values, named after its first field. */
import { humanize, NameSet, snake } from './names.js';

export type PickListValue = string | number;

export class PickLists {
  private readonly byValues = new Map<string, string>();
  private readonly lists = new Map<string, [string, PickListValue][]>();
  private readonly names = new NameSet();

  /** The pick list for these enum values (created on first use), or undefined if unusable. */
  nameFor(fieldName: string, values: readonly unknown[]): string | undefined {
    const usable = [
      ...new Set(values.filter((v): v is PickListValue => typeof v === 'string' || typeof v === 'number')),
    ];
    if (!usable.length || usable.length > 500) return undefined;
    const key = JSON.stringify(usable);
    const known = this.byValues.get(key);
    if (known) return known;
    const name = this.names.claim(snake(fieldName.endsWith('s') ? fieldName : `${fieldName}s`));
    this.byValues.set(key, name);
    this.lists.set(
      name,
      usable.map((v) => [humanize(String(v)) || String(v), v]),
    );
    return name;
  }

  /** Every pick list, by name. */
  entries(): [string, [string, PickListValue][]][] {
    return [...this.lists.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  get size(): number {
    return this.lists.size;
  }
}
