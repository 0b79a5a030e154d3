/**
 * The form of one action or trigger: its config fields first, then its input fields (static or
 * resolved for the chosen connection and config). Config and input values share one object, as
 * in a recipe step's `input`.
 */
import { useEffect } from 'react';
import type { ConnectorDetail, Field } from '../api/types';
import { ErrorMessage, Loading } from '../components/ui';
import { FormEnvContext, useFormEnv } from './env';
import { FieldList } from './FieldList';
import { type OperationKind, useOperationFields, usePickListLoader } from './operation';

export interface OperationFormProps {
  connector?: ConnectorDetail;
  kind: OperationKind;
  name?: string;
  connection?: string;
  value: Record<string, unknown>;
  onChange: (value: Record<string, unknown>) => void;
  /** Path of the values in the request body (`steps[0].input`, `trigger.input`, `input`). */
  path: string;
  /** Told about the operation's output fields (`undefined`: only known at run time). */
  onOutputFields?: (fields: readonly Field[] | undefined) => void;
  /** Report the output fields again when this changes (a renamed step). */
  reportKey?: string;
  /** Told about the config values dynamic fields were resolved with. */
  onConfigValues?: (values: Record<string, unknown>) => void;
}

export function OperationForm(props: OperationFormProps) {
  const { connector, kind, name, connection, value, onChange, path, onOutputFields, onConfigValues, reportKey } = props;
  const env = useFormEnv();
  const resolved = useOperationFields({
    connector,
    kind,
    name,
    connection,
    input: value,
    withOutput: !!onOutputFields,
  });
  const loadPickList = usePickListLoader(connector?.name, connection, resolved.configValues);
  const { operation, config, input, output, configValues } = resolved;

  const outputKey = output.fields ? JSON.stringify(output.fields) : output.loading ? 'loading' : 'none';
  // biome-ignore lint/correctness/useExhaustiveDependencies: outputKey stands for the fields
  useEffect(() => {
    if (!onOutputFields || !operation) return;
    if (output.fields) onOutputFields(output.fields);
    else if (!output.loading) onOutputFields(operation.outputFields.dynamic ? undefined : []);
  }, [outputKey, operation?.name, reportKey]);
  const configKey = JSON.stringify(configValues);
  // biome-ignore lint/correctness/useExhaustiveDependencies: configKey stands for the values
  useEffect(() => {
    onConfigValues?.(configValues);
  }, [configKey]);

  if (!connector || !operation) return null;
  const scope = { config: configValues, configFields: configValues };
  const dynamic = operation.inputFields.dynamic || operation.configFields.dynamic;
  return (
    <FormEnvContext.Provider value={{ ...env, loadPickList }}>
      {resolved.description && <p className="muted">{resolved.description}</p>}
      {operation.help && <p className="muted">{operation.help.body}</p>}
      {resolved.waitingFor && dynamic && (
        <p className="field-note">Choose a connection to load this {kind}&rsquo;s fields.</p>
      )}
      {config.loading && !config.fields && <Loading label="Loading configuration fields…" />}
      <ErrorMessage error={config.error} title="The configuration fields could not be loaded" />
      {config.fields && config.fields.length > 0 && (
        <section className="subsection" aria-label="Configuration">
          <h4 className="subsection-title">Configuration</h4>
          <FieldList fields={config.fields} value={value} onChange={onChange} path={path} scope={scope} />
        </section>
      )}
      {input.loading && <Loading label="Loading input fields…" />}
      <ErrorMessage error={input.error} title="The input fields could not be loaded" />
      {input.fields && input.fields.length > 0 && (
        <section className="subsection" aria-label="Input">
          {config.fields && config.fields.length > 0 && <h4 className="subsection-title">Input</h4>}
          <FieldList fields={input.fields} value={value} onChange={onChange} path={path} scope={scope} />
        </section>
      )}
      {input.fields && input.fields.length === 0 && !config.fields?.length && (
        <p className="field-note">This {kind} takes no input.</p>
      )}
    </FormEnvContext.Provider>
  );
}
