/**
 * Select, multiselect and tree controls. Options come from the field (`options`, an inline
 * `pickList`) or from the connector's pick list through the API; a dependent pick list
 * (`pickListParams`) loads again whenever a field it depends on changes.
 */
import { useEffect, useMemo, useState } from 'react';
import { errorMessage } from '../api/client';
import type { Field, PickListOption } from '../api/types';
import { isBlank, isFormula, labelOf } from '../lib/fields';
import { useFormEnv } from './env';

export interface ControlProps {
  field: Field;
  id: string;
  value: unknown;
  onChange: (value: unknown) => void;
  describedBy?: string;
  invalid?: boolean;
  required?: boolean;
  /** Values of the sibling fields (for `pickListParams`). */
  siblings: Record<string, unknown>;
  /** Labels of the sibling fields, for "choose X first". */
  siblingFields?: readonly Field[];
}

type Load =
  | { state: 'ready'; options: readonly PickListOption[] }
  | { state: 'loading'; options: readonly PickListOption[] }
  | { state: 'waiting'; missing: string[] }
  | { state: 'error'; message: string };

/** Arguments of a dependent pick list, or the names of the fields still missing. */
function pickListArgs(field: Field, siblings: Record<string, unknown>) {
  const args: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [arg, sibling] of Object.entries(field.pickListParams ?? {})) {
    const value = siblings[sibling];
    if (isBlank(value) || isFormula(value)) missing.push(sibling);
    else args[arg] = value;
  }
  return { args, missing };
}

