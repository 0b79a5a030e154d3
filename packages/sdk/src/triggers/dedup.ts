/**
 * Deduplication (SPEC §6): `dedup(event)` gives each event a signature; an event whose signature
 * was seen before — in the store, or earlier in the same batch — is not new. Polls and webhooks
 * share this, so a hybrid trigger's event counts once whichever way it arrives.
 */
import { messageOf, WeftError } from '../errors.js';
import type { TriggerDefinition } from '../types.js';
import type { SeenStore } from './seen.js';

export interface NewEvents {
  /** The new events, in the order they came. */
  events: unknown[];
  /** Their signatures (same order); empty when the trigger has no `dedup`. */
  signatures: string[];
  /** How many events were dropped as already seen (or repeated within the batch). */
  duplicates: number;
}

/** Signatures of events; a `dedup` that throws or returns no string is an error naming the trigger. */
export function signaturesOf<Event>(
  dedup: (event: Event) => unknown,
  events: readonly Event[],
  where: string,
): string[] {
  const raw = new Array<unknown>(events.length);
  for (let i = 0; i < events.length; i++) {
    try {
      raw[i] = dedup(events[i]);
    } catch (error) {
      throw new WeftError('LAMBDA_FAILED', `${where}.dedup failed on event ${i}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  return checkSignatures(raw, where);
}

/** What `dedup` returned for each event, checked: strings (finite numbers become strings). */
export function checkSignatures(raw: readonly unknown[], where: string): string[] {
  const out = new Array<string>(raw.length);
  for (let i = 0; i < raw.length; i++) {
    const signature = raw[i];
    if (typeof signature === 'string') out[i] = signature;
    else if (typeof signature === 'number' && Number.isFinite(signature)) out[i] = String(signature);
    else {
      throw new WeftError(
        'LAMBDA_FAILED',
        `${where}.dedup must return a string signature, got ${signature === null ? 'null' : typeof signature} for event ${i}`,
      );
    }
  }
  return out;
}

/**
 * Signs events with the trigger's `dedup`: called here, or — when `sign` is given (a host that
 * runs connector code elsewhere) — through it. Undefined when the trigger has no `dedup`.
 */
export type EventSigner = (events: readonly unknown[]) => Promise<unknown[]>;

/**
 * The events of a batch that are new: not in `store` (under `scope`) and not repeated earlier
 * in the batch. Without `dedup` every event is new. Nothing is recorded here.
 */
export async function selectNew(
  dedup: TriggerDefinition['dedup'],
  events: readonly unknown[],
  store: SeenStore,
  options: { scope?: string; where?: string; sign?: EventSigner } = {},
): Promise<NewEvents> {
  if (typeof dedup !== 'function' || events.length === 0) {
    return { events: [...events], signatures: [], duplicates: 0 };
  }
  const where = options.where ?? 'trigger';
  const all = options.sign ? checkSignatures(await options.sign(events), where) : signaturesOf(dedup, events, where);
  // First occurrence wins within the batch; the store is asked about each signature once.
  const firstAt = new Map<string, number>();
  for (let i = 0; i < all.length; i++) if (!firstAt.has(all[i])) firstAt.set(all[i], i);
  const unique = firstAt.size === all.length ? all : [...firstAt.keys()];
  const seen = await store.has(unique, options.scope);
  const fresh: unknown[] = [];
  const signatures: string[] = [];
  if (unique === all) {
    for (let i = 0; i < all.length; i++) {
      if (!seen[i]) {
        fresh.push(events[i]);
        signatures.push(all[i]);
      }
    }
  } else {
    const isNew = new Set<string>();
    for (let i = 0; i < unique.length; i++) if (!seen[i]) isNew.add(unique[i]);
    for (let i = 0; i < all.length; i++) {
      if (isNew.has(all[i]) && firstAt.get(all[i]) === i) {
        fresh.push(events[i]);
        signatures.push(all[i]);
      }
    }
  }
  return { events: fresh, signatures, duplicates: events.length - fresh.length };
}

/**
 * Events that arrived by webhook, deduplicated against the same store the trigger's polls use
 * (hybrid triggers) and recorded as seen. Returns the new ones.
 */
export async function acceptWebhookEvents(
  store: SeenStore,
  trigger: Pick<TriggerDefinition, 'dedup'>,
  events: readonly unknown[],
  options: { scope?: string; where?: string; record?: boolean; sign?: EventSigner } = {},
): Promise<NewEvents> {
  const fresh = await selectNew(trigger.dedup, events, store, options);
  if (options.record !== false && fresh.signatures.length) await store.add(fresh.signatures, options.scope);
  return fresh;
}
