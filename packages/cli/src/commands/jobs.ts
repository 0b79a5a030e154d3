/**
 * `weft jobs list|get|rerun`: the jobs of a Weft server, newest first.
 */
import { ApiClient } from '../api-client.js';
import type { JobFlags } from '../flags.js';
import type { Reporter } from '../report.js';
import { duration, print, printJson, short, table, time } from '../table.js';

interface JobError {
  code: string;
  message: string;
  stepId?: string;
}

interface Job {
  id: string;
  recipeId: string;
  status: string;
  trigger: unknown;
  error: JobError | null;
  attempts: number;
  rerunOf: string | null;
  runAt?: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps?: {
    id: string;
    status: string;
    input: unknown;
    output: unknown;
    error: JobError | null;
    startedAt: string | null;
    finishedAt: string | null;
  }[];
}

const enc = encodeURIComponent;

async function run(flags: JobFlags, reporter: Reporter, action: (client: ApiClient) => Promise<void>): Promise<number> {
  try {
    await action(await ApiClient.from(flags));
    return 0;
  } catch (error) {
    return reporter.fail(error);
  }
}

function errorText(error: JobError | null): string {
  if (!error) return '';
  return `${error.stepId ? `${error.stepId}: ` : ''}${error.message}`;
}

function describeJob(job: Job): string {
  const lines = [
    `id:        ${job.id}`,
    `recipe:    ${job.recipeId}`,
    `status:    ${job.status}${job.attempts > 1 ? ` (after ${job.attempts} attempts)` : ''}`,
    ...(job.rerunOf ? [`re-runs:   ${job.rerunOf}`] : []),
    `created:   ${time(job.createdAt)}`,
    ...(job.startedAt ? [`started:   ${time(job.startedAt)}`] : []),
    ...(job.finishedAt ? [`finished:  ${time(job.finishedAt)} (${duration(job.startedAt, job.finishedAt)})`] : []),
    ...(job.runAt && !job.finishedAt ? [`next run:  ${time(job.runAt)}`] : []),
    ...(job.error ? [`error:     ${job.error.code}: ${errorText(job.error)}`] : []),
    `trigger:   ${short(job.trigger, 200)}`,
  ];
  const steps = job.steps ?? [];
  lines.push('', steps.length ? 'steps:' : 'steps:     none yet');
  if (steps.length) {
    lines.push(
      table(
        ['STEP', 'STATUS', 'TIME', 'OUTPUT OR ERROR'],
        steps.map((s) => [
          s.id,
          s.status,
          duration(s.startedAt, s.finishedAt),
          s.error ? `${s.error.code}: ${short(s.error.message, 80)}` : short(s.output, 80),
        ]),
      ).trimEnd(),
    );
  }
  return lines.join('\n');
}

export function jobsList(flags: JobFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const query = new URLSearchParams({ limit: flags.limit ?? '20' });
    if (flags.recipe) query.set('recipeId', flags.recipe);
    if (flags.status) query.set('status', flags.status);
    if (flags.cursor) query.set('cursor', flags.cursor);
    const page: { items: Job[]; nextCursor: string | null } = await client.get(`/api/jobs?${query}`);
    if (flags.json) return printJson(page);
    if (!page.items.length) return print('No jobs');
    print(
      table(
        ['ID', 'RECIPE', 'STATUS', 'CREATED', 'TIME', 'ERROR'],
        page.items.map((j) => [
          j.id,
          j.recipeId,
          j.status,
          time(j.createdAt),
          duration(j.startedAt, j.finishedAt),
          short(errorText(j.error), 60),
        ]),
      ),
    );
    if (page.nextCursor) print(`More jobs: add --cursor ${page.nextCursor}`);
  });
}

export function jobsGet(id: string, flags: JobFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const job = await client.get<Job>(`/api/jobs/${enc(id)}`);
    if (flags.json) return printJson(job);
    print(describeJob(job));
  });
}

export function jobsRerun(id: string, flags: JobFlags, reporter: Reporter): Promise<number> {
  return run(flags, reporter, async (client) => {
    const job = await client.post<Job>(`/api/jobs/${enc(id)}/rerun`);
    if (flags.json) return printJson(job);
    print(`Re-running job ${id} as job ${job.id} (${job.status}): see \`weft jobs get ${job.id}\``);
  });
}
