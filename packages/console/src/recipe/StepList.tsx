/**
 * A list of recipe steps (the top level, `then`/`else` branches, `foreach` bodies, `onError`):
 * each step in a card with its own form, and buttons to add, move and remove steps.
 */
import { createContext, useContext } from 'react';
import type { ActionStep, Field, ForeachStep, IfStep, Step, StopStep } from '../api/types';
import { Button, ButtonLink } from '../components/ui';
import { FormEnvContext, type PillGroup, useFormEnv } from '../forms/env';
import { FieldList } from '../forms/FieldList';
import { OperationForm } from '../forms/OperationForm';
import { needsConnection } from '../forms/operation';
import { SelectField, TextField } from '../forms/SimpleFields';
import { fieldId } from '../lib/fields';
import { href } from '../lib/router';
import { useCatalog } from './connectors';
import { isAction, isForeach, isIf, kindOf, newStep, type StepKind } from './model';

export interface Builder {
  pills: ReadonlyMap<Step, PillGroup[]>;
  takenIds: () => Set<string>;
  reportOutput: (stepId: string, fields: Field[] | undefined) => void;
  connectors: ReadonlyArray<{ name: string; title?: string; actions: string[]; triggers: string[] }>;
}

export const BuilderContext = createContext<Builder>({
  pills: new Map(),
  takenIds: () => new Set(),
  reportOutput: () => {},
  connectors: [],
});

/** Stable React keys for steps: carried from a step to its edited copy, so moving keeps state. */
const keys = new WeakMap<Step, string>();
let nextKey = 0;
function stepKey(step: Step): string {
  let key = keys.get(step);
  if (!key) {
    key = `s${++nextKey}`;
    keys.set(step, key);
  }
  return key;
}
function replaced(old: Step, next: Step): Step {
  keys.set(next, stepKey(old));
  return next;
}

const KIND_LABEL: Record<StepKind, string> = {
  action: 'Action',
  if: 'If',
  foreach: 'For each',
  stop: 'Stop',
};

export function StepList({
  steps,
  onChange,
  path,
  title,
  depth = 0,
}: {
  steps: Step[];
  onChange: (steps: Step[]) => void;
  path: string;
  title: string;
  depth?: number;
}) {
  const builder = useContext(BuilderContext);
  const add = (kind: StepKind) => {
    const step = newStep(kind, builder.takenIds());
    onChange([...steps, step]);
    const focus = fieldId(`${path}[${steps.length}].${kind === 'action' ? 'connector' : 'id'}`);
    requestAnimationFrame(() => document.getElementById(focus)?.focus());
  };
  const move = (i: number, by: number) => {
    const next = [...steps];
    const [s] = next.splice(i, 1);
    next.splice(i + by, 0, s);
    onChange(next);
  };
  return (
    <div className={`step-list depth-${Math.min(depth, 3)}`}>
      {steps.length === 0 && <p className="field-note">No steps in {title.toLowerCase()} yet.</p>}
      <ol className="steps" aria-label={title}>
        {steps.map((step, i) => (
          <li key={stepKey(step)}>
            <StepCard
              step={step}
              index={i}
              count={steps.length}
              path={`${path}[${i}]`}
              depth={depth}
              onChange={(s) => onChange(steps.map((x, j) => (j === i ? replaced(x, s) : x)))}
              onMove={(by) => move(i, by)}
              onRemove={() => onChange(steps.filter((_, j) => j !== i))}
            />
          </li>
        ))}
      </ol>
      <fieldset className="add-step">
        <legend className="visually-hidden">Add a step to {title.toLowerCase()}</legend>
        <Button size="small" onClick={() => add('action')} aria-label={`Add an action to ${title.toLowerCase()}`}>
          + Action
        </Button>
        {depth < 9 && (
          <>
            <Button size="small" onClick={() => add('if')} aria-label={`Add a condition to ${title.toLowerCase()}`}>
              + If
            </Button>
            <Button size="small" onClick={() => add('foreach')} aria-label={`Add a loop to ${title.toLowerCase()}`}>
              + For each
            </Button>
          </>
        )}
        <Button size="small" onClick={() => add('stop')} aria-label={`Add a stop to ${title.toLowerCase()}`}>
          + Stop
        </Button>
      </fieldset>
    </div>
  );
}