export function usePickListOptions(field: Field, siblings: Record<string, unknown>, extraArgs?: object): Load {
  const { loadPickList } = useFormEnv();
  const staticOptions = field.options ?? (Array.isArray(field.pickList) ? field.pickList : undefined);
  const name = typeof field.pickList === 'string' ? field.pickList : undefined;
  const { args, missing } = pickListArgs(field, siblings);
  const key = JSON.stringify({ name, args, extraArgs });
  const [load, setLoad] = useState<Load>({ state: 'loading', options: [] });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for name and args
  useEffect(() => {
    if (staticOptions || !name) return;
    if (missing.length) {
      setLoad({ state: 'waiting', missing });
      return;
    }
    if (!loadPickList) {
      setLoad({ state: 'error', message: `The options of "${labelOf(field)}" cannot be loaded here` });
      return;
    }
    let live = true;
    setLoad((previous) => ({ state: 'loading', options: 'options' in previous ? previous.options : [] }));
    loadPickList(name, { ...args, ...extraArgs }).then(
      (options) => live && setLoad({ state: 'ready', options }),
      (error: unknown) => live && setLoad({ state: 'error', message: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [key, loadPickList]);
  if (staticOptions) return { state: 'ready', options: staticOptions };
  if (!name) return { state: 'ready', options: [] };
  return load;
}

const keyOf = (value: unknown) => JSON.stringify(value ?? null);

function missingText(missing: string[], siblingFields?: readonly Field[]): string {
  const names = missing.map((m) => {
    const f = siblingFields?.find((s) => s.name === m);
    return `"${f ? labelOf(f) : m}"`;
  });
  return `Choose ${names.join(' and ')} first`;
}

/** The blank choice: what applies when nothing is chosen (the field's default, by its label), else a prompt. */
function blankLabel(fallback: unknown, options: readonly PickListOption[]): string {
  if (isBlank(fallback)) return '— Choose —';
  const option = options.find((o) => keyOf(o[1]) === keyOf(fallback));
  return `Default: ${option ? option[0] : String(fallback)}`;
}

export function SelectControl(props: ControlProps) {
  const { field, id, value, onChange, describedBy, invalid, required, siblings } = props;
  const load = usePickListOptions(field, siblings);
  const options = load.state === 'ready' || load.state === 'loading' ? load.options : [];
  const current = isBlank(value) ? '' : keyOf(value);
  const known = options.some((o) => keyOf(o[1]) === current);
  const statusId = `${id}-status`;
  return (
    <>
      <select
        id={id}
        value={current}
        aria-describedby={[describedBy, load.state !== 'ready' ? statusId : ''].filter(Boolean).join(' ') || undefined}
        aria-invalid={invalid || undefined}
        aria-required={required || undefined}
        aria-busy={load.state === 'loading' || undefined}
        disabled={load.state === 'waiting'}
        onChange={(e) => {
          const option = options.find((o) => keyOf(o[1]) === e.target.value);
          onChange(e.target.value === '' ? undefined : option ? option[1] : value);
        }}
      >
        <option value="">{load.state === 'loading' ? 'Loading options…' : blankLabel(field.default, options)}</option>
        {options.map((o) => (
          <option key={keyOf(o[1])} value={keyOf(o[1])}>
            {o[0]}
          </option>
        ))}
        {current !== '' && !known && load.state !== 'loading' && (
          <option value={current}>{`${String(value)} (not in the list)`}</option>
        )}
      </select>
      {load.state === 'waiting' && (
        <p id={statusId} className="field-note">
          {missingText(load.missing, props.siblingFields)}
        </p>
      )}
      {load.state === 'error' && (
        <p id={statusId} className="field-error" role="alert">
          Options could not be loaded: {load.message}
        </p>
      )}
    </>
  );
}

/** The values of a multiselect as a list (a delimited string is split). */
function listOf(value: unknown, delimiter?: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' && value !== '') {
    return delimiter ? value.split(delimiter).map((s) => s.trim()) : [value];
  }
  return [];
}

export function MultiSelectControl(props: ControlProps & { legend: string }) {
  const { field, id, value, onChange, describedBy, siblings, legend } = props;
  const load = usePickListOptions(field, siblings);
  const options = load.state === 'ready' || load.state === 'loading' ? load.options : [];
  const selected = listOf(value, field.delimiter).map(keyOf);
  const toggle = (option: unknown, on: boolean) => {
    const chosen = listOf(value, field.delimiter).filter((v) => keyOf(v) !== keyOf(option));
    if (on) chosen.push(option);
    const ordered = options.map((o) => o[1]).filter((v) => chosen.some((c) => keyOf(c) === keyOf(v)));
    const extra = chosen.filter((c) => !options.some((o) => keyOf(o[1]) === keyOf(c)));
    const next = [...ordered, ...extra];
    onChange(next.length ? next : undefined);
  };
  return (
    <fieldset className="choice-group" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{legend}</legend>
      {load.state === 'loading' && options.length === 0 && <p className="field-note">Loading options…</p>}
      {load.state === 'waiting' && <p className="field-note">{missingText(load.missing, props.siblingFields)}</p>}
      {load.state === 'error' && (
        <p className="field-error" role="alert">
          Options could not be loaded: {load.message}
        </p>
      )}
      {load.state === 'ready' && options.length === 0 && <p className="field-note">No options</p>}
      {options.map((o, i) => (
        <label key={keyOf(o[1])} className="choice">
          <input
            type="checkbox"
            id={`${id}-${i}`}
            checked={selected.includes(keyOf(o[1]))}
            onChange={(e) => toggle(o[1], e.target.checked)}
          />
          {o[0]}
        </label>
      ))}
    </fieldset>
  );
}

interface TreeNodeProps {
  option: PickListOption;
  field: Field;
  siblings: Record<string, unknown>;
  name: string;
  value: unknown;
  onChange: (value: unknown) => void;
  depth: number;
}

function TreeNode({ option, field, siblings, name, value, onChange, depth }: TreeNodeProps) {
  const [open, setOpen] = useState(false);
  const [label, optionValue, , hasChildren] = option;
  const inputId = `${name}-${keyOf(optionValue).replace(/[^\w-]/g, '_')}`;
  return (
    <li>
      <div className="tree-row">
        {hasChildren ? (
          <button
            type="button"
            className="tree-toggle"
            aria-expanded={open}
            aria-label={`${open ? 'Collapse' : 'Expand'} ${label}`}
            onClick={() => setOpen(!open)}
          >
            <span aria-hidden="true">{open ? '▾' : '▸'}</span>
          </button>
        ) : (
          <span className="tree-spacer" aria-hidden="true" />
        )}
        <label className="choice" htmlFor={inputId}>
          <input
            type="radio"
            id={inputId}
            name={name}
            checked={keyOf(value) === keyOf(optionValue)}
            onChange={() => onChange(optionValue)}
          />
          {label}
        </label>
      </div>
      {open && !!hasChildren && depth < 10 && (
        <TreeLevel
          field={field}
          siblings={siblings}
          parentId={optionValue}
          name={name}
          value={value}
          onChange={onChange}
          depth={depth + 1}
        />
      )}
    </li>
  );
}

function TreeLevel(props: Omit<TreeNodeProps, 'option'> & { parentId?: unknown }) {
  const extra = useMemo(() => (props.parentId === undefined ? {} : { parentId: props.parentId }), [props.parentId]);
  const load = usePickListOptions(props.field, props.siblings, extra);
  if (load.state === 'waiting') return <p className="field-note">{missingText(load.missing)}</p>;
  if (load.state === 'error')
    return (
      <p className="field-error" role="alert">
        Options could not be loaded: {load.message}
      </p>
    );
  if (load.state === 'loading' && load.options.length === 0) return <p className="field-note">Loading…</p>;
  return (
    <ul className="tree">
      {load.options.map((o) => (
        <TreeNode key={keyOf(o[1])} option={o} {...props} />
      ))}
    </ul>
  );
}

/** A tree pick list: children are asked for with `args.parentId` when a node is expanded. */
export function TreeControl(props: ControlProps & { legend: string }) {
  const { field, id, value, onChange, describedBy, siblings, legend } = props;
  return (
    <fieldset className="tree-box" id={id} aria-describedby={describedBy}>
      <legend className="visually-hidden">{legend}</legend>
      <TreeLevel field={field} siblings={siblings} name={`${id}-tree`} value={value} onChange={onChange} depth={0} />
      {!isBlank(value) && (
        <p className="field-note">
          Selected: <code>{String(value)}</code>{' '}
          <button type="button" className="link-button" onClick={() => onChange(undefined)}>
            Clear
          </button>
        </p>
      )}
    </fieldset>
  );
}
