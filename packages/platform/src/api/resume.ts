/**
 * `POST /webhooks/resume/:jobId/:token`: the URL an action handed out (`ctx.resumeUrl`) before
 * `ctx.waitForResume`. The call's body and headers are committed to the job's wait, the job is
 * made due, and only then the caller gets 202; the job runs the waiting action again with
 * `ctx.resume = { payload, headers }`.
 *
 * 404 for an unknown job, a wrong token, a job that is not waiting (finished, timed out,
 * already resumed). The token is random per suspension and kept only as a hash. A call that
 * arrives while the action is still suspending (it sent the URL and the other side answered at
 * once) waits for the suspension to commit; when another process of a cluster runs the job,
 * the call is tried again for up to `SUSPENDING_WAIT_MS` while the job is still running.
 *
 * No admin token: the URL's token is the credential (like webhook URLs). Headers that carry the
 * caller's credentials (`authorization`, `cookie`, ...) are not kept.
 */

import type { FastifyInstance } from 'fastify';
import { DomainError } from '../errors.js';
import { resumeTokenHash } from '../jobs/resume-tokens.js';
import type { ServerContext } from '../runtime/context.js';
import { ApiError, errorBody } from './errors.js';
import { checkNesting } from './nesting.js';
import { utf8Text } from './text-body.js';

/** Headers not kept with a resume call: credentials of the caller and transport details. */
const DROPPED_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
]);

const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

/** How long a resume waits for a job another process is suspending. */
export const SUSPENDING_WAIT_MS = 5000;

/**
 * Tries `resume` again while the job is running (another process is suspending it), with
 * growing pauses, for up to `SUSPENDING_WAIT_MS`; undefined when it never waits for this call.
 */
async function resumeWhileSuspending<T>(
  store: Pick<ServerContext['store'], 'getJobStatus'>,
  jobId: string,
  resume: () => Promise<T | undefined>,
): Promise<T | undefined> {
  const until = Date.now() + SUSPENDING_WAIT_MS;
  for (let pause = 50; Date.now() < until; pause = Math.min(pause * 2, 500)) {
    // The status alone: a wrong token for a running job costs a one-column read per pause.
    if ((await store.getJobStatus(jobId)) !== 'running') return undefined;
    await new Promise((resolve) => setTimeout(resolve, pause));
    const resumed = await resume();
    if (resumed) return resumed;
  }
  return undefined;
}

function notFound() {
  return errorBody(
    'RESUME_NOT_FOUND',
    'No job waits for this resume URL: it is unknown, or the job was resumed already, timed out or finished',
  );
}

/** The body as the action sees it in `ctx.resume.payload`: JSON and forms parsed, else the text. */
function payloadOf(body: string | undefined, contentType: string | undefined): unknown {
  if (body === undefined || body === '') return null;
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) {
    checkNesting(body, 'The resume body');
    return JSON.parse(body);
  }
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(body));
  return body;
}

export function registerResumeRoutes(app: FastifyInstance, context: ServerContext): void {
  app.register(async (scope) => {
    // Any content type, read as UTF-8 text and parsed here: a malformed body is the caller's 400,
    // whatever the rest of the API accepts.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: context.options.webhookBodyLimit },
      (_request, body, done) => done(null, body),
    );

    type Resume = { Params: { jobId: string; token: string }; Body: Buffer | undefined };
    scope.post<Resume>('/webhooks/resume/:jobId/:token', async (request, reply) => {
      const { jobId, token } = request.params;
      if (!TOKEN.test(token) || !jobId) return reply.status(404).send(notFound());
      let payload: unknown;
      try {
        const text = utf8Text(request.headers, request.body, {
          requests: 'resume calls',
          body: 'The resume body',
          hint: 'send JSON, a form or plain text encoded as UTF-8',
        });
        payload = payloadOf(text, request.headers['content-type']);
      } catch (error) {
        if (error instanceof DomainError || error instanceof ApiError) throw error;
        return reply.status(400).send(errorBody('INVALID_JSON', 'The body is not valid JSON'));
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value === undefined || DROPPED_HEADERS.has(name)) continue;
        headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
      }
      const tokenHash = resumeTokenHash(token);
      const input = { jobId, tokenHash, resume: { payload, headers } };
      let job = await context.store.resumeJob(input);
      if (!job) {
        const pending = context.jobs.engine.pendingWait(jobId, tokenHash);
        if (pending) {
          await pending;
          job = await context.store.resumeJob(input);
        } else if (context.bus.shared) {
          job = await resumeWhileSuspending(context.store, jobId, () => context.store.resumeJob(input));
        }
      }
      if (!job) return reply.status(404).send(notFound());
      context.runtime.jobsCommitted([job]);
      return reply.status(202).send({ jobId: job.id, status: 'resumed' });
    });
  });
}
