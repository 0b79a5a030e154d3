import { useState } from 'react';
import { ApiError } from '../api/client';
import type { Operation, TriggerOperation } from '../api/types';
import { FieldTable } from '../components/FieldTable';
import { Tabs } from '../components/Tabs';
import { Alert, ButtonLink, CodeBlock, ErrorMessage, Loading, PageHeader } from '../components/ui';
import { useApi, useAsync, useTitle } from '../lib/hooks';
import { href } from '../lib/router';

const TRIGGER_KIND: Record<string, string> = {
  polling: 'Polling',
  static_webhook: 'Static webhook',
  dynamic_webhook: 'Dynamic webhook',
  hybrid: 'Webhook and polling',
};

function OperationDetails({
  connector,
  op,
  kind,
}: {
  connector: string;
  op: Operation | TriggerOperation;
  kind: 'action' | 'trigger';
}) {
  return (
    <details className="op">
      <summary>
        <span className="op-title">{op.title}</span> <code className="muted">{op.name}</code>
        {'kind' in op && <span className="tag">{TRIGGER_KIND[op.kind] ?? op.kind}</span>}
        {op.deprecated && <span className="tag tag-warn">deprecated</span>}
      </summary>
      <div className="op-body">
        {op.subtitle && <p className="muted">{op.subtitle}</p>}
        {op.description && <p>{op.description}</p>}
        {op.help && (
          <p className="muted">
            {op.help.body}{' '}
            {op.help.learnMoreUrl && (
              <a href={op.help.learnMoreUrl} target="_blank" rel="noreferrer">
                More about {op.title}
              </a>
            )}
          </p>
        )}
        {op.problems?.map((p) => (
          <p key={p.path} className="field-note" role="alert">
            <code>{p.path}</code>: {p.message}
          </p>
        ))}
        {(op.configFields.dynamic || (op.configFields.fields?.length ?? 0) > 0) && (
          <FieldTable set={op.configFields} caption="Config fields" />
        )}
        <FieldTable set={op.inputFields} caption="Input fields" />
        <FieldTable set={op.outputFields} caption="Output fields" output />
        {kind === 'action' && (
          <ButtonLink
            href={`${href('sdk')}?connector=${encodeURIComponent(connector)}&action=${encodeURIComponent(op.name)}`}
            size="small"
          >
            Try it in the SDK console
          </ButtonLink>
        )}
      </div>
    </details>
  );
}

function SourceView({ name }: { name: string }) {
  const api = useApi();
  const source = useAsync(() => api.connectorSource(name), [api, name]);
  if (source.loading && !source.data) return <Loading label="Loading the code…" />;
  if (source.error instanceof ApiError && source.error.status === 404)
    return (
      <Alert kind="info" title="The code is not available">
        This server does not serve connector code ({source.error.message}).
      </Alert>
    );
  if (source.error) return <ErrorMessage error={source.error} title="The code could not be loaded" />;
  const data = source.data as { source?: string; version?: number } | string | undefined;
  const text = typeof data === 'string' ? data : (data?.source ?? JSON.stringify(data, null, 2));
  const lines = text.split('\n');
  return (
    <figure className="source">
      <figcaption className="muted small">
        {typeof data === 'object' && data?.version !== undefined ? `Version ${data.version}, ` : ''}
        {lines.length} lines
      </figcaption>
      <CodeBlock className="code-lines" label={`Code of the connector ${name}`}>
        {lines.map((line, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
          <span key={i} className="line">
            <span className="ln" aria-hidden="true">
              {i + 1}
            </span>
            {`${line}\n`}
          </span>
        ))}
      </CodeBlock>
    </figure>
  );
}

export function ConnectorDetailPage({ name }: { name: string }) {
  const api = useApi();
  const detail = useAsync(() => api.connector(name), [api, name]);
  const [tab, setTab] = useState('overview');
  const c = detail.data;
  useTitle(c?.title ?? name);
  return (
    <>
      <p className="breadcrumb">
        <a href={href('connectors')}>Connectors</a> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={c?.title ?? name}
        actions={
          c && (
            <ButtonLink href={`${href('connections', 'new')}?connector=${encodeURIComponent(c.name)}`}>
              New connection
            </ButtonLink>
          )
        }
      >
        {c && (
          <p className="muted">
            <code>{c.name}</code> · version {c.version} · authorization <strong>{c.authorization}</strong>
          </p>
        )}
      </PageHeader>
      <ErrorMessage error={detail.error} title="The connector could not be loaded" />
      {detail.loading && !c && <Loading />}
      {c && (
        <Tabs
          label="Connector"
          selected={tab}
          onSelect={setTab}
          tabs={[
            {
              id: 'overview',
              label: 'Overview',
              content: (
                <>
                  {c.description && <p>{c.description}</p>}
                  <section aria-labelledby="conn-fields">
                    <h2 id="conn-fields">Connection</h2>
                    <FieldTable set={c.connectionFields} caption="Connection fields" />
                  </section>
                  <section aria-labelledby="actions-h">
                    <h2 id="actions-h">Actions ({c.actions.length})</h2>
                    {c.actions.length === 0 && <p className="field-note">No actions.</p>}
                    {c.actions.map((op) => (
                      <OperationDetails key={op.name} connector={c.name} op={op} kind="action" />
                    ))}
                  </section>
                  <section aria-labelledby="triggers-h">
                    <h2 id="triggers-h">Triggers ({c.triggers.length})</h2>
                    {c.triggers.length === 0 && <p className="field-note">No triggers.</p>}
                    {c.triggers.map((op) => (
                      <OperationDetails key={op.name} connector={c.name} op={op} kind="trigger" />
                    ))}
                  </section>
                  {c.pickLists.length > 0 && (
                    <section aria-labelledby="picklists-h">
                      <h2 id="picklists-h">Pick lists</h2>
                      <p>
                        {c.pickLists.map((p) => (
                          <code key={p} className="tag">
                            {p}
                          </code>
                        ))}
                      </p>
                    </section>
                  )}
                </>
              ),
            },
            { id: 'code', label: 'Code', content: <SourceView name={c.name} /> },
          ]}
        />
      )}
    </>
  );
}
