/**
 * Jobs, newest first, filtered by recipe and status; refreshed every 2 seconds while the page is
 * visible (and live updates are on).
 */
import { useId, useState } from 'react';
import { JOB_STATUSES, type JobSummary, type Page } from '../api/types';
import { ListTable } from '../components/ListTable';
import { Button, ErrorMessage, formatDuration, formatTime, PageHeader, StatusBadge } from '../components/ui';
import { useApi, useAsync, usePolling, useTitle } from '../lib/hooks';
import { href, navigate } from '../lib/router';

const PAGE = 50;

export function jobsHref(query: { recipeId?: string; status?: string }): string {
  const params = new URLSearchParams();
  if (query.recipeId) params.set('recipeId', query.recipeId);
  if (query.status) params.set('status', query.status);
  const text = params.toString();
  return `${href('jobs')}${text ? `?${text}` : ''}`;
}

export function JobsPage({ recipeId, status }: { recipeId: string; status: string }) {
  useTitle('Jobs');
  const api = useApi();
  const [limit, setLimit] = useState(PAGE);
  const [live, setLive] = useState(true);
  const recipes = useAsync(() => api.recipes({ limit: 1000 }), [api]);
  const jobs = useAsync<Page<JobSummary>>(
    () => api.jobs({ recipeId, status: status as JobSummary['status'], limit }),
    [api, recipeId, status, limit],
  );
  usePolling(jobs.reload, 2000, live);
  const statusId = useId();
  const recipeSelectId = useId();
  const names = new Map((recipes.data?.items ?? []).map((r) => [r.id, r.name]));

  return (
    <>
      <PageHeader
        title="Jobs"
        actions={
          <Button aria-pressed={live} onClick={() => setLive(!live)} size="small">
            <span className={`live-dot${live ? ' on' : ''}`} aria-hidden="true" />
            Live updates
          </Button>
        }
      >
        <p className="muted">
          Every trigger event becomes a job. Newest first{live ? ', refreshed every 2 seconds' : ''}.
        </p>
      </PageHeader>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter jobs">
        <div className="field">
          <label className="field-label" htmlFor={recipeSelectId}>
            Recipe
          </label>
          <select
            id={recipeSelectId}
            value={recipeId}
            onChange={(e) => navigate(jobsHref({ recipeId: e.target.value, status }), { replace: true })}
          >
            <option value="">All recipes</option>
            {recipes.data?.items.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="segmented">
          <legend className="field-label">Status</legend>
          {['', ...JOB_STATUSES].map((s) => (
            <label key={s || 'all'} className={`segment${status === s ? ' on' : ''}`}>
              <input
                type="radio"
                name={statusId}
                value={s}
                checked={status === s}
                onChange={() => navigate(jobsHref({ recipeId, status: s }), { replace: true })}
              />
              {s ? s[0].toUpperCase() + s.slice(1) : 'All'}
            </label>
          ))}
        </fieldset>
      </form>
      <ErrorMessage error={jobs.error} title="The jobs could not be loaded" />
      <ListTable
        list={jobs}
        caption="Jobs"
        columns={['Job', 'Recipe', 'Status', 'Created', 'Duration', 'Error']}
        ariaLive="off"
        emptyTitle="No jobs"
        empty={
          <p>
            {status || recipeId ? 'No job matches these filters.' : 'Start a recipe; each trigger event becomes a job.'}
          </p>
        }
        row={(job) => (
          <tr key={job.id}>
            <th scope="row">
              <a href={href('jobs', job.id)}>
                <code>{job.id.length > 14 ? `${job.id.slice(0, 14)}…` : job.id}</code>
                <span className="visually-hidden"> details</span>
              </a>
              {job.rerunOf && <span className="tag">re-run</span>}
            </th>
            <td>
              <a href={href('recipes', job.recipeId)}>{names.get(job.recipeId) ?? job.recipeId}</a>
            </td>
            <td>
              <StatusBadge status={job.status} />
            </td>
            <td>{formatTime(job.createdAt)}</td>
            <td>{formatDuration(job.startedAt, job.finishedAt)}</td>
            <td className="error-cell">{job.error?.message ?? ''}</td>
          </tr>
        )}
      />
      {jobs.data?.nextCursor && limit < 1000 && <Button onClick={() => setLimit(limit + PAGE)}>Show more</Button>}
    </>
  );
}
