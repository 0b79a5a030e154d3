/**
 * The leader lease on PostgreSQL: one row of `cluster_leases` (`name`, `holder`, `until` in
 * milliseconds of the database's clock). Each process with the scheduler role tries to take or
 * renew it every heartbeat; it is taken when free, expired or already this process's. A holder
 * that cannot renew steps down one heartbeat before its lease ends (a local timer, so a hung
 * database cannot keep it leading), and another process takes over at most one lease plus one
 * heartbeat after the last renewal. Closing releases it at once.
 */
import { messageOf } from '@weft/sdk';
import { type Kysely, sql } from 'kysely';
import type { Log } from '../log.js';
import type { Database } from '../store/schema.js';
import type { Leadership } from './leadership.js';

/** The lease of the scheduler, the subscription refresher and the retention sweep. */
export const SCHEDULER_LEASE = 'scheduler';

export interface LeaseOptions {
  name: string;
  /** This process (its bus node id). */
  holder: string;
  leaseMs: number;
  heartbeatMs: number;
  log: Log;
}

const NOW_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class LeaderLease implements Leadership {
  private held = false;
  private readonly listeners: ((leading: boolean) => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: LeaseOptions,
  ) {}

  get leading(): boolean {
    return this.held;
  }

  onChange(listener: (leading: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Tries once now, then every heartbeat. */
  async open(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
    this.timer.unref();
  }

  /** One attempt to take or renew the lease (one at a time). */
  beat(): Promise<void> {
    this.beating ??= this.attempt().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  private async attempt(): Promise<void> {
    const { name, holder, leaseMs, heartbeatMs } = this.options;
    const started = Date.now();
    let taken: boolean;
    try {
      const result = await sql<{ holder: string }>`
        insert into cluster_leases as l (name, holder, until) values (${name}, ${holder}, ${NOW_MS} + ${leaseMs})
        on conflict (name) do update set holder = excluded.holder, until = excluded.until
        where l.holder = excluded.holder or l.until < ${NOW_MS}
        returning l.holder`.execute(this.db);
      taken = result.rows.length === 1;
    } catch (error) {
      // Still leading until the deadline timer says otherwise.
      if (this.held) this.options.log('warn', `The ${name} lease could not be renewed`, { error: messageOf(error) });
      return;
    }
    if (this.closed) return;
    if (!taken) return this.set(false);
    // Step down one heartbeat before the lease ends, unless renewed meanwhile.
    clearTimeout(this.deadline);
    this.deadline = setTimeout(
      () => {
        this.options.log('warn', `The ${name} lease was not renewed in time: stepping down`);
        this.set(false);
      },
      Math.max(0, started + leaseMs - heartbeatMs - Date.now()),
    );
    this.deadline.unref();
    this.set(true);
  }

  private set(leading: boolean): void {
    if (!leading) clearTimeout(this.deadline);
    if (leading === this.held) return;
    this.held = leading;
    this.options.log(
      'info',
      leading ? `This process leads (${this.options.name} lease)` : 'This process no longer leads',
      {
        holder: this.options.holder,
      },
    );
    for (const listener of this.listeners) listener(leading);
  }

  /** Stops renewing, steps down and releases the lease (another process takes it at its next beat). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.beating;
    const was = this.held;
    this.set(false);
    if (was) {
      await sql`delete from cluster_leases where name = ${this.options.name} and holder = ${this.options.holder}`
        .execute(this.db)
        .catch(() => {});
    }
  }
}
