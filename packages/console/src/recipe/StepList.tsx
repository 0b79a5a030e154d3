/**
 * A list of recipe steps (the top level, `then`/`else` branches, `foreach` bodies, `onError`):
 * each step in a card with its own form, and buttons to add, move and remove steps. The
 * branching kinds (if, foreach) hold step lists of their own, so their forms live here.
 */
import { useContext } from 'react';
import type { Field, ForeachStep, IfStep, Step, StopStep } from '../api/types';
import { Button } from '../components/ui';
import { FieldList } from '../forms/FieldList';
import { TextField } from '../forms/SimpleFields';
import { fieldId } from '../lib/fields';
import { ActionBody } from './ActionBody';
import { BuilderContext } from './builder';
import { isAction, isForeach, isIf, kindOf, newStep, type StepKind } from './model';
import { StepCard } from './StepCard';
import { StopBody } from './StopBody';

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
  const edit = (i: number) => (s: Step) => onChange(steps.map((x, j) => (j === i ? replaced(x, s) : x)));
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
              onChange={edit(i)}
              onMove={(by) => move(i, by)}
              onRemove={() => onChange(steps.filter((_, j) => j !== i))}
            >
              <StepBody step={step} path={`${path}[${i}]`} depth={depth} onChange={edit(i)} />
            </StepCard>
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
interface BodyProps<S extends Step> {
  step: S;
  path: string;
  depth: number;
  onChange: (s: Step) => void;
}

function StepBody({ step, path, depth, onChange }: BodyProps<Step>) {
  if (isAction(step)) return <ActionBody step={step} path={path} onChange={onChange} />;
  if (isIf(step)) return <IfBody step={step} path={path} depth={depth} onChange={onChange} />;
  if (isForeach(step)) return <ForeachBody step={step} path={path} depth={depth} onChange={onChange} />;
  if (kindOf(step) === 'stop') return <StopBody step={step as StopStep} path={path} onChange={onChange} />;
  return null;
}

const CONDITION: Field[] = [
  {
    name: 'if',
    label: 'Condition',
    hint: 'A formula that holds or not, e.g. =trigger.total > 100',
  },
];

function IfBody({ step, path, depth, onChange }: BodyProps<IfStep>) {
  return (
    <>
      <FieldList
        fields={CONDITION}
        value={{ if: step.if }}
        onChange={(v) => onChange({ ...step, if: (v.if as string | boolean | undefined) ?? '' })}
        path={path}
      />
      <Branch
        heading="Then"
        title={`Then of ${step.id}`}
        path={`${path}.then`}
        depth={depth}
        steps={step.then}
        onChange={(then) => onChange({ ...step, then })}
      />
      <Branch
        heading="Else"
        title={`Else of ${step.id}`}
        path={`${path}.else`}
        depth={depth}
        steps={step.else}
        onChange={(e) => onChange({ ...step, else: e })}
      />
    </>
  );
}

const LIST: Field[] = [{ name: 'foreach', label: 'List', hint: 'A formula giving a list, e.g. =trigger.items' }];

function ForeachBody({ step, path, depth, onChange }: BodyProps<ForeachStep>) {
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
      <Branch
        heading="Do"
        title={`Body of ${step.id}`}
        path={`${path}.do`}
        depth={depth}
        steps={step.do}
        onChange={(d) => onChange({ ...step, do: d })}
      />
    </>
  );
}

/** A nested list of steps under a heading: then, else, a loop's body. */
function Branch({
  heading,
  title,
  path,
  depth,
  steps,
  onChange,
}: {
  heading: string;
  title: string;
  path: string;
  depth: number;
  steps: Step[];
  onChange: (steps: Step[]) => void;
}) {
  return (
    <div className="branch">
      <h4 className="branch-title">{heading}</h4>
      <StepList steps={steps} onChange={onChange} path={path} title={title} depth={depth + 1} />
    </div>
  );
}