interface CardProps {
  step: Step;
  index: number;
  count: number;
  path: string;
  depth: number;
  onChange: (step: Step) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}

function StepCard({ step, index, count, path, depth, onChange, onMove, onRemove }: CardProps) {
  const builder = useContext(BuilderContext);
  const env = useFormEnv();
  const kind = kindOf(step);
  const headingId = `${fieldId(path)}-heading`;
  const name = `${KIND_LABEL[kind]} ${step.id || `#${index + 1}`}`;
  return (
    <section className={`step-card step-${kind}`} aria-labelledby={headingId}>
      <header className="step-head">
        <h3 id={headingId} className="step-title">
          <span className="step-kind">{KIND_LABEL[kind]}</span>
          <code>{step.id || '(no id)'}</code>
        </h3>
        <div className="step-tools">
          <Button
            size="small"
            variant="ghost"
            disabled={index === 0}
            onClick={() => onMove(-1)}
            aria-label={`Move ${name} up`}
          >
            ↑
          </Button>
          <Button
            size="small"
            variant="ghost"
            disabled={index === count - 1}
            onClick={() => onMove(1)}
            aria-label={`Move ${name} down`}
          >
            ↓
          </Button>
          <Button size="small" variant="ghost" onClick={onRemove} aria-label={`Remove ${name}`}>
            Remove
          </Button>
        </div>
      </header>
      <FormEnvContext.Provider value={{ ...env, pills: builder.pills.get(step) ?? [] }}>
        <TextField
          path={`${path}.id`}
          label="Step id"
          hint={
            kind === 'action' ? (
              <>
                Later steps read this step&rsquo;s output as <code>steps.{step.id || 'id'}</code>.
              </>
            ) : (
              'Names this step in the job log and in error messages.'
            )
          }
          value={step.id}
          onChange={(id) => onChange({ ...step, id })}
        />
        {isAction(step) && <ActionBody step={step} path={path} onChange={onChange} />}
        {isIf(step) && <IfBody step={step} path={path} depth={depth} onChange={onChange} />}
        {isForeach(step) && <ForeachBody step={step} path={path} depth={depth} onChange={onChange} />}
        {kind === 'stop' && <StopBody step={step as StopStep} path={path} onChange={onChange} />}
      </FormEnvContext.Provider>
    </section>
  );
}

function ActionBody({ step, path, onChange }: { step: ActionStep; path: string; onChange: (s: Step) => void }) {
  const builder = useContext(BuilderContext);
  const catalog = useCatalog();
  const detail = catalog.detail(step.connector || undefined);
  const connections = catalog.connectionsOf(step.connector);
  const withActions = builder.connectors.filter((c) => c.actions.length > 0);
  return (
    <>
      <div className="grid-3">
        <SelectField
          path={`${path}.connector`}
          label="Connector"
          required
          value={step.connector}
          options={withActions.map((c) => ({ value: c.name, label: c.title ?? c.name }))}
          onChange={(connector) => {
            const own = catalog.connectionsOf(connector);
            onChange({
              id: step.id,
              connector,
              action: '',
              input: {},
              ...(own.length === 1 ? { connection: own[0].name } : {}),
            });
          }}
        />
        <SelectField
          path={`${path}.action`}
          label="Action"
          required
          value={step.action}
          disabled={!detail}
          placeholder={step.connector ? '— Choose an action —' : 'Choose a connector first'}
          options={(detail?.actions ?? []).map((a) => ({ value: a.name, label: a.title }))}
          onChange={(action) => onChange({ ...step, action, input: {} })}
        />
        {(!detail || needsConnection(detail)) && (
          <div>
            <SelectField
              path={`${path}.connection`}
              label="Connection"
              required
              value={step.connection ?? ''}
              disabled={!step.connector}
              placeholder={connections.length ? '— Choose a connection —' : 'No connection for this connector'}
              options={connections.map((c) => ({ value: c.name, label: c.name }))}
              onChange={(connection) => onChange({ ...step, connection: connection || undefined })}
            />
            {step.connector && connections.length === 0 && (
              <ButtonLink
                size="small"
                href={`${href('connections', 'new')}?connector=${encodeURIComponent(step.connector)}`}
              >
                Create a connection
              </ButtonLink>
            )}
          </div>
        )}
      </div>
      {detail && step.action && (
        <OperationForm
          connector={detail}
          kind="action"
          name={step.action}
          connection={step.connection}
          value={step.input ?? {}}
          onChange={(input) => onChange({ ...step, input })}
          path={`${path}.input`}
          onOutputFields={(fields) => builder.reportOutput(step.id, fields)}
          reportKey={step.id}
        />
      )}
    </>
  );
}

