/**
 * Create or edit a connection: a form generated from the connector's connection fields, then
 * "Test connection" and, for OAuth2 connectors, "Connect".
 */
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import type { Problem } from '../api/problems';
import type { Connection, ConnectorDetail, Field, TestResult } from '../api/types';
import { ErrorSummary, errorMap } from '../components/ErrorSummary';
import { Alert, Button, ErrorMessage, Loading, PageHeader } from '../components/ui';
import { FormEnvContext } from '../forms/env';
import { FieldList } from '../forms/FieldList';
import { usePickListLoader } from '../forms/operation';
import { fieldId, isBlank, isRequired, labelOf } from '../lib/fields';
import { setFlash, takeFlash } from '../lib/flash';
import { useApi, useAsync, useTitle } from '../lib/hooks';
import { ngIfHolds } from '../lib/ngif';
import { href, navigate } from '../lib/router';

const REDACTED = '[REDACTED]';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Client-side checks before sending: a name, and the required fields that are shown. */
function check(name: string, fields: readonly Field[], values: Record<string, unknown>, stored: Set<string>) {
  const problems: Problem[] = [];
  if (!name.trim()) problems.push({ path: 'name', message: 'is required' });
  else if (!NAME.test(name))
    problems.push({
      path: 'name',
      message: 'use 1 to 100 letters, digits, ".", "_" or "-", starting with a letter or digit',
    });
  const scope = { connection: values, input: values };
  for (const f of fields) {
    if (!isRequired(f) || !ngIfHolds(f.ngIf, scope) || stored.has(f.name)) continue;
    if (isBlank(values[f.name]) && (!f.toggleField || isBlank(values[f.toggleField.name])))
      problems.push({ path: `values.${f.name}`, message: `${labelOf(f)} is required` });
  }
  return problems;
}

