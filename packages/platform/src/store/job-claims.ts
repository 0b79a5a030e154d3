/**
 * The claims of the queue on PostgreSQL (jobs/pg-queue.ts): the `jobs` table is the queue. A
 * claim is one transaction that takes the ready jobs, oldest first, for this process — pending
 * or suspended jobs that are due, and running jobs whose lease expired (their process died) —
 * keeping each recipe's concurrency and order over the whole cluster, and marks them `running`
 * with a lease (`lease_owner`, `lease_until`, migration 0004). See docs/architecture.md, "The
 * queue on PostgreSQL".
 *
 * Cost does not grow with the backlog: every read is an index range of a partial index
 * (`jobs_ready`, `jobs_delayed`, `jobs_leased`) and nothing counts the queued jobs. The recipes
 * with ready jobs are found by a loose index scan (one probe per recipe, not per job); a recipe
 * at its concurrency is dropped on its running jobs' count, never reading its backlog.
 *
 * Times are ISO text from the caller's clock, like every other time of the store: the processes
 * of a cluster must keep their clocks within a fraction of a lease of each other (NTP does).
 */
import { type Kysely, type Selectable, sql } from 'kysely';
import { readRunRecords, toJob } from './job-rows.js';
import type { JobStart } from './job-types.js';
import type { Database, JobTable } from './schema.js';

export interface ClaimInput {
  /** The claiming process (its bus node id). */
  owner: string;
  /** Now, ISO. */
  at: string;
  /** The lease of what is claimed, ISO (now + the lease). */
  leaseUntil: string;
  /** Jobs this process can start now (free workers). */
  limit: number;
  /** Concurrency of recipes whose stored definition does not say (tests); else 1. */
  concurrency?: Readonly<Record<string, number>>;
}

export interface Claim {
  /** The jobs claimed, oldest first: `started`, with their steps and wait. */
  started: Extract<JobStart, { kind: 'started' }>[];
  /** A recipe was being claimed by another process: claim again shortly. */
  contended: boolean;
  /** Ready jobs were left for lack of free workers (a lower bound of how many). */
  left: number;
}

export interface Delayed {
  /** The earliest `runAt` after now of a pending or suspended job, ISO. */
  next: string | undefined;
  /** How many wait for a time (counted up to `DELAYED_PEEK`). */
  count: number;
}

const DELAYED_PEEK = 100;
const READY = sql`status in ('pending', 'suspended')`;

interface Head {
  recipe_id: string;
  head: string;
  live: number;
  concurrency: number;
}

type ClaimedRow = Selectable<JobTable> & { was: JobTable['status']; was_started: string | null };

export class PgJobClaims {
  constructor(private readonly db: Kysely<Database>) {}

  async claim(input: ClaimInput): Promise<Claim> {
    const { at } = input;
    if (input.limit <= 0) return { started: [], contended: false, left: 0 };
    return this.db.transaction().execute(async (trx): Promise<Claim> => {
      const heads = await this.heads(trx, at, input.concurrency ?? {});
      let free = input.limit;
      let contended = false;
      let left = 0;
      const ids: string[] = [];
      for (const head of heads) {
        if (head.live >= head.concurrency) continue;
        if (free === 0) {
          left++;
          continue;
        }
        // One claimer per recipe at a time, cluster-wide: its count of running jobs and its
        // order hold. A recipe another process is claiming is tried again on the next pass.
        const lock = await sql<{ got: boolean }>`
          select pg_try_advisory_xact_lock(hashtextextended(${`weft_jobs:${head.recipe_id}`}, 0)) as got`.execute(trx);
        if (!lock.rows[0]?.got) {
          contended = true;
          continue;
        }
        // Read after the lock: claims committed by others before it are seen.
        const cap = Math.min(head.concurrency, free);
        const { rows } = await sql<{ id: string; live: number }>`
          select c.id, (select count(*)::int from jobs where recipe_id = ${head.recipe_id}
              and status = 'running' and lease_until >= ${at}) as live
          from (
            (select id from jobs where recipe_id = ${head.recipe_id} and ${READY} and run_at is null
              order by id limit ${cap})
            union all
            (select id from jobs where recipe_id = ${head.recipe_id} and ${READY} and run_at is not null
              and run_at <= ${at} order by id limit ${cap})
            union all
            (select id from jobs where recipe_id = ${head.recipe_id} and status = 'running'
              and (lease_until is null or lease_until < ${at}) order by id limit ${cap})
          ) c order by c.id limit ${cap}`.execute(trx);
        if (rows.length === 0) continue;
        const take = Math.min(rows.length, head.concurrency - rows[0].live, free);
        for (let i = 0; i < take; i++) ids.push(rows[i].id);
        if (take > 0) free -= take;
        if (take < rows.length && free === 0) left += rows.length - take;
      }
      if (ids.length === 0) return { started: [], contended, left };
      const claimed = await sql<ClaimedRow>`
        with c as (
          select id, status, attempts, started_at from jobs
          where id = any(${ids}::text[]) and (
            (${READY} and (run_at is null or run_at <= ${at}))
            or (status = 'running' and (lease_until is null or lease_until < ${at})))
          for update skip locked
        )
        update jobs j set status = 'running',
          attempts = case when c.status = 'suspended' then c.attempts else c.attempts + 1 end,
          started_at = coalesce(j.started_at, ${at}), run_at = null, updated_at = ${at},
          lease_owner = ${input.owner}, lease_until = ${input.leaseUntil}
        from c where j.id = c.id
        returning j.*, c.status as was, c.started_at as was_started`.execute(trx);
      if (claimed.rows.length < ids.length) contended = true;
      const started = await this.withRecords(trx, claimed.rows);
      return { started, contended, left };
    });
  }

