/**
 * A form generated from schema fields (SPEC §2): one control per field, chosen by its
 * `controlType` (else its type), with labels, hints, required marks, `ngIf`, toggle fields,
 * sticky and optional fields (optional ones hide behind "Add optional field"), nested objects
 * and lists, and — where datapills are offered — a formula mode and a datapill picker.
 */
import { type ReactNode, useId, useRef, useState } from 'react';
import type { Field } from '../api/types';
import { Button } from '../components/ui';
import { insertPill } from '../lib/datapills';
import {
  type ControlKind,
  controlOf,
  fieldId,
  isBlank,
  isFormula,
  isRequired,
  isTextControl,
  labelOf,
} from '../lib/fields';
import { ngIfHolds } from '../lib/ngif';
import { widgetOf } from './controls';
import { DatapillMenu } from './DatapillMenu';
import { JsonEditor, KeyValueEditor, SchemaDesigner, StringListEditor } from './Editors';
import { errorAt, useFormEnv } from './env';
import { MultiSelectControl, SelectControl, TreeControl } from './PickList';

type Values = Record<string, unknown>;

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

interface FieldRowProps {
  field: Field;
  values: Values;
  siblingFields: readonly Field[];
  setKey: (name: string, value: unknown) => void;
  path: string;
  stored: boolean;
  onRemove?: () => void;
}

/** Group controls are labelled by a legend, not a `<label for>`. */
const GROUP_KINDS: ControlKind[] = [
  'multiselect',
  'tree',
  'key_value',
  'schema-designer',
  'string-list',
  'object',
  'object-list',
];

