/**
 * The queries of the store, written once with Kysely for every SQL dialect (SQLite now,
 * PostgreSQL next). Only portable SQL: no RETURNING-dependent logic, upserts with
 * `ON CONFLICT`, text times, JSON kept as text.
 */
import type { CompiledQuery, Kysely, Selectable, Transaction } from 'kysely';
import { firstIdAt, newId } from '../ids.js';
import type {
  ConnectionTable,
  Database,
  JobStepTable,
  JobTable,
  RecipeTable,
  TriggerStateTable,
  WebhookSubscriptionTable,
} from './schema.js';
import type { JobProgress, JobStart, JobWait, PollError, ResumeCall, RunStepRecord, UnfinishedJob } from './store.js';
import {
  type ConnectionRecord,
  type ConnectorVersion,
  type EventsCommitted,
  type JobPatch,
  type JobQuery,
  type JobRecord,
  type JobStepRecord,
  type JobWithSteps,
  type NewEvents,
  type NewRecipe,
  type Page,
  type PageRequest,
  type PollCommit,
  type PollCommitted,
  type RecipeRecord,
  type RecipeStatus,
  type SealedValues,
  type Store,
  StoreError,
  type TriggerState,
  type WebhookSubscription,
} from './store.js';

/** Rows per multi-row INSERT: well below SQLite's limit of bound variables. */
const INSERT_CHUNK = 200;
/** Values per `IN (...)` list. */
const IN_CHUNK = 500;

const now = () => new Date().toISOString();

function toJson(value: unknown): string {
  const text = JSON.stringify(value === undefined ? null : value);
  if (text === undefined) throw new TypeError('value cannot be stored as JSON');
  return text;
}

function fromJson(text: string | null): unknown {
  return text === null ? null : JSON.parse(text);
}

export function encodeCursor(key: string): string {
  return Buffer.from(JSON.stringify({ k: key })).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === undefined || cursor === null || cursor === '') return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (parsed && typeof parsed.k === 'string') return parsed.k;
  } catch {}
  throw new StoreError('INVALID_CURSOR', 'The cursor is not one this server handed out: start again without it');
}

function page<T>(rows: T[], limit: number, key: (row: T) => string): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(key(items[items.length - 1])) };
}

function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new RangeError('limit must be an integer from 1 to 1000');
  return limit;
}