  /**
   * Renews the leases of the jobs `owner` runs (one statement); returns the ids it still holds
   * (a job missing lost its lease: another process took it over, or it was stopped).
   */
  async renew(input: { owner: string; ids: readonly string[]; leaseUntil: string }): Promise<Set<string>> {
    if (input.ids.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`
      update jobs set lease_until = ${input.leaseUntil}
      where id = any(${[...input.ids]}::text[]) and status = 'running' and lease_owner = ${input.owner}
      returning id`.execute(this.db);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Gives claimed jobs back unstarted (the queue stopped while claiming): as they were — pending
   * with the attempt returned, or suspended — their lease cleared, claimable at once.
   */
  async handBack(owner: string, started: Claim['started'], at: string): Promise<void> {
    if (started.length === 0) return;
    const resumed = started.filter((s) => s.resumed).map((s) => s.job.id);
    await sql`
      update jobs set
        status = case when id = any(${resumed}::text[]) then 'suspended' else 'pending' end,
        attempts = case when id = any(${resumed}::text[]) then attempts else attempts - 1 end,
        run_at = null, updated_at = ${at}, lease_owner = null, lease_until = null
      where id = any(${started.map((s) => s.job.id)}::text[]) and status = 'running' and lease_owner = ${owner}`.execute(
      this.db,
    );
  }

  /** The jobs waiting for a time after `at`: the earliest (for the queue's one timer). */
  async delayed(at: string): Promise<Delayed> {
    const { rows } = await sql<{ run_at: string }>`
      select run_at from jobs where ${READY} and run_at is not null and run_at > ${at}
      order by run_at limit ${DELAYED_PEEK}`.execute(this.db);
    return { next: rows[0]?.run_at, count: rows.length };
  }

  /** Whether anything is left to claim, now or later (pending, suspended, or an expired lease). */
  async anyQueued(at: string): Promise<boolean> {
    const { rows } = await sql<{ any: boolean }>`
      select exists (select 1 from jobs where ${READY})
        or exists (select 1 from jobs where status = 'running' and (lease_until is null or lease_until < ${at}))
        as any`.execute(this.db);
    return rows[0]?.any === true;
  }

  /**
   * The recipes with jobs to claim and the oldest of each, oldest first, with their running
   * jobs under a live lease and their concurrency. The ready lane is walked by a loose index
   * scan (one probe per recipe); due delayed jobs and expired leases are few, read by range.
   */
  private async heads(
    trx: Kysely<Database>,
    at: string,
    concurrency: Readonly<Record<string, number>>,
  ): Promise<Head[]> {
    const { rows } = await sql<Head>`
      with recursive lane as (
        (select recipe_id from jobs where ${READY} and run_at is null order by recipe_id limit 1)
        union all
        select (select j.recipe_id from jobs j where j.status in ('pending', 'suspended') and j.run_at is null
                  and j.recipe_id > lane.recipe_id order by j.recipe_id limit 1)
        from lane where lane.recipe_id is not null
      ), heads as (
        select recipe_id, (select j.id from jobs j where j.recipe_id = lane.recipe_id
                  and j.status in ('pending', 'suspended') and j.run_at is null order by j.id limit 1) as head
        from lane where recipe_id is not null
        union all
        select recipe_id, min(id) from jobs where ${READY} and run_at is not null and run_at <= ${at}
        group by recipe_id
        union all
        select recipe_id, min(id) from jobs where status = 'running' and (lease_until is null or lease_until < ${at})
        group by recipe_id
      ), live as (
        select recipe_id, count(*)::int as n from jobs where status = 'running' and lease_until >= ${at}
        group by recipe_id
      )
      select h.recipe_id, h.head, coalesce(l.n, 0) as live,
        coalesce(
          case when jsonb_typeof(r.definition::jsonb -> 'concurrency') = 'number'
            then (r.definition::jsonb ->> 'concurrency')::int end,
          (${JSON.stringify(concurrency)}::jsonb ->> h.recipe_id)::int,
          1) as concurrency
      from (select recipe_id, min(head) as head from heads group by recipe_id) h
      left join live l on l.recipe_id = h.recipe_id
      left join recipes r on r.id = h.recipe_id
      order by h.head`.execute(trx);
    return rows;
  }

  /** The claimed jobs as the engine starts them: steps and wait read for those run before. */
  private async withRecords(trx: Kysely<Database>, rows: ClaimedRow[]): Promise<Claim['started']> {
    // A job never started (no `startedAt` before this claim) has no steps and no wait.
    const before = rows.filter((r) => r.was_started !== null).map((r) => r.id);
    const { steps, waits } = await readRunRecords(trx, before, Math.max(1, before.length));
    return rows
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((row) => ({
        kind: 'started' as const,
        job: toJob(row),
        resumed: row.was === 'suspended',
        unwritten: false,
        steps: steps.get(row.id) ?? [],
        wait: waits.get(row.id) ?? null,
      }));
  }
}
