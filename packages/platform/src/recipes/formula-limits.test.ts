/**
 * Formulas are bounded in time and depth, and a long one never holds the server's event loop:
 * checked through the real server (`startServer`), whose API must keep answering meanwhile.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Lab, labStep, startLab } from '../__fixtures__/jobs-harness.js';
import type { JobWithSteps } from '../store/store.js';
import { evaluateValue } from './formula.js';
import { setFormulaTimeout } from './formula-limits.js';

let lab: Lab;

beforeAll(async () => {
  // A shorter limit than the default, set the way WEFT_FORMULA_TIMEOUT_MS sets it.
  lab = await startLab({ runtime: { formulaTimeoutMs: 400 } });
});
afterAll(async () => {
  await lab?.close();
});

/** Runs a one-step recipe whose `value` is `formula`; times /api/health while the job runs. */
async function runWhileProbing(
  formula: string,
  key: string,
): Promise<{ job: JobWithSteps; latencies: number[]; stalled: number }> {
  const recipe = await lab.recipe({ steps: [labStep('loop', 'record', { key: '=trigger.key', value: formula })] });
  const [created] = await lab.jobs(recipe, [{ key }]);
  let done = false;
  const finished = lab.job(created.id).finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  // The longest time the event loop went without a turn (timers due every 5 ms).
  let last = performance.now();
  let stalled = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    stalled = Math.max(stalled, now - last);
    last = now;
  }, 5);
  while (!done) {
    const start = performance.now();
    const res = await fetch(`${lab.server.url}/api/health`);
    await res.arrayBuffer();
    latencies.push(performance.now() - start);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  clearInterval(ticker);
  return { job: await finished, latencies, stalled };
}

test('a formula that calls itself without end fails its step with FORMULA_LIMIT; the API keeps answering', async () => {
  const started = Date.now();
  const { job, latencies, stalled } = await runWhileProbing('=( $f := function($x){ $f($x) }; $f(1) )', 'endless');
  expect(job.status).toBe('failed');
  expect(job.error).toMatchObject({ code: 'FORMULA_LIMIT', stepId: 'loop', path: 'steps[0].input.value' });
  expect(job.error?.message).toMatch(/^steps\[0\]\.input\.value: formula .* ran longer than 400 ms/);
  expect(Date.now() - started).toBeLessThan(3000);
  // Formulas hand the loop back every 10 ms; the margin is for a busy machine. Held for the
  // whole evaluation, the loop would stall for the full 400 ms.
  expect(stalled).toBeLessThan(350);
  expect(job.steps.map((s) => [s.stepId, s.status, s.error?.code])).toEqual([['loop', 'failed', 'FORMULA_LIMIT']]);
  // The API answered all along, each time well under a second.
  expect(latencies.length).toBeGreaterThan(2);
  expect(Math.max(...latencies)).toBeLessThan(1000);
  expect(lab.api.records.filter((r) => r.key === 'endless')).toEqual([]);
});

test('a formula that recurses too deep fails its step with FORMULA_LIMIT', async () => {
  const { job } = await runWhileProbing('=( $f := function($x){ $f($x) + 1 }; $f(1) )', 'deep');
  expect(job.status).toBe('failed');
  expect(job.error).toMatchObject({ code: 'FORMULA_LIMIT', stepId: 'loop', path: 'steps[0].input.value' });
  expect(job.error?.message).toMatch(/nested deeper than \d+/);
});

test('a formula that runs longer than a moment still gives its value, and lets timers run meanwhile', async () => {
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 1);
  setFormulaTimeout(10_000); // this server's 400 ms is for the tests above; a busy machine is slow
  try {
    const started = performance.now();
    const value = await evaluateValue('=$sum([1..20000].($ * 2))', { trigger: {}, steps: {} }, 'x');
    expect(value).toBe(400_020_000);
    // Only worth checking when it took long enough for the loop to be handed back.
    if (performance.now() - started > 40) expect(ticks).toBeGreaterThan(0);
  } finally {
    clearInterval(ticker);
    setFormulaTimeout(400);
  }
});
