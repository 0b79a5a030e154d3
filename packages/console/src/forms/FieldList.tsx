/**
 * A form generated from schema fields (SPEC §2): one control per field, chosen by its
 * `controlType` (else its type), with labels, hints, required marks, `ngIf`, toggle fields,
 * sticky and optional fields (optional ones hide behind "Add optional field"), nested objects
 * and lists, and — where datapills are offered — a formula mode and a datapill picker.
 *
 * This module decides which fields show and renders nested forms; a row is `FieldRow`, a
 * control `Control`. Nested forms reach `Control` as its `nested` prop, so the recursion needs
 * no import cycle.
 */
import { useId, useState } from 'react';
import type { Field } from '../api/types';
import { Button } from '../components/ui';
import { fieldId, isBlank, labelOf } from '../lib/fields';
import { ngIfHolds } from '../lib/ngif';
import type { ControlProps, Values } from './Control';
import { errorAt, useFormEnv } from './env';
import { FieldRow } from './FieldRow';

export interface FieldListProps {
  fields: readonly Field[];
  value: Values;
  onChange: (value: Values) => void;
  /** Path of this object in the request body: `values`, `steps[0].input`, `input`. */
  path: string;
  /** What `ngIf` sees besides `input` (`config`, `connection`). */
  scope?: Values;
  /** Secret fields already stored (edit forms): shown as "stored", sent back as "[REDACTED]". */
  storedSecrets?: ReadonlySet<string>;
}

function withDefaults(fields: readonly Field[], value: Values): Values {
  const out = { ...value };
  for (const f of fields)
    if ((out[f.name] === undefined || out[f.name] === null) && f.default !== undefined) out[f.name] = f.default;
  return out;
}

export function FieldList({ fields, value, onChange, path, scope, storedSecrets }: FieldListProps) {
  const { errors } = useFormEnv();
  const [added, setAdded] = useState<ReadonlySet<string>>(new Set());
  const [choice, setChoice] = useState('');
  const addId = useId();
  // As on the server: `input.x` in an expression names a config field or an input field.
  const config = scope?.config && typeof scope.config === 'object' ? (scope.config as Values) : {};
  const ngScope = { ...scope, input: { ...config, ...withDefaults(fields, value) } };
  const applicable = fields.filter((f) => ngIfHolds(f.ngIf, ngScope));
  const hasValue = (f: Field) =>
    !isBlank(value[f.name]) || (f.toggleField ? !isBlank(value[f.toggleField.name]) : false);
  const shown = (f: Field) =>
    !f.optional ||
    f.sticky ||
    hasValue(f) ||
    added.has(f.name) ||
    storedSecrets?.has(f.name) ||
    errorAt(errors, `${path}.${f.name}`, true) !== undefined;
  const visible = applicable.filter(shown);
  const hidden = applicable.filter((f) => !shown(f));

  const setKey = (name: string, v: unknown) => {
    const next = { ...value };
    if (v === undefined) delete next[name];
    else next[name] = v;
    onChange(next);
  };

  return (
    <div className="field-list">
      {visible.map((f) => (
        <FieldRow
          key={f.name}
          field={f}
          values={value}
          siblingFields={fields}
          setKey={setKey}
          path={path}
          stored={storedSecrets?.has(f.name) ?? false}
          nested={NestedControl}
          onRemove={
            f.optional && !f.sticky
              ? () => {
                  const next = new Set(added);
                  next.delete(f.name);
                  setAdded(next);
                  const rest = { ...value };
                  delete rest[f.name];
                  if (f.toggleField) delete rest[f.toggleField.name];
                  onChange(rest);
                }
              : undefined
          }
        />
      ))}
      {hidden.length > 0 && (
        <div className="add-optional">
          <label htmlFor={addId}>Add optional field</label>
          <div className="inline">
            <select id={addId} value={choice} onChange={(e) => setChoice(e.target.value)}>
              <option value="">Choose a field ({hidden.length} available)</option>
              {hidden.map((f) => (
                <option key={f.name} value={f.name}>
                  {labelOf(f)}
                </option>
              ))}
            </select>
            <Button
              size="small"
              disabled={!choice}
              onClick={() => {
                setAdded(new Set([...added, choice]));
                const focusId = fieldId(`${path}.${choice}`);
                setChoice('');
                requestAnimationFrame(() => document.getElementById(focusId)?.focus());
              }}
            >
              Add
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}

/** The controls that hold a form of their own: an object, a list of objects. */
function NestedControl(props: ControlProps) {
  const { field, id, value, onChange, describedBy, label } = props;
  if (props.kind === 'object-list') return <ObjectList {...props} />;
  return (
    <fieldset className="nested" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      <FieldList
        fields={field.properties ?? []}
        value={value && typeof value === 'object' && !Array.isArray(value) ? (value as Values) : {}}
        onChange={(v) => onChange(Object.keys(v).length ? v : undefined)}
        path={props.path}
      />
    </fieldset>
  );
}

/** A list of objects (`type: 'array'` with `properties`): one nested form per element. */
function ObjectList({ field, id, value, onChange, describedBy, label, path }: ControlProps) {
  const items = Array.isArray(value) ? (value as unknown[]) : [];
  const itemLabel = field.itemLabel ?? 'Item';
  const set = (next: unknown[]) => onChange(next.length ? next : undefined);
  return (
    <fieldset className="object-list" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{label}</legend>
      {items.map((item, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: elements have no identity but their position
        <fieldset key={i} className="nested">
          <legend>
            {itemLabel} {i + 1}
          </legend>
          <FieldList
            fields={field.properties ?? []}
            value={item && typeof item === 'object' ? (item as Values) : {}}
            onChange={(v) => set(items.map((x, j) => (j === i ? v : x)))}
            path={`${path}[${i}]`}
          />
          <Button
            size="small"
            variant="ghost"
            aria-label={`Remove ${itemLabel} ${i + 1} of ${label}`}
            onClick={() => set(items.filter((_, j) => j !== i))}
          >
            Remove {itemLabel.toLowerCase()}
          </Button>
        </fieldset>
      ))}
      <Button size="small" onClick={() => set([...items, {}])}>
        Add {itemLabel.toLowerCase()}
      </Button>
    </fieldset>
  );
}
