/** The form of an action step: connector, action, connection and the action's input. */
import { useContext } from 'react';
import type { ActionStep, Step } from '../api/types';
import { ButtonLink } from '../components/ui';
import { OperationForm } from '../forms/OperationForm';
import { needsConnection } from '../forms/operation';
import { SelectField } from '../forms/SimpleFields';
import { href } from '../lib/router';
import { BuilderContext } from './builder';
import { useCatalog } from './connectors';

export function ActionBody({ step, path, onChange }: { step: ActionStep; path: string; onChange: (s: Step) => void }) {
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
