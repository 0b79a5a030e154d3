/**
 * Resuming a job that waits (`ctx.waitForResume`) with the call to its resume URL (the route is
 * api/resume.ts): the call's payload and headers are committed to the job's wait, the job is made
 * due, and the queue hears of it. A call that arrives while the action is still suspending (it
 * sent the URL and the other side answered at once) waits for the suspension to commit.
 *
 * The token is random per suspension and kept only as a hash: an unknown job, a wrong token, a
 * job that is not waiting (finished, timed out, already resumed) all resume nothing.
 */
import type { JobRecord } from '../store/store.js';
import type { ServerContext } from './context.js';
import { resumeTokenHash } from './engine.js';

/** The resumed job, or undefined when no job waits for this job id and token. */
export async function resumeWaitingJob(
  context: ServerContext,
  call: { jobId: string; token: string; payload: unknown; headers: Record<string, string> },
): Promise<JobRecord | undefined> {
  const { jobId, token, payload, headers } = call;
  const tokenHash = resumeTokenHash(token);
  const input = { jobId, tokenHash, resume: { payload, headers } };
  let job = await context.store.resumeJob(input);
  if (!job) {
    const pending = context.jobs?.engine.pendingWait(jobId, tokenHash);
    if (pending) {
      await pending;
      job = await context.store.resumeJob(input);
    }
  }
  if (job) context.runtime.jobsCommitted([job]);
  return job;
}
