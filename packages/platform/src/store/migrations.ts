/**
 * Migrations, in order. Each is written once and never edited: add a new one instead.
 *
 * They are written for both dialects: SQLite gets exactly the DDL it always had; PostgreSQL
 * gets the same tables column for column, with `serial` for the one generated key and text
 * compared byte by byte (`COLLATE "C"`), so keys sort as they do in SQLite whatever the
 * database's locale (the cursors of pages rely on it).
 */
import { type Kysely, type Migration, sql } from 'kysely';

export type SqlDialect = 'sqlite' | 'postgres';

export function migrationsFor(dialect: SqlDialect): Record<string, Migration> {
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  return {
    '0001_connector_versions': {
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('connector_versions')
          .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
            dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('version', 'integer', (c) => c.notNull())
          .addColumn('checksum', text, (c) => c.notNull())
          .addColumn('source', text, (c) => c.notNull())
          .addColumn('origin', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addUniqueConstraint('connector_versions_name_version', ['name', 'version'])
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('connector_versions').execute();
      },
    },
    '0002_runtime': {
      // Plain types only (text, integer) and ISO-8601 text times, so the PostgreSQL migration
      // mirrors this one column for column and the queries stay shared.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('connections')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('connector', text, (c) => c.notNull())
          .addColumn('values_encrypted', text, (c) => c.notNull())
          .addColumn('key_id', text, (c) => c.notNull())
          .addColumn('nonce', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('connections_key_id').on('connections').column('key_id').execute();

        await db.schema
          .createTable('recipes')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('name', text, (c) => c.notNull())
          .addColumn('definition', text, (c) => c.notNull())
          .addColumn('status', text, (c) => c.notNull().defaultTo('stopped'))
          .addColumn('connector_versions', text, (c) => c.notNull())
          .addColumn('webhook_secret', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('recipes_status').on('recipes').column('status').execute();

        await db.schema
          .createTable('jobs')
          .addColumn('id', text, (c) => c.primaryKey())
          .addColumn('recipe_id', text, (c) => c.notNull().references('recipes.id').onDelete('cascade'))
          .addColumn('status', text, (c) => c.notNull())
          .addColumn('trigger', text, (c) => c.notNull())
          .addColumn('error', text)
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('run_at', text)
          .addColumn('rerun_of', text)
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .addColumn('started_at', text)
          .addColumn('finished_at', text)
          .execute();
        await db.schema.createIndex('jobs_recipe_id').on('jobs').columns(['recipe_id', 'id']).execute();
        await db.schema.createIndex('jobs_status').on('jobs').columns(['status', 'id']).execute();

        await db.schema
          .createTable('job_steps')
          .addColumn('job_id', text, (c) => c.notNull().references('jobs.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('step_id', text, (c) => c.notNull())
          .addColumn('status', text, (c) => c.notNull())
          .addColumn('input', text)
          .addColumn('output', text)
          .addColumn('error', text)
          .addColumn('state', text)
          .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('started_at', text)
          .addColumn('finished_at', text)
          .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'seq'])
          .execute();

        await db.schema
          .createTable('trigger_state')
          .addColumn('recipe_id', text, (c) => c.primaryKey().references('recipes.id').onDelete('cascade'))
          .addColumn('closure', text)
          .addColumn('empty_polls', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('updated_at', text, (c) => c.notNull())
          .execute();

        await db.schema
          .createTable('seen_signatures')
          .addColumn('recipe_id', text, (c) => c.notNull().references('recipes.id').onDelete('cascade'))
          .addColumn('signature', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addPrimaryKeyConstraint('seen_signatures_pk', ['recipe_id', 'signature'])
          .execute();

        await db.schema
          .createTable('webhook_subscriptions')
          .addColumn('recipe_id', text, (c) => c.primaryKey().references('recipes.id').onDelete('cascade'))
          .addColumn('data', text, (c) => c.notNull())
          .addColumn('secret', text, (c) => c.notNull())
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .execute();
      },
      async down(db: Kysely<any>) {
        for (const table of [
          'webhook_subscriptions',
          'seen_signatures',
          'trigger_state',
          'job_steps',
          'jobs',
          'recipes',
          'connections',
        ]) {
          await db.schema.dropTable(table).execute();
        }
      },
    },
    '0003_job_engine': {
      // The job engine: full outputs of summarized steps (resume after a restart), the waits of
      // `waitForResume`, and the last poll error. (The retention sweep uses the (status, id)
      // index: ids sort by creation time.)
      async up(db: Kysely<any>) {
        await db.schema.alterTable('job_steps').addColumn('full_output', text).execute();
        await db.schema
          .createTable('job_waits')
          .addColumn('job_id', text, (c) => c.primaryKey().references('jobs.id').onDelete('cascade'))
          .addColumn('seq', 'integer', (c) => c.notNull())
          .addColumn('token_hash', text, (c) => c.notNull())
          .addColumn('resume', text)
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();
        await db.schema.alterTable('trigger_state').addColumn('last_poll_error', text).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('trigger_state').dropColumn('last_poll_error').execute();
        await db.schema.dropTable('job_waits').execute();
        await db.schema.alterTable('job_steps').dropColumn('full_output').execute();
      },
    },
    '0004_cluster_queue': {
      // The queue on PostgreSQL (jobs/pg-queue.ts): a running job's lease — who runs it and
      // until when (ISO, like the other times) — on both dialects, so `weft db copy` copies
      // the same columns. PostgreSQL also gets the claim's indexes and the trigger that wakes
      // the workers when a job becomes claimable (docs/architecture.md, "The queue on PostgreSQL").
      async up(db: Kysely<any>) {
        await db.schema.alterTable('jobs').addColumn('lease_owner', text).execute();
        await db.schema.alterTable('jobs').addColumn('lease_until', text).execute();
        if (dialect !== 'postgres') return;
        // Ready now, per recipe in order: the loose scan over recipes and each recipe's head.
        await sql`create index jobs_ready on jobs (recipe_id, id)
          where status in ('pending', 'suspended') and run_at is null`.execute(db);
        // Waiting for a time: the due ones, and the earliest for the timer.
        await sql`create index jobs_delayed on jobs (run_at, recipe_id, id)
          where status in ('pending', 'suspended') and run_at is not null`.execute(db);
        // Running: live leases per recipe (concurrency), expired ones (takeover).
        await sql`create index jobs_leased on jobs (recipe_id, lease_until)
          where status = 'running'`.execute(db);
        await sql`create function weft_jobs_inserted() returns trigger language plpgsql as $$
          begin
            if exists (select 1 from inserted where status in ('pending', 'suspended')) then
              perform pg_notify('weft_jobs', '');
            end if;
            return null;
          end $$`.execute(db);
        await sql`create function weft_jobs_ready() returns trigger language plpgsql as $$
          begin
            perform pg_notify('weft_jobs', '');
            return null;
          end $$`.execute(db);
        await sql`create trigger jobs_inserted after insert on jobs
          referencing new table as inserted for each statement execute function weft_jobs_inserted()`.execute(db);
        await sql`create trigger jobs_ready after update of status, run_at on jobs for each row
          when (new.status in ('pending', 'suspended')
            and (old.status is distinct from new.status or old.run_at is distinct from new.run_at))
          execute function weft_jobs_ready()`.execute(db);
      },
      async down(db: Kysely<any>) {
        if (dialect === 'postgres') {
          await sql`drop trigger jobs_ready on jobs`.execute(db);
          await sql`drop trigger jobs_inserted on jobs`.execute(db);
          await sql`drop function weft_jobs_ready()`.execute(db);
          await sql`drop function weft_jobs_inserted()`.execute(db);
          for (const index of ['jobs_ready', 'jobs_delayed', 'jobs_leased']) {
            await db.schema.dropIndex(index).execute();
          }
        }
        await db.schema.alterTable('jobs').dropColumn('lease_until').execute();
        await db.schema.alterTable('jobs').dropColumn('lease_owner').execute();
      },
    },
    '0005_cluster_coordination': {
      // The leader lease of a cluster, and the OAuth2 authorizations under way (so a callback
      // reaching any process finds its state). Times are milliseconds since the epoch.
      async up(db: Kysely<any>) {
        const millis = dialect === 'postgres' ? 'bigint' : 'integer';
        await db.schema
          .createTable('cluster_leases')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('holder', text, (c) => c.notNull())
          .addColumn('until', millis, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('oauth_states')
          .addColumn('state', text, (c) => c.primaryKey())
          .addColumn('connection', text, (c) => c.notNull())
          .addColumn('connector', text, (c) => c.notNull())
          .addColumn('redirect_uri', text, (c) => c.notNull())
          .addColumn('code_verifier', text)
          .addColumn('expires_at', millis, (c) => c.notNull())
          .addColumn('used', 'integer', (c) => c.notNull())
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('oauth_states').execute();
        await db.schema.dropTable('cluster_leases').execute();
      },
    },
    '0006_agents': {
      // On-premises agents (docs/auth/on-prem.md): each with its group and the SHA-256 of its
      // key (never the key), and what the console shows of it. `connected_at` is set while a
      // session is open on some process and `last_seen` moves with its heartbeats, so every
      // process of a cluster can tell whether an agent is online.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('agents')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('agent_group', text, (c) => c.notNull())
          .addColumn('key_hash', text, (c) => c.notNull().unique())
          .addColumn('version', text)
          .addColumn('requests_served', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('last_error', text)
          .addColumn('last_seen', text)
          .addColumn('connected_at', text)
          .addColumn('created_at', text, (c) => c.notNull())
          .addColumn('updated_at', text, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('agents_group').on('agents').columns(['agent_group', 'name']).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('agents').execute();
      },
    },
    '0007_connection_agent_group': {
      // A connection of a `secureTunnel` connector may name an agent group: its HTTP then goes
      // through an agent of that group (docs/auth/on-prem.md). Null: requests go out directly.
      async up(db: Kysely<any>) {
        await db.schema.alterTable('connections').addColumn('agent_group', text).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('connections').dropColumn('agent_group').execute();
      },
    },
    '0008_agent_presence': {
      // Which process of a cluster holds sessions of which agent group, and at what internal URL
      // its peers reach it (docs/auth/on-prem.md, "In a cluster"): a process without an agent of
      // a group relays the group's requests there. A row lives while its process renews it.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('agent_presence')
          .addColumn('node_id', text, (c) => c.notNull())
          .addColumn('agent_group', text, (c) => c.notNull())
          .addColumn('url', text, (c) => c.notNull())
          .addColumn('expires_at', dialect === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
          .addPrimaryKeyConstraint('agent_presence_pk', ['node_id', 'agent_group'])
          .execute();
        await db.schema.createIndex('agent_presence_group').on('agent_presence').columns(['agent_group']).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('agent_presence').execute();
      },
    },
    '0009_mcp_tokens': {
      // Scoped tokens for the runtime's MCP endpoint (docs/api.md, MCP): each lists the
      // connections whose actions it may list and call, and holds the SHA-256 of the token.
      async up(db: Kysely<any>) {
        await db.schema
          .createTable('mcp_tokens')
          .addColumn('name', text, (c) => c.primaryKey())
          .addColumn('connections', text, (c) => c.notNull())
          .addColumn('token_hash', text, (c) => c.notNull().unique())
          .addColumn('created_at', text, (c) => c.notNull())
          .execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.dropTable('mcp_tokens').execute();
      },
    },
    '0010_job_step_logs': {
      // A step's `ctx.log` lines, redacted and bounded (docs/jobs.md, "Step logs"): JSON, null
      // when it logged nothing.
      async up(db: Kysely<any>) {
        await db.schema.alterTable('job_steps').addColumn('logs', text).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('job_steps').dropColumn('logs').execute();
      },
    },
    '0011_sealed_subscriptions': {
      // Webhook subscriptions sealed by the vault like connection values (docs/running.md,
      // "Encryption at rest"): with `key_id` and `nonce` set, `data` holds the sealed JSON
      // (base64 of ciphertext and tag); rows written before have both null and plain JSON.
      async up(db: Kysely<any>) {
        await db.schema.alterTable('webhook_subscriptions').addColumn('key_id', text).execute();
        await db.schema.alterTable('webhook_subscriptions').addColumn('nonce', text).execute();
      },
      async down(db: Kysely<any>) {
        await db.schema.alterTable('webhook_subscriptions').dropColumn('nonce').execute();
        await db.schema.alterTable('webhook_subscriptions').dropColumn('key_id').execute();
      },
    },
  };
}

/** The SQLite migrations (the embedded store). */
export const migrations = migrationsFor('sqlite');
