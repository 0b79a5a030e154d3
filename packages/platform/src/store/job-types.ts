/**
 * The records of the jobs aggregate (a job, its steps and its wait), shared by the API's
 * view (`jobs.ts`) and the engine's (`job-runs.ts`).
 */
import type { JobError, JobLogLine, JobStepView, JobView } from '@weft/sdk/model';
import type { PageRequest } from './common.js';
import type { JobStatus } from './schema.js';

export type { JobStatus } from './schema.js';
/** A job's error is the API's shape (`@weft/sdk/model`). */
export type { JobError };

/** A job as stored is the job as the API shows it (`@weft/sdk/model`). */
export type JobRecord = JobView;

/** A step as stored: the API's view of it (where `stepId` is `id`), its job and its state. */
export interface JobStepRecord extends Omit<JobStepView, 'id' | 'logs'> {
  jobId: string;
  stepId: string;
  /** Its `ctx.log` lines, bounded (0010); none when it logged nothing. */
  logs?: JobLogLine[] | null;
  /** A suspended multistep action's `continue`. */
  state: unknown;
}

export interface JobWithSteps extends JobRecord {
  steps: JobStepRecord[];
}

export type JobPatch = Partial<Pick<JobRecord, 'status' | 'error' | 'attempts' | 'runAt' | 'startedAt' | 'finishedAt'>>;

export interface JobQuery extends PageRequest {
  recipeId?: string;
  status?: JobStatus;
}

/** What the queue needs to recover a job after a restart: no trigger, no steps. */
export interface UnfinishedJob {
  id: string;
  recipeId: string;
  status: JobStatus;
  runAt: string | null;
}

/** A step record as the job engine reads and writes it. */
export interface RunStepRecord extends JobStepRecord {
  /**
   * The output before summarization, given only when `output` is summarized: what later steps
   * read when the job resumes after a restart. Never shown by the API.
   */
  fullOutput?: unknown;
}

/** The call that resumed a job waiting in `waitForResume` (secret-free headers). */
export interface ResumeCall {
  payload: unknown;
  headers: Record<string, string>;
}

/** The wait of a job suspended by `waitForResume`. */
export interface JobWait {
  jobId: string;
  /** The waiting step. */
  seq: number;
  /** SHA-256 (hex) of the resume URL's token. */
  tokenHash: string;
  /** The call that resumed the job; null while it waits (and when it timed out). */
  resume: ResumeCall | null;
  createdAt: string;
}

/** What `startJobs` found for one job. */
export type JobStart =
  /** No such job, or it is finished: nothing to run. */
  | { kind: 'gone' }
  /** Pending or suspended until `runAt` (a retry's back-off, a multistep sleep, a wait). */
  | { kind: 'notDue'; runAt: string }
  /**
   * Claimed: the job as it runs now (`running`, its attempt, `startedAt`), its step records
   * (with full outputs) and its wait, if any. `resumed`: it was suspended, so this run goes on
   * with the same attempt. `unwritten`: that running state is not stored yet — the caller
   * writes `{ status, attempts, startedAt }` with its first write (see `startJobs`).
   */
  | {
      kind: 'started';
      job: JobRecord;
      resumed: boolean;
      unwritten: boolean;
      steps: RunStepRecord[];
      wait: JobWait | null;
    };

/** One job's writes in `saveJobProgress`. */
export interface JobProgress {
  jobId: string;
  patch?: JobPatch;
  /** Inserted or replaced by `(jobId, seq)`. */
  steps?: readonly RunStepRecord[];
  /** Starts a wait (replacing an earlier one, not yet resumed); null ends it. */
  wait?: { seq: number; tokenHash: string } | null;
  /**
   * The lease holder writing (the queue on PostgreSQL): when the job's `lease_owner` is no
   * longer this, the write is dropped — another process took the job over (fencing).
   */
  leaseOwner?: string;
}
