/**
 * The SDK console: run one action of a connector with a connection and see its output and the
 * HTTP exchanges it made (secrets redacted) — what `weft exec` shows, in the browser.
 */
import { type FormEvent, useMemo, useState } from 'react';
import { ApiError } from '../api/client';
import type { HttpExchange, RunResult } from '../api/types';
import { ErrorSummary, errorMap } from '../components/ErrorSummary';
import { Alert, Button, CodeBlock, ErrorMessage, JsonView, PageHeader } from '../components/ui';
import { FormEnvContext } from '../forms/env';
import { OperationForm } from '../forms/OperationForm';
import { needsConnection } from '../forms/operation';
import { SelectField } from '../forms/SimpleFields';
import { useApi, useAsync, useTitle } from '../lib/hooks';
import { CatalogContext, useCatalogState } from '../recipe/connectors';

function headersText(headers: Record<string, string> | undefined): string {
  return Object.entries(headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

function ExchangeView({ exchange, index }: { exchange: HttpExchange; index: number }) {
  const ok = exchange.status !== undefined && exchange.status < 400;
  return (
    <li className="exchange">
      <details>
        <summary>
          <span className="visually-hidden">Exchange {index + 1}: </span>
          <span className={`http-status ${ok ? 'ok' : 'bad'}`}>{exchange.status ?? 'ERR'}</span>{' '}
          <strong>{exchange.method}</strong> <code className="url">{exchange.url}</code>{' '}
          <span className="muted small">
            {exchange.durationMs} ms{exchange.attempt > 1 ? ` · attempt ${exchange.attempt}` : ''}
          </span>
        </summary>
        {exchange.error && <p className="field-error">{exchange.error}</p>}
        <div className="io">
          <div>
            <h4 className="h-small">Request</h4>
            <CodeBlock label="Request headers and body">
              {headersText(exchange.requestHeaders)}
              {exchange.requestBody ? `\n\n${exchange.requestBody}` : ''}
            </CodeBlock>
          </div>
          <div>
            <h4 className="h-small">Response</h4>
            <CodeBlock label="Response headers and body">
              {headersText(exchange.responseHeaders)}
              {exchange.responseBody ? `\n\n${exchange.responseBody}` : ''}
            </CodeBlock>
          </div>
        </div>
      </details>
    </li>
  );
}

export function SdkConsolePage({
  connector: initialConnector,
  action: initialAction,
}: {
  connector?: string;
  action?: string;
}) {
  useTitle('SDK console');
  const api = useApi();
  const connectors = useAsync(() => api.connectors(), [api]);
  const connections = useAsync(() => api.connections({ limit: 1000 }), [api]);
  const catalog = useCatalogState(connections.data?.items);
  const [connectorName, setConnectorName] = useState(initialConnector ?? '');
  const [action, setAction] = useState(initialAction ?? '');
  const [connection, setConnection] = useState('');
  const [input, setInput] = useState<Record<string, unknown>>({});
  const [configValues, setConfigValues] = useState<Record<string, unknown>>({});
  const [result, setResult] = useState<RunResult>();
  const [failure, setFailure] = useState<ApiError | unknown>();
  const [busy, setBusy] = useState(false);
  const detail = catalog.detail(connectorName || undefined);
  const own = catalog.connectionsOf(connectorName);
  const chosenConnection = connection || (own.length === 1 ? own[0].name : '');
  const problems = failure instanceof ApiError && failure.problems.some((p) => p.path) ? failure.problems : [];
  const errors = useMemo(() => errorMap(problems), [problems]);

  const run = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setResult(undefined);
    setFailure(undefined);
    try {
      setResult(
        await api.run(connectorName, {
          ...(chosenConnection ? { connection: chosenConnection } : {}),
          action,
          input,
          ...(Object.keys(configValues).length ? { configFields: configValues } : {}),
        }),
      );
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  };

  const exchanges = result?.exchanges ?? (failure instanceof ApiError ? failure.exchanges : undefined) ?? [];
  return (
    <CatalogContext.Provider value={catalog}>
      <FormEnvContext.Provider value={{ errors }}>
        <PageHeader title="SDK console">
          <p className="muted">
            Run one action with a connection, as <code>weft exec</code> does, and see what it sent and received.
          </p>
        </PageHeader>
        <ErrorMessage error={connectors.error} title="The connectors could not be loaded" />
        <form className="card form" onSubmit={run} noValidate aria-label="Run an action">
          <div className="grid-3">
            <SelectField
              path="connector"
              label="Connector"
              required
              value={connectorName}
              options={(connectors.data?.items ?? [])
                .filter((c) => c.actions.length)
                .map((c) => ({ value: c.name, label: c.title ?? c.name }))}
              onChange={(v) => {
                setConnectorName(v);
                setAction('');
                setConnection('');
                setInput({});
                setResult(undefined);
                setFailure(undefined);
              }}
            />
            <SelectField
              path="action"
              label="Action"
              required
              value={action}
              disabled={!detail}
              placeholder={connectorName ? '— Choose an action —' : 'Choose a connector first'}
              options={(detail?.actions ?? []).map((a) => ({ value: a.name, label: a.title }))}
              onChange={(v) => {
                setAction(v);
                setInput({});
              }}
            />
            {(!detail || needsConnection(detail)) && (
              <SelectField
                path="connection"
                label="Connection"
                required
                value={chosenConnection}
                disabled={!connectorName}
                placeholder={own.length ? '— Choose a connection —' : 'No connection for this connector'}
                options={own.map((c) => ({ value: c.name, label: c.name }))}
                onChange={setConnection}
              />
            )}
          </div>
          <ErrorSummary problems={problems} title="The input was refused" />
          {detail && action && (
            <OperationForm
              connector={detail}
              kind="action"
              name={action}
              connection={chosenConnection || undefined}
              value={input}
              onChange={setInput}
              path="input"
              onConfigValues={setConfigValues}
            />
          )}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={busy} disabled={!connectorName || !action}>
              Run action
            </Button>
          </div>
        </form>
        <section aria-labelledby="run-result" aria-live="polite">
          <h2 id="run-result">Result</h2>
          {!result && !failure && !busy && <p className="field-note">Run the action to see its output here.</p>}
          {busy && <p className="field-note">Running…</p>}
          {failure !== undefined && (
            <ErrorMessage
              error={failure}
              title={failure instanceof ApiError ? `The action failed (HTTP ${failure.status})` : 'The action failed'}
            />
          )}
          {result?.reinvokeAfter && (
            <Alert
              kind="info"
              title={`The action suspended: it asks to run again after ${result.reinvokeAfter.seconds} s`}
            >
              <JsonView value={result.reinvokeAfter.continue} label="Continue value" />
            </Alert>
          )}
          {result && !result.reinvokeAfter && (
            <>
              <h3 className="h-small">Output</h3>
              <JsonView value={result.output} label="Output" />
            </>
          )}
        </section>
        {exchanges.length > 0 && (
          <section aria-labelledby="exchanges">
            <h2 id="exchanges">HTTP exchanges ({exchanges.length})</h2>
            <p className="muted small">Secrets are shown as [REDACTED].</p>
            <ol className="exchanges">
              {exchanges.map((x, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: exchanges are ordered and never reordered
                <ExchangeView key={i} exchange={x} index={i} />
              ))}
            </ol>
          </section>
        )}
      </FormEnvContext.Provider>
    </CatalogContext.Provider>
  );
}
