/** One step in a card: its heading, move and remove buttons, the step id and its body. */
import { type ReactNode, useContext } from 'react';
import type { Step } from '../api/types';
import { Button } from '../components/ui';
import { FormEnvContext, useFormEnv } from '../forms/env';
import { TextField } from '../forms/SimpleFields';
import { fieldId } from '../lib/fields';
import { BuilderContext } from './builder';
import { kindOf, type StepKind } from './model';

const KIND_LABEL: Record<StepKind, string> = {
  action: 'Action',
  if: 'If',
  foreach: 'For each',
  stop: 'Stop',
};

interface CardProps {
  step: Step;
  index: number;
  count: number;
  path: string;
  onChange: (step: Step) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
  /** The form of the step's kind (rendered with this step's datapills). */
  children: ReactNode;
}

export function StepCard({ step, index, count, path, onChange, onMove, onRemove, children }: CardProps) {
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
        {children}
      </FormEnvContext.Provider>
    </section>
  );
}
