/**
 * The cluster bus: short messages between the Weft processes that share one database, and the
 * database's own wake-ups. On PostgreSQL it is `LISTEN/NOTIFY` (pg-bus.ts); the embedded store
 * has one process, so its bus (`LocalBus`) delivers nothing and costs nothing.
 *
 * Delivery is at most once: a process that loses its connection to the database misses what
 * was sent meanwhile, and is told so (`onResync`) when it is back, to read the state it follows
 * afresh. Nothing may depend on a message alone: it is a wake-up, the database is the truth.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** The channels Weft uses (a PostgreSQL identifier each). */
export const CHANNELS = {
  /** A job became ready (sent by the database itself, from a trigger on `jobs`): claim. */
  jobs: 'weft_jobs',
  /** A change another process must follow: a recipe started or stopped, a connector pushed… */
  changes: 'weft_changes',
} as const;

export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

export interface ClusterBus {
  /** This process in the cluster: host name, pid and a random part (unique across restarts). */
  readonly nodeId: string;
  /** True when other processes may share the database (PostgreSQL). */
  readonly shared: boolean;
  /** Sends `payload` (at most 7,000 bytes) to every process listening, this one included. */
  publish(channel: Channel, payload: string): Promise<void>;
  /** Calls `listener` with each payload sent on `channel`. */
  subscribe(channel: Channel, listener: (payload: string) => void): void;
  /** Calls `listener` when the bus is back after a loss (messages may have been missed). */
  onResync(listener: () => void): void;
  close(): Promise<void>;
}

/** A process's id in the cluster. */
export function newNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** The bus of one process alone (the embedded store): nothing to tell anyone. */
export class LocalBus implements ClusterBus {
  readonly shared = false;
  constructor(readonly nodeId: string = newNodeId()) {}
  async publish(): Promise<void> {}
  subscribe(): void {}
  onResync(): void {}
  async close(): Promise<void> {}
}
