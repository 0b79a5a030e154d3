/**
 * Labelled controls for values that are not schema fields (a recipe's name, a step's connector),
 * with the API's error for their path shown underneath.
 */
import type { ReactNode } from 'react';
import { fieldId } from '../lib/fields';
import { errorAt, useFormEnv } from './env';

interface Common {
  /** Path of the value in the request body: `name`, `steps[0].connector`. */
  path: string;
  label: string;
  hint?: ReactNode;
  required?: boolean;
}

function Shell({ path, label, hint, required, children }: Common & { children: (aria: object) => ReactNode }) {
  const { errors } = useFormEnv();
  const error = errorAt(errors, path);
  const id = fieldId(path);
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {label}
        {required && (
          <>
            <span className="required-mark" aria-hidden="true">
              {' '}
              *
            </span>
            <span className="visually-hidden"> (required)</span>
          </>
        )}
      </label>
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {children({ id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}

export function SelectField({
  value,
  onChange,
  options,
  placeholder = '— Choose —',
  disabled,
  ...common
}: Common & {
  value: string;
  onChange: (value: string) => void;
  options: ReadonlyArray<{ value: string; label: string }>;
  placeholder?: string;
  disabled?: boolean;
}) {
  return (
    <Shell {...common}>
      {(aria) => (
        <select {...aria} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)}>
          <option value="">{placeholder}</option>
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
          {value && !options.some((o) => o.value === value) && <option value={value}>{value} (not available)</option>}
        </select>
      )}
    </Shell>
  );
}

export function TextField({
  value,
  onChange,
  type = 'text',
  placeholder,
  ...common
}: Common & {
  value: string;
  onChange: (value: string) => void;
  type?: 'text' | 'number';
  placeholder?: string;
}) {
  return (
    <Shell {...common}>
      {(aria) => (
        <input
          {...aria}
          type={type}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Shell>
  );
}
