/** The form of a stop step: failed or not, and an optional message. */
import type { Field, Step, StopStep } from '../api/types';
import { FieldList } from '../forms/FieldList';
import { fieldId } from '../lib/fields';

const MESSAGE: Field[] = [
  { name: 'message', label: 'Message', optional: true, sticky: true, hint: 'Why the job ends; may use datapills.' },
];
export function StopBody({ step, path, onChange }: { step: StopStep; path: string; onChange: (s: Step) => void }) {
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
