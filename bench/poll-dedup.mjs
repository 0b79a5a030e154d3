// bench/poll-dedup: 1M events through trigger dedup (`selectNew` + recording, in polls of 1,000
// events, the per-poll maximum) against a MemorySeenStore that already holds 1M signatures;
// half the events were seen before. Baseline: a plain `Set` lookup-and-add loop over the same
// events in this process. Target: throughput ratio >= 0.3. Also reports peak RSS.
import { MemorySeenStore, selectNew } from '@weft/sdk/runtime';
import { median, report } from './lib.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const SEEN = Number(process.env.BENCH_SEEN ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH = 1000;

const dedup = (event) => `${event.id}@${event.updated_at}`;
// Events SEEN/2 .. SEEN/2 + EVENTS: the first half were seen before, the rest are new.
const events = Array.from({ length: EVENTS }, (_, i) => ({ id: SEEN / 2 + i, updated_at: '2026-03-01T10:00:00Z' }));
const seeded = Array.from({ length: SEEN }, (_, id) => dedup({ id, updated_at: '2026-03-01T10:00:00Z' }));

let peakRss = process.memoryUsage.rss();
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peakRss) peakRss = rss;
};

function seededSet() {
  const set = new Set(seeded);
  sample();
  return set;
}

function seededStore() {
  const store = new MemorySeenStore();
  store.addSync(seeded);
  sample();
  return store;
}

/** The baseline: what a hand-written loop over a Set does. */
function baseline(set) {
  let fresh = 0;
  const start = performance.now();
  for (let i = 0; i < events.length; i++) {
    const signature = dedup(events[i]);
    if (!set.has(signature)) {
      set.add(signature);
      fresh++;
    }
  }
  const ms = performance.now() - start;
  return { rate: events.length / (ms / 1000), fresh };
}

/** Weft: each poll's events through selectNew, then the new signatures recorded. */
async function weft(store) {
  let fresh = 0;
  const start = performance.now();
  for (let offset = 0, n = 0; offset < events.length; offset += BATCH, n++) {
    const batch = events.slice(offset, offset + BATCH);
    const result = await selectNew(dedup, batch, store, { where: 'triggers.bench' });
    await store.add(result.signatures);
    fresh += result.events.length;
    if (n % 100 === 0) sample();
  }
  const ms = performance.now() - start;
  sample();
  return { rate: events.length / (ms / 1000), fresh };
}

// Warm up both paths, then alternate rounds so that drift hits both alike.
baseline(seededSet());
await weft(seededStore());
const baseRates = [];
const weftRates = [];
for (let i = 0; i < ROUNDS; i++) {
  const b = baseline(seededSet());
  const w = await weft(seededStore());
  if (b.fresh !== w.fresh) throw new Error(`different results: baseline ${b.fresh}, weft ${w.fresh} new events`);
  baseRates.push(b.rate);
  weftRates.push(w.rate);
}
const base = median(baseRates);
const ours = median(weftRates);
report('poll-dedup', {
  events: EVENTS,
  storeSignatures: SEEN,
  newEvents: EVENTS - SEEN / 2,
  pollSize: BATCH,
  rounds: ROUNDS,
  baselineSetEventsPerSec: Math.round(base),
  weftDedupEventsPerSec: Math.round(ours),
  ratio: Number((ours / base).toFixed(3)),
  target: '>= 0.3',
  peakRssMiB: Math.round(peakRss / 2 ** 20),
});
