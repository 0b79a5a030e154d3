import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { startServer } from './serve.js';

const quiet = { port: 0, connectorDirs: [], env: {}, onWarning: () => {} };

test('a second server on the same home is refused with HOME_IN_USE naming the first; closing frees the home', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-lock-'));
  const first = await startServer({ ...quiet, home });
  try {
    const refused = await startServer({ ...quiet, home }).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(refused?.code).toBe('HOME_IN_USE');
    expect(refused?.message).toBe(
      `Another weft serve (pid ${process.pid}, at ${first.url}) is running on ${home}: ` +
        'stop it first, or give this one another data directory (WEFT_HOME)',
    );
    // The refused start touched nothing: the first still answers.
    expect((await fetch(`${first.url}/api/health`)).status).toBe(200);
  } finally {
    await first.close();
  }
  const again = await startServer({ ...quiet, home });
  await again.close();
});

test('a start that fails after taking the lock lets it go', async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-lock-'));
  await expect(startServer({ ...quiet, home, env: { WEFT_MASTER_KEY: 'nope' } })).rejects.toThrow(/WEFT_MASTER_KEY/);
  const server = await startServer({ ...quiet, home });
  await server.close();
});
