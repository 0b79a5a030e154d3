/**
 * One row of a generated form: label with its required mark, hint, error, the tools (toggle
 * field, formula mode, datapill picker, remove) and the control itself.
 */
import { useRef, useState } from 'react';
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
import { Control, type NestedControl, type Values } from './Control';
import { DatapillMenu } from './DatapillMenu';
import { errorAt, useFormEnv } from './env';
import { FormulaInput } from './FormulaInput';

interface FieldRowProps {
  field: Field;
  values: Values;
  siblingFields: readonly Field[];
  setKey: (name: string, value: unknown) => void;
  path: string;
  stored: boolean;
  onRemove?: () => void;
  /** Renders object and object-list controls (a nested form). */
  nested: NestedControl;
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

export function FieldRow({ field, values, siblingFields, setKey, path, stored, onRemove, nested }: FieldRowProps) {
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

  const shared = { id, value, onChange: change, describedBy, invalid: !!error, inputRef };
  // Text controls keep their element in formula mode (typing "=" must not move the focus).
  const control =
    formula && !text ? (
      <FormulaInput {...shared} multiline={kind === 'text-area'} />
    ) : (
      <Control
        {...shared}
        field={active}
        kind={kind}
        required={required}
        label={label}
        siblings={values}
        siblingFields={siblingFields}
        path={valuePath}
        stored={stored}
        nested={nested}
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
