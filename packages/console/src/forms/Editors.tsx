/**
 * Controls for structured values: key/value pairs, a schema designer, lists of strings and raw JSON.
 */
import { FIELD_TYPES as ALL_FIELD_TYPES } from '@weft/sdk/model';
import { useEffect, useRef, useState } from 'react';
import type { FieldType } from '../api/types';
import { Button } from '../components/ui';

interface EditorProps {
  id: string;
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  describedBy?: string;
}

let rowCounter = 0;
const rowKey = () => `r${++rowCounter}`;

/** Rows with stable keys, re-created only when the value changes from outside. */
function useRows<T>(value: unknown, toRows: (value: unknown) => T[], fromRows: (rows: T[]) => unknown) {
  const [rows, setRows] = useState(() => toRows(value).map((row) => ({ key: rowKey(), row })));
  const last = useRef<string>(JSON.stringify(value ?? null));
  useEffect(() => {
    const text = JSON.stringify(value ?? null);
    if (text !== last.current) {
      last.current = text;
      setRows(toRows(value).map((row) => ({ key: rowKey(), row })));
    }
  }, [value, toRows]);
  const update = (next: Array<{ key: string; row: T }>) => {
    setRows(next);
    const out = fromRows(next.map((r) => r.row));
    last.current = JSON.stringify(out ?? null);
    return out;
  };
  return { rows, update };
}

type Pair = { key: string; value: string };

const pairsOf = (value: unknown): Pair[] =>
  value && typeof value === 'object' && !Array.isArray(value)
    ? Object.entries(value).map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }))
    : [];

const objectOf = (pairs: Pair[]): unknown => {
  const out: Record<string, string> = {};
  for (const p of pairs) if (p.key !== '') out[p.key] = p.value;
  return pairs.length ? out : undefined;
};