function toConnection(row: Selectable<ConnectionTable>): ConnectionRecord {
  return {
    name: row.name,
    connector: row.connector,
    valuesEncrypted: row.values_encrypted,
    keyId: row.key_id,
    nonce: row.nonce,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRecipe(row: Selectable<RecipeTable>): RecipeRecord {
  return {
    id: row.id,
    name: row.name,
    definition: fromJson(row.definition),
    status: row.status,
    connectorVersions: fromJson(row.connector_versions) as Record<string, number>,
    webhookSecret: row.webhook_secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toJob(row: Selectable<JobTable>): JobRecord {
  return {
    id: row.id,
    recipeId: row.recipe_id,
    status: row.status,
    trigger: fromJson(row.trigger),
    error: fromJson(row.error) as JobRecord['error'],
    attempts: row.attempts,
    runAt: row.run_at,
    rerunOf: row.rerun_of,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toStep(row: Selectable<JobStepTable>): JobStepRecord {
  return {
    jobId: row.job_id,
    seq: row.seq,
    stepId: row.step_id,
    status: row.status,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error) as JobStepRecord['error'],
    state: fromJson(row.state),
    attempts: row.attempts,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

function toTriggerState(row: Selectable<TriggerStateTable>): TriggerState {
  return {
    recipeId: row.recipe_id,
    closure: row.closure === null ? undefined : fromJson(row.closure),
    emptyPolls: row.empty_polls,
    updatedAt: row.updated_at,
    lastPollError: (fromJson(row.last_poll_error ?? null) as PollError | null) ?? null,
  };
}

function toSubscription(row: Selectable<WebhookSubscriptionTable>): WebhookSubscription {
  return {
    recipeId: row.recipe_id,
    data: fromJson(row.data),
    secret: row.secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function chunks<T>(list: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
}

export class KyselyStore implements Store {
  constructor(readonly db: Kysely<Database>) {}

  // ----------------------------------------------------------------------------- connector versions

  async putConnectorVersion(input: {
    name: string;
    checksum: string;
    source: string;
    origin: string;
  }): Promise<ConnectorVersion> {
    return this.db.transaction().execute(async (trx) => {
      const latest = await trx
        .selectFrom('connector_versions')
        .selectAll()
        .where('name', '=', input.name)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (latest && latest.checksum === input.checksum) return toVersion(latest);
      const row = {
        name: input.name,
        version: (latest?.version ?? 0) + 1,
        checksum: input.checksum,
        source: input.source,
        origin: input.origin,
        created_at: now(),
      };
      await trx.insertInto('connector_versions').values(row).execute();
      return toVersion(row);
    });
  }

  async latestConnectorVersions(): Promise<ConnectorVersion[]> {
    const rows = await this.db
      .selectFrom('connector_versions as v')
      .select(['v.name', 'v.version', 'v.checksum', 'v.origin', 'v.created_at'])
      .where(({ eb, selectFrom }) =>
        eb(
          'v.version',
          '=',
          selectFrom('connector_versions as w')
            .select(({ fn }) => fn.max('w.version').as('m'))
            .whereRef('w.name', '=', 'v.name'),
        ),
      )
      .orderBy('v.name')
      .execute();
    return rows.map(toVersion);
  }

  async connectorVersions(name: string): Promise<ConnectorVersion[]> {
    const rows = await this.db
      .selectFrom('connector_versions')
      .select(['name', 'version', 'checksum', 'origin', 'created_at'])
      .where('name', '=', name)
      .orderBy('version', 'desc')
      .execute();
    return rows.map(toVersion);
  }

  async connectorSource(name: string, version: number): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('connector_versions')
      .select('source')
      .where('name', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row?.source;
  }

  // ------------------------------------------------------------------------------------ connections

  async insertConnection(input: { name: string; connector: string } & SealedValues): Promise<ConnectionRecord> {
    const at = now();
    const row = {
      name: input.name,
      connector: input.connector,
      values_encrypted: input.valuesEncrypted,
      key_id: input.keyId,
      nonce: input.nonce,
      created_at: at,
      updated_at: at,
    };
    await this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom('connections')
        .select('name')
        .where('name', '=', input.name)
        .executeTakeFirst();
      if (taken) throw new StoreError('CONFLICT', `A connection named "${input.name}" exists already`);
      await trx.insertInto('connections').values(row).execute();
    });
    return toConnection(row);
  }

  async getConnection(name: string): Promise<ConnectionRecord | undefined> {
    const row = await this.db.selectFrom('connections').selectAll().where('name', '=', name).executeTakeFirst();
    return row && toConnection(row);
  }

  async listConnections(request: PageRequest): Promise<Page<ConnectionRecord>> {
    const limit = checkLimit(request.limit);
    const after = decodeCursor(request.cursor);
    let query = this.db
      .selectFrom('connections')
      .selectAll()
      .orderBy('name')
      .limit(limit + 1);
    if (after !== undefined) query = query.where('name', '>', after);
    return page((await query.execute()).map(toConnection), limit, (c) => c.name);
  }

  async connectionsNotSealedWith(keyId: string): Promise<ConnectionRecord[]> {
    const rows = await this.db
      .selectFrom('connections')
      .selectAll()
      .where('key_id', '<>', keyId)
      .orderBy('name')
      .execute();
    return rows.map(toConnection);
  }

  async updateConnectionValues(name: string, sealed: SealedValues): Promise<ConnectionRecord | undefined> {
    const result = await this.db
      .updateTable('connections')
      .set({ values_encrypted: sealed.valuesEncrypted, key_id: sealed.keyId, nonce: sealed.nonce, updated_at: now() })
      .where('name', '=', name)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getConnection(name);
  }

  async deleteConnection(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('connections').where('name', '=', name).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // ---------------------------------------------------------------------------------------- recipes

  async insertRecipe(input: NewRecipe): Promise<RecipeRecord> {
    const at = now();
    const row = {
      id: newId('rcp'),
      name: input.name,
      definition: toJson(input.definition),
      status: 'stopped' as const,
      connector_versions: toJson(input.connectorVersions),
      webhook_secret: input.webhookSecret,
      created_at: at,
      updated_at: at,
    };
    await this.db.insertInto('recipes').values(row).execute();
    return toRecipe(row);
  }

  async getRecipe(id: string): Promise<RecipeRecord | undefined> {
    const row = await this.db.selectFrom('recipes').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRecipe(row);
  }

  async listRecipes(request: PageRequest & { status?: RecipeStatus }): Promise<Page<RecipeRecord>> {
    const limit = checkLimit(request.limit);
    const after = decodeCursor(request.cursor);
    let query = this.db
      .selectFrom('recipes')
      .selectAll()
      .orderBy('id')
      .limit(limit + 1);
    if (after !== undefined) query = query.where('id', '>', after);
    if (request.status) query = query.where('status', '=', request.status);
    return page((await query.execute()).map(toRecipe), limit, (r) => r.id);
  }

  async updateRecipe(id: string, input: Omit<NewRecipe, 'webhookSecret'>): Promise<RecipeRecord | undefined> {
    const result = await this.db
      .updateTable('recipes')
      .set({
        name: input.name,
        definition: toJson(input.definition),
        connector_versions: toJson(input.connectorVersions),
        updated_at: now(),
      })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getRecipe(id);
  }

  async setRecipeStatus(id: string, status: RecipeStatus): Promise<RecipeRecord | undefined> {
    const result = await this.db
      .updateTable('recipes')
      .set({ status, updated_at: now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    return this.getRecipe(id);
  }

  async deleteRecipe(id: string): Promise<boolean> {
    // Explicit deletes rather than relying on ON DELETE CASCADE being switched on.
    return this.db.transaction().execute(async (trx) => {
      const jobIds = trx.selectFrom('jobs').select('id').where('recipe_id', '=', id);
      await trx.deleteFrom('job_steps').where('job_id', 'in', jobIds).execute();
      await trx.deleteFrom('job_waits').where('job_id', 'in', jobIds).execute();
      await trx.deleteFrom('jobs').where('recipe_id', '=', id).execute();
      await trx.deleteFrom('trigger_state').where('recipe_id', '=', id).execute();
      await trx.deleteFrom('seen_signatures').where('recipe_id', '=', id).execute();
      await trx.deleteFrom('webhook_subscriptions').where('recipe_id', '=', id).execute();
      const result = await trx.deleteFrom('recipes').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  // ------------------------------------------------------------------------------------------- jobs

  async createJobs(input: NewEvents): Promise<EventsCommitted> {
    return this.db.transaction().execute((trx) => insertEvents(trx, input));
  }

  async createJobsMany(inputs: readonly NewEvents[]): Promise<EventsCommitted[]> {
    if (inputs.length === 0) return [];
    const compiled = compiledJobInserts(this.db);
    return this.db.transaction().execute((trx) => insertEventsMany(trx, inputs, compiled));
  }

  async commitPoll(input: PollCommit): Promise<PollCommitted> {
    return this.db.transaction().execute(async (trx) => {
      const committed = await insertEvents(trx, input);
      const previous = await trx
        .selectFrom('trigger_state')
        .select(['closure', 'empty_polls'])
        .where('recipe_id', '=', input.recipeId)
        .executeTakeFirst();
      const closure =
        input.closure === undefined || input.closure === null ? (previous?.closure ?? null) : toJson(input.closure);
      const emptyPolls = committed.jobs.length > 0 ? 0 : (previous?.empty_polls ?? 0) + 1;
      const at = now();
      // A poll that commits clears the last poll error.
      await trx
        .insertInto('trigger_state')
        .values({ recipe_id: input.recipeId, closure, empty_polls: emptyPolls, updated_at: at, last_poll_error: null })
        .onConflict((oc) =>
          oc
            .column('recipe_id')
            .doUpdateSet({ closure, empty_polls: emptyPolls, updated_at: at, last_poll_error: null }),
        )
        .execute();
      return { ...committed, emptyPolls };
    });
  }

  async getJob(id: string): Promise<JobWithSteps | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return undefined;
    const steps = await this.db.selectFrom('job_steps').selectAll().where('job_id', '=', id).orderBy('seq').execute();
    return { ...toJob(row), steps: steps.map(toStep) };
  }

  async listJobs(request: JobQuery): Promise<Page<JobRecord>> {
    const limit = checkLimit(request.limit);
    const before = decodeCursor(request.cursor);
    let query = this.db
      .selectFrom('jobs')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit + 1);
    if (before !== undefined) query = query.where('id', '<', before);
    if (request.recipeId) query = query.where('recipe_id', '=', request.recipeId);
    if (request.status) query = query.where('status', '=', request.status);
    return page((await query.execute()).map(toJob), limit, (j) => j.id);
  }

  async updateJob(id: string, patch: JobPatch): Promise<JobRecord | undefined> {
    const set: Partial<Record<keyof JobTable, unknown>> = { updated_at: now() };
    if (patch.status !== undefined) set.status = patch.status;
    if (patch.error !== undefined) set.error = patch.error === null ? null : toJson(patch.error);
    if (patch.attempts !== undefined) set.attempts = patch.attempts;
    if (patch.runAt !== undefined) set.run_at = patch.runAt;
    if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
    if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
    const result = await this.db
      .updateTable('jobs')
      .set(set as any)
      .where('id', '=', id)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) return undefined;
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toJob(row);
  }

  async saveJobStep(step: JobStepRecord): Promise<void> {
    const row = {
      job_id: step.jobId,
      seq: step.seq,
      step_id: step.stepId,
      status: step.status,
      input: step.input === undefined ? null : toJson(step.input),
      output: step.output === undefined ? null : toJson(step.output),
      error: step.error ? toJson(step.error) : null,
      state: step.state === undefined ? null : toJson(step.state),
      attempts: step.attempts,
      started_at: step.startedAt,
      finished_at: step.finishedAt,
    };
    const { job_id: _job, seq: _seq, ...update } = row;
    await this.db
      .insertInto('job_steps')
      .values(row)
      .onConflict((oc) => oc.columns(['job_id', 'seq']).doUpdateSet(update))
      .execute();
  }

  // ---------------------------------------------------------------------------------- trigger state

  async getTriggerState(recipeId: string): Promise<TriggerState | undefined> {
    const row = await this.db
      .selectFrom('trigger_state')
      .selectAll()
      .where('recipe_id', '=', recipeId)
      .executeTakeFirst();
    return row && toTriggerState(row);
  }

  async resetTriggerState(recipeId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('trigger_state').where('recipe_id', '=', recipeId).execute();
      await trx.deleteFrom('seen_signatures').where('recipe_id', '=', recipeId).execute();
    });
  }

  async putWebhookSubscription(input: {
    recipeId: string;
    data: unknown;
    secret: string;
  }): Promise<WebhookSubscription> {
    const at = now();
    const data = toJson(input.data);
    await this.db
      .insertInto('webhook_subscriptions')
      .values({ recipe_id: input.recipeId, data, secret: input.secret, created_at: at, updated_at: at })
      .onConflict((oc) => oc.column('recipe_id').doUpdateSet({ data, secret: input.secret, updated_at: at }))
      .execute();
    return (await this.getWebhookSubscription(input.recipeId))!;
  }

  async getWebhookSubscription(recipeId: string): Promise<WebhookSubscription | undefined> {
    const row = await this.db
      .selectFrom('webhook_subscriptions')
      .selectAll()
      .where('recipe_id', '=', recipeId)
      .executeTakeFirst();
    return row && toSubscription(row);
  }

  async deleteWebhookSubscription(recipeId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('webhook_subscriptions')
      .where('recipe_id', '=', recipeId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  // ------------------------------------------------------------------------------------- job engine

  async unfinishedJobs(): Promise<UnfinishedJob[]> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['id', 'recipe_id', 'status', 'run_at'])
      .where('status', 'in', UNFINISHED)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, recipeId: r.recipe_id, status: r.status, runAt: r.run_at }));
  }

  async startJobs(ids: readonly string[], at: string): Promise<JobStart[]> {
    if (ids.length === 0) return [];
    return this.db.transaction().execute(async (trx): Promise<JobStart[]> => {
      const rows = new Map<string, Selectable<JobTable>>();
      for (const part of chunks([...new Set(ids)], IN_CHUNK)) {
        for (const row of await trx.selectFrom('jobs').selectAll().where('id', 'in', part).execute()) {
          rows.set(row.id, row);
        }
      }
      const results = new Map<string, JobStart>();
      const due: Selectable<JobTable>[] = [];
      for (const row of rows.values()) {
        if (!UNFINISHED.includes(row.status)) continue;
        if (row.status !== 'running' && row.run_at !== null && row.run_at > at) {
          results.set(row.id, { kind: 'notDue', runAt: row.run_at });
        } else due.push(row);
      }
      // Suspended and running jobs are marked in one statement; pending ones are left to the
      // caller's first write. A suspended job goes on with the same attempt; a job found
      // `running` was cut short by a crash and starts a new one.
      for (const part of chunks(
        due.filter((r) => r.status !== 'pending').map((r) => r.id),
        IN_CHUNK,
      )) {
        await trx
          .updateTable('jobs')
          .set((eb) => ({
            status: 'running',
            attempts: eb
              .case()
              .when('status', '=', 'suspended')
              .then(eb.ref('attempts'))
              .else(eb('attempts', '+', 1))
              .end(),
            started_at: eb.fn.coalesce('started_at', eb.val(at)),
            run_at: null,
            updated_at: at,
          }))
          .where('id', 'in', part)
          .execute();
      }
      // Jobs never started have no steps and no wait: those reads are only for the others.
      const others = due.filter((r) => !(r.status === 'pending' && r.attempts === 0)).map((r) => r.id);
      const steps = new Map<string, RunStepRecord[]>();
      const waits = new Map<string, JobWait>();
      for (const part of chunks(others, IN_CHUNK)) {
        const stepRows = await trx
          .selectFrom('job_steps')
          .selectAll()
          .where('job_id', 'in', part)
          .orderBy('job_id')
          .orderBy('seq')
          .execute();
        for (const row of stepRows) {
          const list = steps.get(row.job_id);
          if (list) list.push(toRunStep(row));
          else steps.set(row.job_id, [toRunStep(row)]);
        }
        for (const row of await trx.selectFrom('job_waits').selectAll().where('job_id', 'in', part).execute()) {
          waits.set(row.job_id, toWait(row));
        }
      }
      for (const row of due) {
        const started = {
          ...row,
          status: 'running' as const,
          attempts: row.status === 'suspended' ? row.attempts : row.attempts + 1,
          started_at: row.started_at ?? at,
          run_at: null,
          updated_at: at,
        };
        results.set(row.id, {
          kind: 'started',
          job: toJob(started),
          resumed: row.status === 'suspended',
          unwritten: row.status === 'pending',
          steps: steps.get(row.id) ?? [],
          wait: waits.get(row.id) ?? null,
        });
      }
      return ids.map((id) => results.get(id) ?? { kind: 'gone' });
    });
  }

  async saveJobProgress(writes: readonly JobProgress[]): Promise<void> {
    if (writes.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const at = now();
      const stepRows: Selectable<JobStepTable>[] = [];
      // Jobs that end the same way in the same instant share one UPDATE.
      const patches = new Map<string, { set: Partial<Record<keyof JobTable, unknown>>; ids: string[] }>();
      for (const write of writes) {
        if (write.patch) {
          const set = jobSet(write.patch, at);
          const key = JSON.stringify(set);
          const group = patches.get(key);
          if (group) group.ids.push(write.jobId);
          else patches.set(key, { set, ids: [write.jobId] });
        }
        for (const step of write.steps ?? []) stepRows.push(toStepRow(step));
        if (write.wait === null) {
          await trx.deleteFrom('job_waits').where('job_id', '=', write.jobId).execute();
        } else if (write.wait) {
          const { seq, tokenHash } = write.wait;
          await trx
            .insertInto('job_waits')
            .values({ job_id: write.jobId, seq, token_hash: tokenHash, resume: null, created_at: at })
            .onConflict((oc) =>
              oc.column('job_id').doUpdateSet({ seq, token_hash: tokenHash, resume: null, created_at: at }),
            )
            .execute();
        }
      }
      for (const { set, ids } of patches.values()) {
        for (const part of chunks(ids, IN_CHUNK)) {
          await trx
            .updateTable('jobs')
            .set(set as any)
            .where('id', 'in', part)
            .execute();
        }
      }
      for (const part of chunks(stepRows, INSERT_CHUNK)) {
        await trx
          .insertInto('job_steps')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['job_id', 'seq']).doUpdateSet((eb) => ({
              step_id: eb.ref('excluded.step_id'),
              status: eb.ref('excluded.status'),
              input: eb.ref('excluded.input'),
              output: eb.ref('excluded.output'),
              error: eb.ref('excluded.error'),
              state: eb.ref('excluded.state'),
              attempts: eb.ref('excluded.attempts'),
              started_at: eb.ref('excluded.started_at'),
              finished_at: eb.ref('excluded.finished_at'),
              full_output: eb.ref('excluded.full_output'),
            })),
          )
          .execute();
      }
    });
  }

  async resumeJob(input: { jobId: string; tokenHash: string; resume: ResumeCall }): Promise<JobRecord | undefined> {
    const resume = toJson(input.resume);
    return this.db.transaction().execute(async (trx) => {
      const wait = await trx.selectFrom('job_waits').selectAll().where('job_id', '=', input.jobId).executeTakeFirst();
      if (!wait || wait.token_hash !== input.tokenHash || wait.resume !== null) return undefined;
      const row = await trx.selectFrom('jobs').selectAll().where('id', '=', input.jobId).executeTakeFirst();
      if (row?.status !== 'suspended') return undefined;
      const at = now();
      await trx.updateTable('job_waits').set({ resume }).where('job_id', '=', input.jobId).execute();
      await trx.updateTable('jobs').set({ run_at: at, updated_at: at }).where('id', '=', input.jobId).execute();
      return toJob({ ...row, run_at: at, updated_at: at });
    });
  }

  async deleteFinishedJobs(input: { before: string; limit: number }): Promise<number> {
    const limit = checkLimit(input.limit);
    return this.db.transaction().execute(async (trx) => {
      // Ids sort by creation time, so the (status, id) index finds the candidates: jobs created
      // before the cut-off, and finished before it too.
      const createdBefore = firstIdAt('job', Date.parse(input.before));
      const rows = await trx
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', FINISHED)
        .where('id', '<', createdBefore)
        .where('finished_at', '<', input.before)
        .orderBy('id')
        .limit(limit)
        .execute();
      if (rows.length === 0) return 0;
      const ids = rows.map((r) => r.id);
      await trx.deleteFrom('job_steps').where('job_id', 'in', ids).execute();
      await trx.deleteFrom('job_waits').where('job_id', 'in', ids).execute();
      await trx.deleteFrom('jobs').where('id', 'in', ids).execute();
      return ids.length;
    });
  }

  async recordPollError(recipeId: string, error: PollError): Promise<void> {
    const at = now();
    const text = toJson({ code: error.code, message: error.message, at: error.at });
    await this.db
      .insertInto('trigger_state')
      .values({ recipe_id: recipeId, closure: null, empty_polls: 0, updated_at: at, last_poll_error: text })
      .onConflict((oc) => oc.column('recipe_id').doUpdateSet({ last_poll_error: text, updated_at: at }))
      .execute();
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}

const UNFINISHED: JobRecord['status'][] = ['pending', 'running', 'suspended'];
const FINISHED: JobRecord['status'][] = ['succeeded', 'failed', 'stopped'];

function jobSet(patch: JobPatch, at: string): Partial<Record<keyof JobTable, unknown>> {
  const set: Partial<Record<keyof JobTable, unknown>> = { updated_at: at };
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.error !== undefined) set.error = patch.error === null ? null : toJson(patch.error);
  if (patch.attempts !== undefined) set.attempts = patch.attempts;
  if (patch.runAt !== undefined) set.run_at = patch.runAt;
  if (patch.startedAt !== undefined) set.started_at = patch.startedAt;
  if (patch.finishedAt !== undefined) set.finished_at = patch.finishedAt;
  return set;
}

function toStepRow(step: RunStepRecord): Selectable<JobStepTable> {
  return {
    job_id: step.jobId,
    seq: step.seq,
    step_id: step.stepId,
    status: step.status,
    input: step.input === undefined ? null : toJson(step.input),
    output: step.output === undefined ? null : toJson(step.output),
    error: step.error ? toJson(step.error) : null,
    state: step.state === undefined ? null : toJson(step.state),
    attempts: step.attempts,
    started_at: step.startedAt,
    finished_at: step.finishedAt,
    full_output: step.fullOutput === undefined ? null : toJson(step.fullOutput),
  };
}

function toRunStep(row: Selectable<JobStepTable>): RunStepRecord {
  const step: RunStepRecord = toStep(row);
  if (row.full_output !== null && row.full_output !== undefined) step.fullOutput = fromJson(row.full_output);
  return step;
}

function toWait(row: Selectable<Database['job_waits']>): JobWait {
  return {
    jobId: row.job_id,
    seq: row.seq,
    tokenHash: row.token_hash,
    resume: fromJson(row.resume) as ResumeCall | null,
    createdAt: row.created_at,
  };
}

function toVersion(row: {
  name: string;
  version: number;
  checksum: string;
  origin: string;
  created_at: string;
}): ConnectorVersion {
  return {
    name: row.name,
    version: row.version,
    checksum: row.checksum,
    origin: row.origin,
    createdAt: row.created_at,
  };
}

/** The row of a new job for one trigger event. */
function pendingJobRow(input: NewEvents, event: unknown, at: string): Selectable<JobTable> {
  return {
    id: newId('job'),
    recipe_id: input.recipeId,
    status: 'pending',
    trigger: toJson(event),
    error: null,
    attempts: 0,
    run_at: null,
    rerun_of: input.rerunOf ?? null,
    created_at: at,
    updated_at: at,
    started_at: null,
    finished_at: null,
  };
}

/** The shared part of `createJobs` and `commitPoll`: dedup, record signatures, insert jobs. */
async function insertEvents(trx: Transaction<Database>, input: NewEvents): Promise<EventsCommitted> {
  const recipe = await trx.selectFrom('recipes').select('id').where('id', '=', input.recipeId).executeTakeFirst();
  if (!recipe) throw new StoreError('NOT_FOUND', `No recipe with id "${input.recipeId}"`);
  const signatures = input.signatures ?? [];
  const given = [...new Set(signatures.filter((s): s is string => typeof s === 'string'))];
  const seen = new Set<string>();
  for (const part of chunks(given, IN_CHUNK)) {
    const rows = await trx
      .selectFrom('seen_signatures')
      .select('signature')
      .where('recipe_id', '=', input.recipeId)
      .where('signature', 'in', part)
      .execute();
    for (const row of rows) seen.add(row.signature);
  }
  const at = now();
  const jobs: Selectable<JobTable>[] = [];
  const newSignatures: string[] = [];
  let duplicates = 0;
  input.events.forEach((event, i) => {
    const signature = signatures[i];
    if (typeof signature === 'string') {
      if (seen.has(signature)) {
        duplicates++;
        return;
      }
      seen.add(signature);
      newSignatures.push(signature);
    }
    jobs.push(pendingJobRow(input, event, at));
  });
  for (const part of chunks(newSignatures, INSERT_CHUNK)) {
    await trx
      .insertInto('seen_signatures')
      .values(part.map((signature) => ({ recipe_id: input.recipeId, signature, created_at: at })))
      .execute();
  }
  for (const part of chunks(jobs, INSERT_CHUNK)) {
    await trx.insertInto('jobs').values(part).execute();
  }
  return { jobs: jobs.map(toJob), duplicates };
}

/**
 * `insertEvents` for many inputs at once (group commit): one lookup of the recipes, one of the
 * seen signatures per recipe, and multi-row inserts for all the inputs together.
 */
async function insertEventsMany(
  trx: Transaction<Database>,
  inputs: readonly NewEvents[],
  compiled: Map<number, CompiledQuery>,
): Promise<EventsCommitted[]> {
  const recipeIds = [...new Set(inputs.map((i) => i.recipeId))];
  const found = new Set<string>();
  for (const part of chunks(recipeIds, IN_CHUNK)) {
    const rows = await trx.selectFrom('recipes').select('id').where('id', 'in', part).execute();
    for (const row of rows) found.add(row.id);
  }
  const missing = recipeIds.find((id) => !found.has(id));
  if (missing !== undefined) throw new StoreError('NOT_FOUND', `No recipe with id "${missing}"`);

  // Signatures given per recipe, then the ones already seen, one query per recipe (and chunk).
  const given = new Map<string, Set<string>>();
  for (const input of inputs) {
    for (const signature of input.signatures ?? []) {
      if (typeof signature !== 'string') continue;
      let set = given.get(input.recipeId);
      if (!set) {
        set = new Set();
        given.set(input.recipeId, set);
      }
      set.add(signature);
    }
  }
  const seen = new Map<string, Set<string>>();
  for (const [recipeId, signatures] of given) {
    const set = new Set<string>();
    for (const part of chunks([...signatures], IN_CHUNK)) {
      const rows = await trx
        .selectFrom('seen_signatures')
        .select('signature')
        .where('recipe_id', '=', recipeId)
        .where('signature', 'in', part)
        .execute();
      for (const row of rows) set.add(row.signature);
    }
    seen.set(recipeId, set);
  }

  const at = now();
  const jobs: Selectable<JobTable>[] = [];
  const newSignatures: { recipe_id: string; signature: string; created_at: string }[] = [];
  const results: EventsCommitted[] = [];
  for (const input of inputs) {
    const signatures = input.signatures ?? [];
    const seenHere = seen.get(input.recipeId);
    const created: Selectable<JobTable>[] = [];
    let duplicates = 0;
    input.events.forEach((event, i) => {
      const signature = signatures[i];
      if (typeof signature === 'string' && seenHere) {
        if (seenHere.has(signature)) {
          duplicates++;
          return;
        }
        seenHere.add(signature);
        newSignatures.push({ recipe_id: input.recipeId, signature, created_at: at });
      }
      created.push(pendingJobRow(input, event, at));
    });
    jobs.push(...created);
    results.push({ jobs: created.map(toJob), duplicates });
  }
  for (const part of chunks(newSignatures, INSERT_CHUNK)) {
    await trx.insertInto('seen_signatures').values(part).execute();
  }
  for (const part of chunks(jobs, INSERT_CHUNK)) await insertJobRows(trx, part, compiled);
  return results;
}

const JOB_COLUMNS = [
  'id',
  'recipe_id',
  'status',
  'trigger',
  'error',
  'attempts',
  'run_at',
  'rerun_of',
  'created_at',
  'updated_at',
  'started_at',
  'finished_at',
] as const satisfies readonly (keyof JobTable)[];

/** Compiled multi-row job INSERTs by row count, per database (the dialect writes the SQL). */
const jobInserts = new WeakMap<object, Map<number, CompiledQuery>>();

function compiledJobInserts(db: Kysely<Database>): Map<number, CompiledQuery> {
  let compiled = jobInserts.get(db);
  if (!compiled) {
    compiled = new Map();
    jobInserts.set(db, compiled);
  }
  return compiled;
}

/**
 * Inserts job rows with an INSERT compiled once per row count: building and compiling a query
 * of a few hundred values costs more than running it, on the webhook path's every commit.
 */
async function insertJobRows(
  trx: Transaction<Database>,
  rows: readonly Selectable<JobTable>[],
  compiled: Map<number, CompiledQuery>,
): Promise<void> {
  let query = compiled.get(rows.length);
  if (!query) {
    query = trx
      .insertInto('jobs')
      .values(rows.map((row) => Object.fromEntries(JOB_COLUMNS.map((c) => [c, row[c]])) as Selectable<JobTable>))
      .compile();
    compiled.set(rows.length, query);
  }
  const parameters: unknown[] = [];
  for (const row of rows) for (const column of JOB_COLUMNS) parameters.push(row[column]);
  await trx.executeQuery({ ...query, parameters });
}