function FieldRow({ field, values, siblingFields, setKey, path, stored, onRemove }: FieldRowProps) {
  const env = useFormEnv();
  const alt = field.toggleField;
  const [toggled, setToggled] = useState(() => !!alt && alt.name !== field.name && !isBlank(values[alt.name]));
  const active = toggled && alt ? alt : field;
  const value = values[active.name];
  const kind = controlOf(active);
  const text = isTextControl(kind) || kind === 'password';
  const pills = env.pills;
  const [formulaOn, setFormulaOn] = useState(false);
  const formula =
    !!pills &&
    (formulaOn ||
      (typeof value === 'string' && value.startsWith('=')) ||
      (!text && kind !== 'json' && isFormula(value)));
  const inputRef = useRef<HTMLInputElement | HTMLTextAreaElement | null>(null);

  const valuePath = `${path}.${active.name}`;
  const id = fieldId(valuePath);
  const label = labelOf(active);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const grouped = !formula && GROUP_KINDS.includes(kind);
  const error =
    errorAt(env.errors, valuePath, grouped || kind === 'json') ??
    (alt && alt.name !== field.name ? errorAt(env.errors, `${path}.${field.name}`) : undefined);
  const required = isRequired(field);
  const describedBy = [active.hint ? hintId : '', error ? errorId : ''].filter(Boolean).join(' ') || undefined;

  const change = (v: unknown) => setKey(active.name, v);
  const toggle = () => {
    if (!alt) return;
    if (alt.name !== field.name) setKey(active.name, undefined);
    setToggled(!toggled);
  };

  // Text controls keep their element in formula mode (typing "=" must not move the focus).
  const control =
    formula && !text ? (
      <FormulaInput
        id={id}
        value={value}
        onChange={change}
        describedBy={describedBy}
        invalid={!!error}
        multiline={kind === 'text-area'}
        inputRef={inputRef}
      />
    ) : (
      <Control
        field={active}
        kind={kind}
        id={id}
        value={value}
        onChange={change}
        describedBy={describedBy}
        invalid={!!error}
        required={required}
        label={label}
        siblings={values}
        siblingFields={siblingFields}
        path={valuePath}
        stored={stored}
        inputRef={inputRef}
        formula={formula}
      />
    );

  return (
    <div className={`field${error ? ' has-error' : ''}`} data-field={valuePath}>
      <div className="field-head">
        {grouped ? (
          <span className="field-label" id={`${id}-label`}>
            {label}
            <RequiredMark required={required} />
          </span>
        ) : (
          <label className="field-label" htmlFor={id}>
            {label}
            <RequiredMark required={required} />
          </label>
        )}
        <div className="field-tools">
          {alt && (
            <Button
              size="small"
              variant="ghost"
              onClick={toggle}
              aria-label={`${label}: ${toggleLabel(field, toggled)}`}
            >
              {toggleLabel(field, toggled)}
            </Button>
          )}
          {pills && (
            <Button
              size="small"
              variant="ghost"
              aria-pressed={formula}
              aria-label={`Formula mode for ${label}`}
              title="Formula mode: the value is a JSONata expression (=…)"
              onClick={() => {
                if (formula) {
                  setFormulaOn(false);
                  change(undefined);
                } else {
                  setFormulaOn(true);
                  if (!isBlank(value) && !isFormula(value)) change(`=${JSON.stringify(value)}`);
                }
              }}
            >
              ƒx
            </Button>
          )}
          {pills && (
            <DatapillMenu
              groups={pills}
              fieldLabel={label}
              onPick={(pill) => {
                const input = inputRef.current;
                const next = insertPill(value, pill, {
                  text: text || formula,
                  selectionStart: input?.selectionStart,
                  selectionEnd: input?.selectionEnd,
                });
                if (next.startsWith('=')) setFormulaOn(true);
                change(next);
                requestAnimationFrame(() => document.getElementById(id)?.focus());
              }}
            />
          )}
          {onRemove && (
            <Button size="small" variant="ghost" onClick={onRemove} aria-label={`Remove the optional field ${label}`}>
              Remove
            </Button>
          )}
        </div>
      </div>
      {active.hint && (
        <p id={hintId} className="field-hint">
          {active.hint}
        </p>
      )}
      {control}
      {error && (
        <p id={errorId} className="field-error">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

function toggleLabel(field: Field, toggled: boolean): string {
  if (toggled) return field.toggleHint ?? 'Select from list';
  return field.toggleField?.toggleHint ?? 'Enter a value';
}

function RequiredMark({ required }: { required: boolean }) {
  if (!required) return <span className="optional-mark"> (optional)</span>;
  return (
    <>
      <span className="required-mark" aria-hidden="true">
        {' '}
        *
      </span>
      <span className="visually-hidden"> (required)</span>
    </>
  );
}

function FormulaInput({
  id,
  value,
  onChange,
  describedBy,
  invalid,
  multiline,
  inputRef,
}: {
  id: string;
  value: unknown;
  onChange: (v: unknown) => void;
  describedBy?: string;
  invalid: boolean;
  multiline: boolean;
  inputRef: React.MutableRefObject<HTMLInputElement | HTMLTextAreaElement | null>;
}) {
  const text = typeof value === 'string' ? value : value === undefined ? '' : `=${JSON.stringify(value)}`;
  const common = {
    id,
    className: 'mono formula',
    value: text,
    spellCheck: false,
    placeholder: '=trigger.field',
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
  };
  const set = (t: string) => onChange(t === '' ? undefined : t);
  return multiline ? (
    <textarea
      {...common}
      rows={3}
      ref={(el) => {
        inputRef.current = el;
      }}
      onChange={(e) => set(e.target.value)}
    />
  ) : (
    <input
      {...common}
      ref={(el) => {
        inputRef.current = el;
      }}
      onChange={(e) => set(e.target.value)}
    />
  );
}

interface ControlProps {
  field: Field;
  kind: ControlKind;
  id: string;
  value: unknown;
  onChange: (v: unknown) => void;
  describedBy?: string;
  invalid: boolean;
  required: boolean;
  label: string;
  siblings: Values;
  siblingFields: readonly Field[];
  path: string;
  stored: boolean;
  inputRef: React.MutableRefObject<HTMLInputElement | HTMLTextAreaElement | null>;
  /** A text control showing a formula (`=…`): monospace, typed as plain text. */
  formula?: boolean;
}

const INPUT_TYPES: Partial<Record<ControlKind, string>> = {
  text: 'text',
  'plain-text': 'text',
  password: 'password',
  url: 'url',
  email: 'email',
  phone: 'tel',
  subdomain: 'text',
};

/** `2026-01-02T10:00:00.000Z` → `2026-01-02T10:00:00` (shown as UTC wall time). */
function toLocalInput(value: unknown): string {
  if (typeof value !== 'string') return '';
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(value);
  return m ? `${m[1]}T${m[2]}` : '';
}

function fromLocalInput(text: string): string | undefined {
  if (!text) return undefined;
  return `${text.length === 16 ? `${text}:00` : text}Z`;
}

function numberValue(text: string, integer: boolean): unknown {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return text;
  return integer && !Number.isInteger(n) ? text : n;
}

function Control(props: ControlProps): ReactNode {
  const { field, kind, id, value, onChange, describedBy, invalid, required, label, inputRef, formula } = props;
  const aria = {
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': required || undefined,
  };
  const setRef = (el: HTMLInputElement | HTMLTextAreaElement | null) => {
    inputRef.current = el;
  };
  switch (widgetOf(kind)) {
    case 'textarea':
      return (
        <textarea
          id={id}
          ref={setRef}
          rows={4}
          className={formula ? 'mono formula' : undefined}
          spellCheck={formula ? false : undefined}
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          {...aria}
        />
      );
    case 'number':
      return (
        <input
          id={id}
          ref={setRef}
          type="number"
          inputMode={kind === 'integer' ? 'numeric' : 'decimal'}
          step={kind === 'integer' ? 1 : 'any'}
          value={typeof value === 'number' || typeof value === 'string' ? String(value) : ''}
          onChange={(e) => onChange(numberValue(e.target.value, kind === 'integer'))}
          {...aria}
        />
      );
    case 'checkbox':
    case 'toggle':
      return (
        <div className="check-row">
          <input
            id={id}
            type="checkbox"
            role={kind === 'checkbox' ? undefined : 'switch'}
            className={kind === 'checkbox' ? undefined : 'switch'}
            checked={value === true || value === 'true'}
            onChange={(e) => onChange(e.target.checked)}
            {...aria}
          />
          <span className="check-text" aria-hidden="true">
            {value === true || value === 'true' ? 'Yes' : 'No'}
          </span>
        </div>
      );
    case 'date':
      return (
        <input
          id={id}
          type="date"
          value={typeof value === 'string' ? value.slice(0, 10) : ''}
          onChange={(e) => onChange(e.target.value || undefined)}
          {...aria}
        />
      );
    case 'date_time':
      return (
        <div className="inline">
          <input
            id={id}
            type="datetime-local"
            step={1}
            value={toLocalInput(value)}
            onChange={(e) => onChange(fromLocalInput(e.target.value))}
            {...aria}
          />
          <span className="muted small">UTC</span>
        </div>
      );
    case 'timestamp':
      return (
        <input
          id={id}
          ref={setRef}
          type="text"
          placeholder="2026-01-31T12:00:00Z or epoch seconds"
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => onChange(numberValue(e.target.value, false))}
          {...aria}
        />
      );
    case 'select':
      return <SelectControl {...props} />;
    case 'multiselect':
      return <MultiSelectControl {...props} legend={label} />;
    case 'tree':
      return <TreeControl {...props} legend={label} />;
    case 'key_value':
      return <KeyValueEditor id={id} label={label} value={value} onChange={onChange} describedBy={describedBy} />;
    case 'schema-designer':
      return <SchemaDesigner id={id} label={label} value={value} onChange={onChange} describedBy={describedBy} />;
    case 'string-list':
      return (
        <StringListEditor
          id={id}
          label={label}
          value={value}
          onChange={onChange}
          describedBy={describedBy}
          inputType={field.of === 'integer' || field.of === 'number' ? 'number' : 'text'}
        />
      );
    case 'json':
      return <JsonEditor id={id} label={label} value={value} onChange={onChange} describedBy={describedBy} />;
    case 'object':
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
    case 'object-list':
      return <ObjectList {...props} />;
    case 'input': {
      const type = INPUT_TYPES[kind] ?? 'text';
      const isPassword = kind === 'password';
      return (
        <input
          id={id}
          ref={setRef}
          type={formula ? 'text' : type}
          className={formula ? 'mono formula' : undefined}
          spellCheck={formula ? false : undefined}
          autoComplete={isPassword ? 'new-password' : 'off'}
          placeholder={
            isPassword && props.stored ? 'Stored — leave blank to keep' : formula ? '=trigger.field' : undefined
          }
          value={value === undefined || value === null ? '' : String(value)}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
          {...aria}
        />
      );
    }
  }
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
