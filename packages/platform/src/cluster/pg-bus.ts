/**
 * The cluster bus on PostgreSQL: one dedicated connection per process runs `LISTEN` on every
 * channel; `publish` is `pg_notify` on the pool. A lost connection is reopened with back-off
 * (0.2 s doubling to 5 s, with jitter), then `onResync` listeners run.
 */
import pg from 'pg';
import { CHANNELS, type Channel, type ClusterBus, newNodeId } from './bus.js';

const MAX_PAYLOAD = 7000;
const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5000;

export class PgBus implements ClusterBus {
  readonly shared = true;
  private client: pg.Client | undefined;
  private readonly listeners = new Map<string, ((payload: string) => void)[]>();
  private readonly resync: (() => void)[] = [];
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private delay = FIRST_DELAY_MS;

  private constructor(
    private readonly url: string,
    private readonly pool: pg.Pool,
    readonly nodeId: string,
  ) {}

  /** Connects and listens before it resolves: nothing sent after this is missed. */
  static async open(url: string, pool: pg.Pool, nodeId = newNodeId()): Promise<PgBus> {
    const bus = new PgBus(url, pool, nodeId);
    await bus.connect();
    return bus;
  }

  async publish(channel: Channel, payload: string): Promise<void> {
    if (Buffer.byteLength(payload) > MAX_PAYLOAD)
      throw new RangeError(`A bus message is limited to ${MAX_PAYLOAD} bytes`);
    await this.pool.query('select pg_notify($1, $2)', [channel, payload]);
  }

  subscribe(channel: Channel, listener: (payload: string) => void): void {
    const list = this.listeners.get(channel);
    if (list) list.push(listener);
    else this.listeners.set(channel, [listener]);
  }

  onResync(listener: () => void): void {
    this.resync.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      for (const listener of this.listeners.get(message.channel) ?? []) {
        try {
          listener(message.payload ?? '');
        } catch {
          // A listener's failure is its own; the others still hear the message.
        }
      }
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    await client.connect();
    for (const channel of Object.values(CHANNELS)) await client.query(`listen ${channel}`);
    this.client = client;
    this.delay = FIRST_DELAY_MS;
  }

  private lost(client: pg.Client): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed) return;
    const wait = this.delay * (0.5 + Math.random());
    this.delay = Math.min(MAX_DELAY_MS, this.delay * 2);
    this.retry = setTimeout(() => {
      this.connect().then(
        () => {
          for (const listener of this.resync) listener();
        },
        () => this.reconnect(),
      );
    }, wait);
    this.retry.unref();
  }
}
