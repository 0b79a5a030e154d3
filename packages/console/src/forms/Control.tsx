/** The control of one field, chosen by its control kind (an input, a pick list, an editor…). */
import type { ComponentType, ReactNode } from 'react';
import type { Field } from '../api/types';
import type { ControlKind } from '../lib/fields';
import { widgetOf } from './controls';
import { JsonEditor, KeyValueEditor, SchemaDesigner, StringListEditor } from './Editors';
import { MultiSelectControl, SelectControl, TreeControl } from './PickList';

export type Values = Record<string, unknown>;

export interface ControlProps {
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
  /** Renders object and object-list controls (a nested form). */
  nested: NestedControl;
}

export type NestedControl = ComponentType<ControlProps>;

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

export function Control(props: ControlProps): ReactNode {
  const { field, kind, id, value, onChange, describedBy, invalid, required, label, inputRef, formula } = props;
  const aria = {
    'aria-describedby': describedBy,
    'aria-invalid': invalid || undefined,
    'aria-required': required || undefined,
  };
  const editor = { id, label, value, onChange, describedBy };
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
      return <KeyValueEditor {...editor} />;
    case 'schema-designer':
      return <SchemaDesigner {...editor} />;
    case 'string-list':
      return (
        <StringListEditor {...editor} inputType={field.of === 'integer' || field.of === 'number' ? 'number' : 'text'} />
      );
    case 'json':
      return <JsonEditor {...editor} />;
    case 'object':
    case 'object-list': {
      const Nested = props.nested;
      return <Nested {...props} />;
    }
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
