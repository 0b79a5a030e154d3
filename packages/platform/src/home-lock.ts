/**
 * One server per `$WEFT_HOME`. Two servers on one store would each take the other's running
 * jobs for ones a crash interrupted and run their steps again.
 *
 * The lock is an exclusive SQLite lock on `$WEFT_HOME/serve.lock`: SQLite takes it with an
 * fcntl lock, which the operating system drops when the process ends however it ends (kill -9
 * included), so a stale lock cannot outlive its holder and no pid can be mistaken for another.
 * Who holds it (pid, URL) is written to `serve.json` for the message the next server shows.
 */
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf, WeftError } from '@weft/sdk';
import SQLite from 'better-sqlite3';

export interface HomeLock {
  /** Records where the holder listens (for the message of a server refused later). */
  listening(url: string): void;
  release(): void;
}

interface Holder {
  pid?: number;
  url?: string;
}

function readHolder(file: string): Holder {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return holder && typeof holder === 'object' ? holder : {};
  } catch {
    return {};
  }
}

/** Another server holds the home: `code` is `HOME_IN_USE`. */
export class HomeInUseError extends Error {
  readonly code = 'HOME_IN_USE';
  constructor(
    message: string,
    /** The other server, as far as it is known. */
    readonly holder: { pid?: number; url?: string },
  ) {
    super(message);
    this.name = 'HomeInUseError';
  }
}

function inUse(home: string, holder: Holder): HomeInUseError {
  const who = [
    typeof holder.pid === 'number' ? `pid ${holder.pid}` : undefined,
    typeof holder.url === 'string' ? `at ${holder.url}` : undefined,
  ].filter(Boolean);
  return new HomeInUseError(
    `Another weft serve${who.length ? ` (${who.join(', ')})` : ''} is running on ${home}: ` +
      'stop it first, or give this one another data directory (WEFT_HOME)',
    holder,
  );
}

/** Takes the home's lock, or throws `HOME_IN_USE` naming the server that holds it. */
export function lockHome(home: string): HomeLock {
  const lockFile = join(home, 'serve.lock');
  const holderFile = join(home, 'serve.json');
  let db: SQLite.Database;
  try {
    db = new SQLite(lockFile, { timeout: 0 });
    chmodSync(lockFile, 0o600);
  } catch (error) {
    throw new WeftError('SETTINGS_INVALID', `Cannot open ${lockFile}: ${messageOf(error)}`);
  }
  try {
    // EXCLUSIVE locking mode keeps the lock of the first write until the connection closes.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY, pid INTEGER)');
    db.prepare('INSERT OR REPLACE INTO holder (id, pid) VALUES (1, ?)').run(process.pid);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw inUse(home, readHolder(holderFile));
    throw new WeftError('SETTINGS_INVALID', `Cannot lock ${lockFile}: ${messageOf(error)}`);
  }
  const holder: Holder = { pid: process.pid };
  const write = () => writeFileSync(holderFile, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
  write();
  let held = true;
  return {
    listening(url) {
      holder.url = url;
      write();
    },
    release() {
      if (!held) return;
      held = false;
      // The holder file goes first: once the lock is free, the next server writes its own.
      rmSync(holderFile, { force: true });
      db.close();
    },
  };
}