export function KeyValueEditor({ id, label, value, onChange, describedBy }: EditorProps) {
  const { rows, update } = useRows<Pair>(value, pairsOf, objectOf);
  const set = (i: number, patch: Partial<Pair>) =>
    onChange(update(rows.map((r, j) => (j === i ? { ...r, row: { ...r.row, ...patch } } : r))));
  return (
    <fieldset className="rows" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      {rows.map((r, i) => (
        <div className="row-editor" key={r.key}>
          <label className="inline-label">
            <span className="visually-hidden">{`${label}: key ${i + 1}`}</span>
            <input placeholder="Key" value={r.row.key} onChange={(e) => set(i, { key: e.target.value })} />
          </label>
          <label className="inline-label grow">
            <span className="visually-hidden">{`${label}: value ${i + 1}`}</span>
            <input placeholder="Value" value={r.row.value} onChange={(e) => set(i, { value: e.target.value })} />
          </label>
          <Button
            size="small"
            variant="ghost"
            aria-label={`Remove pair ${i + 1} of ${label}`}
            onClick={() => onChange(update(rows.filter((_, j) => j !== i)))}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button size="small" onClick={() => update([...rows, { key: rowKey(), row: { key: '', value: '' } }])}>
        Add pair
      </Button>
    </fieldset>
  );
}

interface DesignedField {
  name: string;
  label?: string;
  type: FieldType;
  optional?: boolean;
}

/** The SDK's field types a designed field may take (a timestamp is designed as a date_time). */
const FIELD_TYPES: FieldType[] = ALL_FIELD_TYPES.filter((t) => t !== 'timestamp');

const designedOf = (value: unknown): DesignedField[] =>
  Array.isArray(value)
    ? value
        .filter((f): f is Record<string, unknown> => !!f && typeof f === 'object')
        .map((f) => ({
          name: String(f.name ?? ''),
          label: typeof f.label === 'string' ? f.label : undefined,
          type: (FIELD_TYPES.includes(f.type as FieldType) ? f.type : 'string') as FieldType,
          optional: f.optional === true,
        }))
    : [];

const schemaOf = (rows: DesignedField[]): unknown =>
  rows.length
    ? rows.map((r) => ({
        name: r.name,
        ...(r.label ? { label: r.label } : {}),
        type: r.type,
        ...(r.optional ? { optional: true } : {}),
      }))
    : undefined;

/** `schema-designer`: the user describes fields (name, type, optional); the value is a field list. */
export function SchemaDesigner({ id, label, value, onChange, describedBy }: EditorProps) {
  const { rows, update } = useRows<DesignedField>(value, designedOf, schemaOf);
  const set = (i: number, patch: Partial<DesignedField>) =>
    onChange(update(rows.map((r, j) => (j === i ? { ...r, row: { ...r.row, ...patch } } : r))));
  return (
    <fieldset className="rows" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      {rows.length > 0 && (
        <div className="row-editor row-head" aria-hidden="true">
          <span>Name</span>
          <span>Type</span>
          <span>Optional</span>
          <span />
        </div>
      )}
      {rows.map((r, i) => (
        <div className="row-editor" key={r.key}>
          <label className="inline-label">
            <span className="visually-hidden">{`Field ${i + 1} name`}</span>
            <input placeholder="name" value={r.row.name} onChange={(e) => set(i, { name: e.target.value })} />
          </label>
          <label className="inline-label">
            <span className="visually-hidden">{`Field ${i + 1} type`}</span>
            <select value={r.row.type} onChange={(e) => set(i, { type: e.target.value as FieldType })}>
              {FIELD_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </label>
          <label className="choice">
            <input
              type="checkbox"
              checked={r.row.optional === true}
              onChange={(e) => set(i, { optional: e.target.checked })}
            />
            <span className="visually-hidden">{`Field ${i + 1} is optional`}</span>
          </label>
          <Button
            size="small"
            variant="ghost"
            aria-label={`Remove field ${i + 1}`}
            onClick={() => onChange(update(rows.filter((_, j) => j !== i)))}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button size="small" onClick={() => update([...rows, { key: rowKey(), row: { name: '', type: 'string' } }])}>
        Add field
      </Button>
    </fieldset>
  );
}

const stringsOf = (value: unknown): string[] =>
  Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) : [];
const listOf = (rows: string[]): unknown => (rows.length ? rows : undefined);

/** A list of scalar values, one input per element. */
export function StringListEditor({
  id,
  label,
  value,
  onChange,
  describedBy,
  inputType = 'text',
}: EditorProps & { inputType?: string }) {
  const { rows, update } = useRows<string>(value, stringsOf, listOf);
  return (
    <fieldset className="rows" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      {rows.map((r, i) => (
        <div className="row-editor" key={r.key}>
          <label className="inline-label grow">
            <span className="visually-hidden">{`${label} ${i + 1}`}</span>
            <input
              type={inputType}
              value={r.row}
              onChange={(e) => onChange(update(rows.map((x, j) => (j === i ? { ...x, row: e.target.value } : x))))}
            />
          </label>
          <Button
            size="small"
            variant="ghost"
            aria-label={`Remove ${label} ${i + 1}`}
            onClick={() => onChange(update(rows.filter((_, j) => j !== i)))}
          >
            Remove
          </Button>
        </div>
      ))}
      <Button size="small" onClick={() => update([...rows, { key: rowKey(), row: '' }])}>
        Add item
      </Button>
    </fieldset>
  );
}

/** Any JSON value, checked as it is typed; the last valid value is kept. */
export function JsonEditor({ id, value, onChange, describedBy }: EditorProps) {
  const [text, setText] = useState(() => (value === undefined ? '' : JSON.stringify(value, null, 2)));
  const [problem, setProblem] = useState<string>();
  const errorId = `${id}-json`;
  return (
    <>
      <textarea
        id={id}
        className="mono"
        rows={4}
        value={text}
        spellCheck={false}
        aria-describedby={[describedBy, problem ? errorId : ''].filter(Boolean).join(' ') || undefined}
        aria-invalid={problem ? true : undefined}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === '') {
            setProblem(undefined);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setProblem(undefined);
          } catch (error) {
            setProblem((error as Error).message);
          }
        }}
      />
      {problem && (
        <p id={errorId} className="field-error">
          Not valid JSON yet: {problem}
        </p>
      )}
    </>
  );
}
