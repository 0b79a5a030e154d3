/**
 * A read-only table of schema fields (connector pages): name, type, control and notes.
 */
import type { Field, FieldSet } from '../api/types';
import { controlOf, labelOf, typeOf } from '../lib/fields';

function rows(fields: readonly Field[], depth: number, out: Array<{ field: Field; depth: number }>) {
  for (const field of fields) {
    out.push({ field, depth });
    if (field.properties && depth < 4) rows(field.properties, depth + 1, out);
  }
  return out;
}

function notes(field: Field, output: boolean): string[] {
  const n: string[] = [];
  if (!output) n.push(field.optional ? 'optional' : 'required');
  if (field.default !== undefined) n.push(`default ${JSON.stringify(field.default)}`);
  if (typeof field.pickList === 'string') n.push(`pick list ${field.pickList}`);
  else if (field.pickList || field.options) n.push(`${(field.pickList ?? field.options)!.length} options`);
  if (field.pickListParams) n.push(`depends on ${Object.values(field.pickListParams).join(', ')}`);
  if (field.ngIf) n.push(`shown if ${field.ngIf}`);
  if (field.toggleField) n.push(`or ${labelOf(field.toggleField)}`);
  if (field.sticky) n.push('sticky');
  if (field.extendsSchema) n.push('extends the schema');
  return n;
}

export function FieldTable({ set, caption, output = false }: { set: FieldSet; caption: string; output?: boolean }) {
  if (set.dynamic)
    return (
      <p className="field-note">{caption}: computed by the connector (dynamic), resolved when a form needs them.</p>
    );
  const list = rows(set.fields ?? [], 0, []);
  if (list.length === 0) return <p className="field-note">{caption}: none.</p>;
  return (
    <div className="table-wrap">
      <table className="table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Type</th>
            {!output && <th scope="col">Control</th>}
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {list.map(({ field, depth }, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: nested fields may repeat names
            <tr key={i}>
              <th scope="row" style={{ paddingLeft: `${0.75 + depth * 1.25}rem` }}>
                <span className="field-name">{labelOf(field)}</span> <code className="muted">{field.name}</code>
                {field.hint && <span className="cell-hint">{field.hint}</span>}
              </th>
              <td>
                {typeOf(field) === 'array'
                  ? `array of ${field.of ?? (field.properties ? 'object' : 'string')}`
                  : typeOf(field)}
              </td>
              {!output && <td>{controlOf(field)}</td>}
              <td>{notes(field, output).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
