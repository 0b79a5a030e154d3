/**
 * Changes other processes must follow, sent over the bus (`CHANNELS.changes`) as JSON
 * `{ from, kind, id }`: the process that made the change did its side effects (subscribed a
 * webhook, stored a version); the others only update what they hold in memory (follower.ts).
 * A message is a wake-up, never the truth: receivers read the store. Receivers ignore their own.
 */
import { messageOf } from '@weft/sdk';
import type { Log } from '../log.js';
import { CHANNELS, type ClusterBus } from './bus.js';

export const CHANGE_KINDS = [
  'recipe.started',
  'recipe.stopped',
  'recipe.changed',
  'recipe.deleted',
  // A recipe's webhook subscription was refreshed (by the leader): read it again.
  'recipe.refreshed',
  'connector.pushed',
  'connection.changed',
  'connection.deleted',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface Change {
  /** The node that made the change. */
  from: string;
  kind: ChangeKind;
  /** The recipe's id, the connector's or the connection's name. */
  id: string;
}

/** A change from its payload; undefined for anything else. */
export function parseChange(payload: string): Change | undefined {
  try {
    const value = JSON.parse(payload) as Partial<Change> | null;
    if (
      typeof value?.from === 'string' &&
      typeof value.id === 'string' &&
      (CHANGE_KINDS as readonly string[]).includes(value.kind ?? '')
    ) {
      return { from: value.from, kind: value.kind as ChangeKind, id: value.id };
    }
  } catch {
    // Not JSON: not a change.
  }
  return undefined;
}

/** Sends this process's changes and hears the others'. */
export class Changes {
  constructor(
    private readonly bus: ClusterBus,
    private readonly log: Log,
  ) {}

  /** True when other processes may follow (PostgreSQL). */
  get shared(): boolean {
    return this.bus.shared;
  }

  /**
   * Tells the other processes (after the change is committed). A failure is logged, not thrown:
   * the change is made, and the others catch up when their bus resyncs.
   */
  async publish(kind: ChangeKind, id: string): Promise<void> {
    if (!this.bus.shared) return;
    const change: Change = { from: this.bus.nodeId, kind, id };
    try {
      await this.bus.publish(CHANNELS.changes, JSON.stringify(change));
    } catch (error) {
      this.log('warn', `The other processes could not be told of a change (${kind} ${id})`, {
        error: messageOf(error),
      });
    }
  }

  /** Calls `listener` with each change another process made. */
  onChange(listener: (change: Change) => void): void {
    this.bus.subscribe(CHANNELS.changes, (payload) => {
      const change = parseChange(payload);
      if (change && change.from !== this.bus.nodeId) listener(change);
    });
  }

  /** Calls `listener` when changes may have been missed (the bus reconnected). */
  onResync(listener: () => void): void {
    this.bus.onResync(listener);
  }
}
