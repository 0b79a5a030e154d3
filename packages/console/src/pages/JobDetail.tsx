/**
 * One job: its trigger event, and each step's input, output, timing, error and log lines; re-run.
 */
import { useState } from 'react';
import type { JobDetail, JobStep } from '../api/types';
import {
  Alert,
  Button,
  ErrorMessage,
  formatDuration,
  formatTime,
  JsonView,
  Loading,
  PageHeader,
  StatusBadge,
} from '../components/ui';
import { useApi, useAsync, usePolling, useTitle } from '../lib/hooks';
import { href, navigate } from '../lib/router';

const ACTIVE = new Set(['pending', 'running', 'suspended']);

function stepError(error: JobStep['error']): string | undefined {
  if (!error) return undefined;
  return error.code ? `${error.message} (${error.code})` : error.message;
}

function StepView({ step, index }: { step: JobStep; index: number }) {
  const error = stepError(step.error);
  return (
    <li className={`job-step step-${step.status}`}>
      <div className="job-step-head">
        <h3 className="h-small">
          <span className="muted">{index + 1}.</span> <code>{step.id}</code>
        </h3>
        <StatusBadge status={step.status} />
        <span className="muted small">
          {formatTime(step.startedAt)} · {formatDuration(step.startedAt, step.finishedAt)}
          {step.attempts && step.attempts > 1 ? ` · ${step.attempts} attempts` : ''}
        </span>
      </div>
      {error && (
        <Alert kind="error" title="Step failed">
          <p className="pre-line">{error}</p>
        </Alert>
      )}
      <div className="io">
        <details open>
          <summary>Input</summary>
          <JsonView value={step.input} label={`Input of step ${step.id}`} />
        </details>
        <details open>
          <summary>Output</summary>
          <JsonView value={step.output} label={`Output of step ${step.id}`} />
        </details>
      </div>
      {step.logs && step.logs.length > 0 && (
        <details className="step-logs" open>
          <summary>Logs ({step.logs.length})</summary>
          <ol aria-label={`Logs of step ${step.id}`}>
            {step.logs.map((line, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: lines keep their order and may repeat
              <li key={i} className={`log-line log-${line.level}`}>
                <span className="muted small">{formatTime(line.at)}</span>{' '}
                <span className="log-level">{line.level}</span> <span className="pre-line">{line.message}</span>
                {line.data !== undefined && <code className="log-data">{JSON.stringify(line.data)}</code>}
              </li>
            ))}
          </ol>
        </details>
      )}
    </li>
  );
}

export function JobDetailPage({ id }: { id: string }) {
  const api = useApi();
  const job = useAsync<JobDetail>(() => api.job(id), [api, id]);
  const data = job.data;
  useTitle(`Job ${id}`);
  usePolling(job.reload, 2000, data ? ACTIVE.has(data.status) : !job.error);
  const recipe = useAsync(() => (data ? api.recipe(data.recipeId) : Promise.resolve(undefined)), [api, data?.recipeId]);
  const [rerunError, setRerunError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const rerun = async () => {
    setBusy(true);
    setRerunError(undefined);
    try {
      const created = await api.rerunJob(id);
      navigate(href('jobs', created.id));
    } catch (error) {
      setRerunError(error);
      setBusy(false);
    }
  };

  return (
    <>
      <p className="breadcrumb">
        <a href={href('jobs')}>Jobs</a> <span aria-hidden="true">/</span>
      </p>
      <PageHeader
        title={`Job ${id}`}
        actions={
          data && (
            <>
              <StatusBadge status={data.status} />
              <Button onClick={rerun} busy={busy} disabled={ACTIVE.has(data.status)}>
                Re-run
              </Button>
            </>
          )
        }
      >
        {data && (
          <dl className="meta">
            <div>
              <dt>Recipe</dt>
              <dd>
                <a href={href('recipes', data.recipeId)}>{recipe.data?.name ?? data.recipeId}</a>
              </dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>{formatTime(data.createdAt)}</dd>
            </div>
            <div>
              <dt>Started</dt>
              <dd>{formatTime(data.startedAt)}</dd>
            </div>
            <div>
              <dt>Finished</dt>
              <dd>{formatTime(data.finishedAt)}</dd>
            </div>
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(data.startedAt, data.finishedAt)}</dd>
            </div>
            {data.rerunOf && (
              <div>
                <dt>Re-run of</dt>
                <dd>
                  <a href={href('jobs', data.rerunOf)}>
                    <code>{data.rerunOf}</code>
                  </a>
                </dd>
              </div>
            )}
          </dl>
        )}
      </PageHeader>
      <ErrorMessage error={job.error} title="The job could not be loaded" />
      <ErrorMessage error={rerunError} title="The job could not be re-run" />
      {job.loading && !data && <Loading />}
      {data?.error && (
        <Alert kind="error" title={`The job failed${data.error.stepId ? ` at step ${data.error.stepId}` : ''}`}>
          <p className="pre-line">{data.error.message}</p>
          {data.error.code && <p className="muted small">Code: {data.error.code}</p>}
        </Alert>
      )}
      {data && (
        <>
          <section className="card" aria-labelledby="trigger-event">
            <h2 id="trigger-event">Trigger event</h2>
            <JsonView value={data.trigger} label="Trigger event data" />
          </section>
          <section aria-labelledby="job-steps">
            <h2 id="job-steps">Steps</h2>
            {data.steps.length === 0 && (
              <p className="field-note">{ACTIVE.has(data.status) ? 'No step has run yet.' : 'No step ran.'}</p>
            )}
            <ol className="job-steps">
              {data.steps.map((step, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps keep their order; ids repeat inside foreach
                <StepView key={`${step.id}-${i}`} step={step} index={i} />
              ))}
            </ol>
          </section>
        </>
      )}
    </>
  );
}
