/**
 * JSON Schemas → Weft fields. Input fields are written inline (a form shows them; nesting is
 * cut at `INPUT_DEPTH`) with pick lists for enums. Output fields refer to object definitions,
 * one per named schema, built depth first: a reference back to a definition still being built
 * (a cycle) is cut to a plain `object` field, so the definitions never form a cycle.
 */
import type { Schema } from './model.js';
import { brief, NameSet, snake } from './names.js';
import type { PickLists } from './pick-lists.js';
import { type SchemaView, viewOf } from './schema-view.js';

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date' | 'date_time' | 'object' | 'array';

/** A field as the generator writes it; `properties` may name an object definition. */
export interface FieldNode {
  name: string;
  type?: FieldType;
  of?: FieldType;
  properties?: FieldNode[] | { definition: string };
  optional?: boolean;
  controlType?: 'select' | 'password' | 'email' | 'url' | 'text-area';
  pickList?: string;
  hint?: string;
}

const INPUT_DEPTH = 3;
const OUTPUT_INLINE_DEPTH = 6;

function scalarType(view: SchemaView): FieldType | undefined {
  switch (view.type) {
    case 'integer':
    case 'number':
    case 'boolean':
      return view.type;
    case 'string':
      if (view.format === 'date') return 'date';
      if (view.format === 'date-time') return 'date_time';
      return undefined;
    default:
      return undefined;
  }
}

function controlFor(view: SchemaView, name: string): FieldNode['controlType'] {
  if (view.type !== 'string') return undefined;
  if (view.format === 'password' || /^(password|secret)$/i.test(name)) return 'password';
  if (view.format === 'email') return 'email';
  if (view.format === 'uri' || view.format === 'url') return 'url';
  return undefined;
}

export class SchemaFields {
  /** Finished object definitions by name. */
  readonly definitions = new Map<string, FieldNode[]>();
  private readonly definitionNames = new Map<Schema, string>();
  private readonly building = new Set<Schema>();
  private readonly names = new NameSet();

  constructor(
    private readonly schemaNames: ReadonlyMap<object, string>,
    private readonly pickLists: PickLists,
  ) {}

  /** How outputs see a schema (variants of different kinds: the object). */
  view(schema: unknown): SchemaView {
    return viewOf(schema, this.schemaNames, 'object');
  }

  /** How inputs see a schema (variants of different kinds: the first). */
  inputView(schema: unknown): SchemaView {
    return viewOf(schema, this.schemaNames, 'first');
  }

  /** Input fields for the properties of an object view. */
  inputProperties(view: SchemaView, depth = 0): FieldNode[] {
    return view.properties.map(([name, schema]) =>
      this.inputField(name, this.inputView(schema), !view.required.has(name), depth),
    );
  }

  inputField(name: string, view: SchemaView, optional: boolean, depth = 0, hint?: string): FieldNode {
    const field: FieldNode = { name, ...this.shape(name, view, depth, 'input') };
    if (optional) field.optional = true;
    const text = brief(hint ?? view.description);
    if (text) field.hint = text;
    return field;
  }

  /** Output fields for the properties of an object view. */
  outputProperties(view: SchemaView, depth = 0): FieldNode[] {
    return view.properties.map(([name, schema]) => {
      const inner = this.view(schema);
      const field: FieldNode = { name, ...this.shape(name, inner, depth, 'output') };
      const text = brief(inner.description, 160);
      if (text) field.hint = text;
      return field;
    });
  }

  /** The fields of an object view, as a definition reference when it is a named schema. */
  outputObject(view: SchemaView, depth = 0): FieldNode['properties'] {
    if (view.named) {
      const definition = this.definitionFor(view.named, view);
      return definition ? { definition } : undefined;
    }
    if (depth >= OUTPUT_INLINE_DEPTH || !view.properties.length) return undefined;
    return this.outputProperties(view, depth + 1);
  }

  private shape(name: string, view: SchemaView, depth: number, side: 'input' | 'output'): Omit<FieldNode, 'name'> {
    if (view.type === 'object') {
      const properties =
        side === 'output'
          ? this.outputObject(view, depth)
          : depth < INPUT_DEPTH && view.properties.length
            ? this.inputProperties(view, depth + 1)
            : undefined;
      return properties ? { type: 'object', properties } : { type: 'object' };
    }
    if (view.type === 'array') {
      const items = side === 'input' ? this.inputView(view.items) : this.view(view.items);
      if (items.type === 'object') {
        const properties =
          side === 'output'
            ? this.outputObject(items, depth)
            : depth < INPUT_DEPTH && items.properties.length
              ? this.inputProperties(items, depth + 1)
              : undefined;
        return properties ? { type: 'array', of: 'object', properties } : { type: 'array', of: 'object' };
      }
      const of = scalarType(items) ?? (items.type === 'array' ? undefined : 'string');
      return of ? { type: 'array', of } : { type: 'array' };
    }
    const shape: Omit<FieldNode, 'name'> = {};
    const type = scalarType(view);
    if (type) shape.type = type;
    if (side === 'input' && view.enum?.length && view.type !== 'boolean') {
      const pickList = this.pickLists.nameFor(name, view.enum);
      if (pickList) {
        shape.controlType = 'select';
        shape.pickList = pickList;
        return shape;
      }
    }
    const control = side === 'input' ? controlFor(view, name) : undefined;
    if (control) shape.controlType = control;
    return shape;
  }

  private definitionFor(schema: Schema, view: SchemaView): string | undefined {
    const done = this.definitionNames.get(schema);
    if (done) return done;
    if (this.building.has(schema)) return undefined; // a cycle: cut here
    this.building.add(schema);
    try {
      const fields = this.outputProperties(view, 0);
      const name = this.names.claim(snake(this.schemaNames.get(schema) ?? 'object'));
      this.definitionNames.set(schema, name);
      this.definitions.set(name, fields);
      return name;
    } finally {
      this.building.delete(schema);
    }
  }
}