export function ConnectionFormPage({ name, connector: initialConnector }: { name?: string; connector?: string }) {
  const api = useApi();
  const editing = name !== undefined;
  useTitle(editing ? `Connection ${name}` : 'New connection');
  const connectors = useAsync(() => api.connectors(), [api]);
  const existing = useAsync<Connection | undefined>(
    () => (name ? api.connection(name) : Promise.resolve(undefined)),
    [api, name],
  );
  const [connectorName, setConnectorName] = useState(initialConnector ?? '');
  const [connName, setConnName] = useState(name ?? '');
  const [agentGroup, setAgentGroup] = useState('');
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [stored, setStored] = useState<Set<string>>(new Set());
  const [original, setOriginal] = useState<Record<string, unknown>>({});
  const [problems, setProblems] = useState<Problem[]>([]);
  const [saveError, setSaveError] = useState<unknown>();
  const [busy, setBusy] = useState<'' | 'save' | 'test' | 'connect'>('');
  const [test, setTest] = useState<TestResult>();
  const [connectError, setConnectError] = useState<string>();
  const [connected, setConnected] = useState<TestResult>();
  const [flash, setMessage] = useState(takeFlash);
  const connectorId = useId();

  useEffect(() => {
    const c = existing.data;
    if (!c) return;
    setConnectorName(c.connector);
    setAgentGroup(c.agentGroup ?? '');
    const secrets = new Set<string>();
    const shown: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(c.values ?? {})) {
      if (v === REDACTED) secrets.add(k);
      else shown[k] = v;
    }
    setStored(secrets);
    setValues(shown);
    setOriginal(shown);
  }, [existing.data]);

  const detail = useAsync<ConnectorDetail | undefined>(
    () => (connectorName ? api.connector(connectorName) : Promise.resolve(undefined)),
    [api, connectorName],
  );
  const connector = detail.data?.name === connectorName ? detail.data : undefined;
  const fields = connector?.connectionFields.fields ?? [];
  const loadPickList = usePickListLoader(connectorName || undefined, undefined);
  const errors = useMemo(() => errorMap(problems), [problems]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaveError(undefined);
    setTest(undefined);
    setMessage(undefined);
    const local = check(connName, fields, values, stored);
    if (!connectorName) local.unshift({ path: 'connector', message: 'choose a connector' });
    setProblems(local);
    if (local.length) return;
    setBusy('save');
    try {
      if (editing) {
        const patch: Record<string, unknown> = { ...values };
        for (const key of Object.keys(original)) if (!(key in values)) patch[key] = null;
        await api.updateConnection(name, patch, connector?.secureTunnel ? agentGroup.trim() || null : undefined);
        setMessage(`Connection "${name}" saved`);
        existing.reload();
        setProblems([]);
      } else {
        const group = connector?.secureTunnel && agentGroup.trim() ? { agentGroup: agentGroup.trim() } : {};
        await api.createConnection({ name: connName, connector: connectorName, values, ...group });
        setFlash(`Connection "${connName}" created`);
        navigate(href('connections', connName));
      }
    } catch (error) {
      if (error instanceof ApiError && error.status === 400 && error.problems.some((p) => p.path)) {
        setProblems(error.problems);
      } else if (error instanceof ApiError && error.status === 409 && error.path === 'name') {
        setProblems([{ path: 'name', message: error.message }]);
      } else setSaveError(error);
    } finally {
      setBusy('');
    }
  };

  const runTest = async () => {
    if (!name) return;
    setBusy('test');
    setTest(undefined);
    try {
      setTest(await api.testConnection(name));
    } catch (error) {
      setTest({ ok: false, message: errorMessage(error) });
    } finally {
      setBusy('');
    }
  };

  const connect = async () => {
    if (!name) return;
    setBusy('connect');
    setConnectError(undefined);
    setConnected(undefined);
    try {
      const { authorizationUrl } = await api.oauth2Start(name);
      // A pop-up keeps this page; the callback page reports back with postMessage. Without a
      // pop-up (blocked), the whole window goes to the provider and the callback links back.
      const popup = window.open(authorizationUrl, 'weft-oauth2', 'popup,width=640,height=760');
      if (!popup) window.location.assign(authorizationUrl);
      else {
        const watch = setInterval(() => {
          if (!popup.closed) return;
          clearInterval(watch);
          setBusy((b) => (b === 'connect' ? '' : b));
        }, 500);
      }
    } catch (error) {
      setConnectError(
        error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND'
          ? 'This server cannot start the OAuth 2.0 flow yet (no /oauth2/start route).'
          : errorMessage(error),
      );
      setBusy('');
    }
  };

  // The OAuth 2.0 callback page (in the pop-up) says how the authorization went.
  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const data = event.data as { type?: string; ok?: boolean; connection?: string; message?: string } | null;
      if (event.origin !== window.location.origin || data?.type !== 'weft:oauth2' || data.connection !== name) return;
      setBusy('');
      setConnected({ ok: data.ok === true, message: data.message ?? '' });
      if (data.ok) existing.reload();
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [name, existing.reload]);

  const nameError = errors.get('name');
  const connectorError = errors.get('connector');
  // A `multi` connector with an OAuth 2.0 option: "Connect" too (the server says when the
  // connection's chosen option needs no browser).
  const oauth =
    connector?.authorization === 'oauth2' ||
    Object.values(connector?.authorizationOptions ?? {}).some((type) => type === 'oauth2');
  const loading = (editing && existing.loading && !existing.data) || connectors.loading;

  return (
    <>
      <p className="breadcrumb">
        <a href={href('connections')}>Connections</a> <span aria-hidden="true">/</span>
      </p>
      <PageHeader title={editing ? `Connection ${name}` : 'New connection'}>
        {connector && (
          <p className="muted">
            For <a href={href('connectors', connector.name)}>{connector.title ?? connector.name}</a> · authorization{' '}
            <strong>{connector.authorization}</strong>
          </p>
        )}
      </PageHeader>
      {flash && <Alert kind="success" title={flash} />}
      <ErrorMessage error={existing.error} title="The connection could not be loaded" />
      <ErrorMessage error={connectors.error} title="The connectors could not be loaded" />
      {loading && <Loading />}
      <ErrorSummary problems={problems} title="The connection was not saved" />
      <ErrorMessage error={saveError} title="The connection was not saved" />
      {!loading && (
        <form className="card form" onSubmit={submit} noValidate aria-label="Connection">
          <div className={`field${connectorError ? ' has-error' : ''}`}>
            <label className="field-label" htmlFor={fieldId('connector')}>
              Connector
            </label>
            <select
              id={fieldId('connector')}
              value={connectorName}
              disabled={editing}
              aria-invalid={connectorError ? true : undefined}
              aria-describedby={connectorError ? `${connectorId}-err` : undefined}
              onChange={(e) => {
                setConnectorName(e.target.value);
                setValues({});
                setProblems([]);
              }}
            >
              <option value="">— Choose a connector —</option>
              {connectors.data?.items.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.title ?? c.name} ({c.name})
                </option>
              ))}
            </select>
            {connectorError && (
              <p className="field-error" id={`${connectorId}-err`}>
                {connectorError}
              </p>
            )}
          </div>
          <div className={`field${nameError ? ' has-error' : ''}`}>
            <label className="field-label" htmlFor={fieldId('name')}>
              Connection name
              <span className="required-mark" aria-hidden="true">
                {' '}
                *
              </span>
              <span className="visually-hidden"> (required)</span>
            </label>
            <p className="field-hint" id="conn-name-hint">
              Recipes refer to the connection by this name. Letters, digits, ".", "_" and "-".
            </p>
            <input
              id={fieldId('name')}
              value={connName}
              readOnly={editing}
              autoComplete="off"
              aria-describedby={`conn-name-hint${nameError ? ' conn-name-error' : ''}`}
              aria-invalid={nameError ? true : undefined}
              onChange={(e) => setConnName(e.target.value)}
            />
            {nameError && (
              <p className="field-error" id="conn-name-error">
                <span aria-hidden="true">⚠ </span>
                {nameError}
              </p>
            )}
          </div>
          {detail.loading && connectorName && !connector && <Loading label="Loading the connector…" />}
          <ErrorMessage error={detail.error} title="The connector could not be loaded" />
          {connector && (
            <fieldset className="group">
              <legend>Connection fields</legend>
              {connector.connectionFields.dynamic ? (
                <p className="field-note">This connector computes its connection fields; use the API to create it.</p>
              ) : fields.length === 0 ? (
                <p className="field-note">This connector needs no settings.</p>
              ) : (
                <FormEnvContext.Provider value={{ errors, loadPickList }}>
                  <FieldList
                    fields={fields}
                    value={values}
                    onChange={setValues}
                    path="values"
                    scope={{ connection: values }}
                    storedSecrets={stored}
                  />
                </FormEnvContext.Provider>
              )}
            </fieldset>
          )}
          {connector?.secureTunnel && (
            <AgentGroupField value={agentGroup} onChange={setAgentGroup} error={errors.get('agentGroup')} />
          )}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={busy === 'save'}>
              {editing ? 'Save' : 'Create connection'}
            </Button>
            {editing && (
              <Button onClick={runTest} busy={busy === 'test'}>
                Test connection
              </Button>
            )}
            {editing && oauth && (
              <Button onClick={connect} busy={busy === 'connect'}>
                Connect
              </Button>
            )}
          </div>
          {!editing && oauth && (
            <p className="field-note">
              {connector?.authorization === 'multi'
                ? 'If the connection signs in with OAuth 2.0, use “Connect” after creating it.'
                : 'After creating the connection, use “Connect” to sign in to the application.'}
            </p>
          )}
          {test && (
            <Alert kind={test.ok ? 'success' : 'error'} title={test.ok ? 'Connection works' : 'Connection failed'}>
              <p className="pre-line">{test.message}</p>
            </Alert>
          )}
          {busy === 'connect' && <p className="field-note">Finish signing in in the window that opened.</p>}
          {connected && (
            <Alert kind={connected.ok ? 'success' : 'error'} title={connected.ok ? 'Connected' : 'Not connected'}>
              <p className="pre-line">{connected.message}</p>
            </Alert>
          )}
          {connectError && (
            <Alert kind="error" title="Could not start the sign-in">
              <p>{connectError}</p>
            </Alert>
          )}
        </form>
      )}
    </>
  );
}

