/**
 * Exchanges made while credentials are obtained (`acquire`, `refresh`) are held back and shown
 * only once what was obtained is known to the redactor: the login response that carries a
 * session id is itself logged with that session id already hidden.
 */
import type { Redactor } from '../redact.js';
import type { HttpExchangeLog } from './types.js';

type Listener = (log: HttpExchangeLog) => void;

const HOLD = Symbol('weft.exchangeHold');

interface Holdable extends Listener {
  [HOLD]: { depth: number; held: HttpExchangeLog[]; flush(): void };
}

/** A listener that can be held by `holdingExchanges` (undefined stays undefined: no logging). */
export function holdableListener(listener: Listener | undefined, redactor: Redactor): Listener | undefined {
  if (!listener) return undefined;
  const state = {
    depth: 0,
    held: [] as HttpExchangeLog[],
    flush() {
      const logs = state.held.splice(0);
      for (const log of logs) listener(redactor.redactValue(log));
    },
  };
  const holdable = ((log: HttpExchangeLog) => {
    if (state.depth > 0) state.held.push(log);
    else listener(log);
  }) as Holdable;
  holdable[HOLD] = state;
  return holdable;
}

/** Runs `fn` with `listener` held; held exchanges are redacted again and shown afterwards. */
export async function holdingExchanges<T>(listener: Listener | undefined, fn: () => Promise<T>): Promise<T> {
  const state = (listener as Partial<Holdable> | undefined)?.[HOLD];
  if (!state) return fn();
  state.depth++;
  try {
    return await fn();
  } finally {
    state.depth--;
    if (state.depth === 0) state.flush();
  }
}