const CONDITION: Field[] = [
  {
    name: 'if',
    label: 'Condition',
    hint: 'A formula that holds or not, e.g. =trigger.total > 100',
  },
];

function IfBody({
  step,
  path,
  depth,
  onChange,
}: {
  step: IfStep;
  path: string;
  depth: number;
  onChange: (s: Step) => void;
}) {
  return (
    <>
      <FieldList
        fields={CONDITION}
        value={{ if: step.if }}
        onChange={(v) => onChange({ ...step, if: (v.if as string | boolean | undefined) ?? '' })}
        path={path}
      />
      <div className="branch">
        <h4 className="branch-title">Then</h4>
        <StepList
          steps={step.then}
          onChange={(then) => onChange({ ...step, then })}
          path={`${path}.then`}
          title={`Then of ${step.id}`}
          depth={depth + 1}
        />
      </div>
      <div className="branch">
        <h4 className="branch-title">Else</h4>
        <StepList
          steps={step.else}
          onChange={(e) => onChange({ ...step, else: e })}
          path={`${path}.else`}
          title={`Else of ${step.id}`}
          depth={depth + 1}
        />
      </div>
    </>
  );
}

const LIST: Field[] = [{ name: 'foreach', label: 'List', hint: 'A formula giving a list, e.g. =trigger.items' }];

function ForeachBody({
  step,
  path,
  depth,
  onChange,
}: {
  step: ForeachStep;
  path: string;
  depth: number;
  onChange: (s: Step) => void;
}) {
  return (
    <>
      <FieldList
        fields={LIST}
        value={{ foreach: step.foreach }}
        onChange={(v) => onChange({ ...step, foreach: (v.foreach as string | undefined) ?? '' })}
        path={path}
      />
      <TextField
        path={`${path}.as`}
        label="Item name"
        hint={
          <>
            Steps inside read the current element as <code>{step.as || 'item'}</code>.
          </>
        }
        value={step.as ?? ''}
        placeholder="item"
        onChange={(as) => onChange({ ...step, as: as || undefined })}
      />
      <div className="branch">
        <h4 className="branch-title">Do</h4>
        <StepList
          steps={step.do}
          onChange={(d) => onChange({ ...step, do: d })}
          path={`${path}.do`}
          title={`Body of ${step.id}`}
          depth={depth + 1}
        />
      </div>
    </>
  );
}

const MESSAGE: Field[] = [
  { name: 'message', label: 'Message', optional: true, sticky: true, hint: 'Why the job ends; may use datapills.' },
];

function StopBody({ step, path, onChange }: { step: StopStep; path: string; onChange: (s: Step) => void }) {
  const id = fieldId(`${path}.stop.error`);
  return (
    <>
      <div className="field">
        <div className="check-row">
          <input
            id={id}
            type="checkbox"
            checked={step.stop.error}
            onChange={(e) => onChange({ ...step, stop: { ...step.stop, error: e.target.checked } })}
          />
          <label htmlFor={id}>End the job as failed (otherwise it ends as succeeded)</label>
        </div>
      </div>
      <FieldList
        fields={MESSAGE}
        value={step.stop}
        onChange={(v) =>
          onChange({
            ...step,
            stop: { error: step.stop.error, ...(v.message !== undefined ? { message: String(v.message) } : {}) },
          })
        }
        path={`${path}.stop`}
      />
    </>
  );
}