/**
 * For connectors with `secureTunnel`: the agent group whose agents carry the connection's HTTP.
 * The groups of the registered agents are suggested; any name may be typed (agents may come later).
 */
function AgentGroupField(props: { value: string; onChange: (value: string) => void; error?: string }) {
  const api = useApi();
  const agents = useAsync(() => api.agents(), [api]);
  const groups = [...new Set((agents.data?.items ?? []).map((agent) => agent.group))].sort();
  return (
    <div className={`field${props.error ? ' has-error' : ''}`}>
      <label className="field-label" htmlFor={fieldId('agentGroup')}>
        Agent group
      </label>
      <p className="field-hint" id="agent-group-hint">
        This connector can reach private networks through an on-premises agent. Name the agent group to send every
        request of this connection through it; leave empty to send requests directly.
      </p>
      <input
        id={fieldId('agentGroup')}
        value={props.value}
        list="agent-groups"
        autoComplete="off"
        aria-describedby={`agent-group-hint${props.error ? ' agent-group-error' : ''}`}
        aria-invalid={props.error ? true : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <datalist id="agent-groups">
        {groups.map((group) => (
          <option key={group} value={group} />
        ))}
      </datalist>
      {props.error && (
        <p className="field-error" id="agent-group-error">
          <span aria-hidden="true">⚠ </span>
          {props.error}
        </p>
      )}
    </div>
  );
}
