/**
 * Registering an agent: a name and a group. The API's refusals (a bad name, a name taken) are
 * shown at their field with the API's message, and what was typed stays.
 */
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api/client';
import type { AgentWithKey } from '../api/types';
import { Button, ErrorMessage } from '../components/ui';
import { useApi } from '../lib/hooks';

type FieldName = 'name' | 'group';

interface Refusal {
  fields: Partial<Record<FieldName, string>>;
  /** An error that belongs to no field. */
  other?: unknown;
}

/** Where each problem of a refusal goes: `name`, `group`, or the form as a whole. */
export function refusalOf(error: unknown): Refusal {
  if (!(error instanceof ApiError)) return { fields: {}, other: error };
  // A taken name comes without a path: it is the name's problem.
  if (error.status === 409) return { fields: { name: error.message } };
  const fields: Refusal['fields'] = {};
  let other: unknown;
  for (const problem of error.problems) {
    const field = problem.path.replace(/^\//, '');
    if (field === 'name' || field === 'group') fields[field] ??= problem.message;
    else other ??= error;
  }
  return { fields, other };
}

export function RegisterForm({ onRegistered }: { onRegistered: (answer: AgentWithKey) => void }) {
  const api = useApi();
  const [name, setName] = useState('');
  const [group, setGroup] = useState('');
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<Refusal>({ fields: {} });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Refusal['fields'] = {};
    if (!name.trim()) missing.name = 'Give the agent a name';
    if (!group.trim()) missing.group = 'Name the group its connections will pick';
    if (missing.name || missing.group) {
      setRefusal({ fields: missing });
      return;
    }
    setBusy(true);
    setRefusal({ fields: {} });
    try {
      const answer = await api.createAgent({ name: name.trim(), group: group.trim() });
      setName('');
      setGroup('');
      onRegistered(answer);
    } catch (error) {
      setRefusal(refusalOf(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card register-agent" onSubmit={submit} noValidate aria-labelledby="register-agent-title">
      <h2 className="card-title" id="register-agent-title">
        Register an agent
      </h2>
      <div className="inline-fields">
        <TextField
          id="agent-name"
          label="Name"
          hint="Letters, digits, ., _ and -, e.g. plant-1"
          value={name}
          onChange={setName}
          error={refusal.fields.name}
        />
        <TextField
          id="agent-group"
          label="Group"
          hint="Connections pick a group; its agents stand in for each other"
          value={group}
          onChange={setGroup}
          error={refusal.fields.group}
        />
      </div>
      <ErrorMessage error={refusal.other} title="The agent could not be registered" />
      <Button type="submit" variant="primary" busy={busy}>
        Register agent
      </Button>
    </form>
  );
}

function TextField(props: {
  id: string;
  label: string;
  hint: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const { id, error } = props;
  return (
    <div className={`field${error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={id}>
        {props.label}
      </label>
      <p className="field-hint" id={`${id}-hint`}>
        {props.hint}
      </p>
      <input
        id={id}
        value={props.value}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ''}`}
        aria-invalid={error ? true : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
