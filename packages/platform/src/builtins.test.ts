/**
 * The built-in connectors (`packages/platform/builtins`): `weft serve` loads them next to the
 * user's folders, marks them in `GET /api/connectors`, lets a user folder of the same name
 * replace one (with a start-up notice), and leaves them out with `builtins: false` or
 * `WEFT_BUILTINS=off`.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { type ServeOptions, startServer } from './serve.js';

async function started(options: ServeOptions & { user?: boolean } = {}) {
  const home = await mkdtemp(join(tmpdir(), 'weft-builtins-'));
  const folders = await mkdtemp(join(tmpdir(), 'weft-builtins-folders-'));
  if (options.user) {
    // A user's own connector named like the http built-in.
    await mkdir(join(folders, 'http'));
    await writeFile(
      join(folders, 'http', 'connector.js'),
      'export default { title: "My HTTP", actions: { ping: { execute: () => ({ pong: true }) } } };\n',
    );
  }
  const warnings: string[] = [];
  const server = await startServer({
    port: 0,
    home,
    connectorDirs: [folders],
    env: {},
    ...options,
    onWarning: (message) => warnings.push(message),
  });
  const res = await fetch(`${server.url}/api/connectors`, {
    headers: { authorization: `Bearer ${server.token.token}` },
  });
  const body = (await res.json()) as {
    items: { name: string; title: string; builtin?: boolean }[];
    problems: unknown[];
  };
  await server.close();
  return { ...body, warnings };
}

// The suite runs with WEFT_BUILTINS=off (vitest.config.ts); here the default applies.
beforeEach(() => {
  vi.stubEnv('WEFT_BUILTINS', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

describe('built-in connectors', () => {
  test('load by default, marked builtin: true, and pass the registry checks', async () => {
    const { items, problems } = await started();
    const http = items.find((c) => c.name === 'http');
    expect(http).toMatchObject({ title: 'HTTP', builtin: true });
    expect(items.every((c) => c.builtin === true)).toBe(true);
    expect(problems).toEqual([]);
  });

  test('a user folder of the same name replaces the built-in, with a start-up notice', async () => {
    const { items, problems, warnings } = await started({ user: true });
    expect(items.find((c) => c.name === 'http')).toEqual(expect.objectContaining({ title: 'My HTTP' }));
    expect(items.find((c) => c.name === 'http')?.builtin).toBeUndefined();
    expect(problems).toEqual([]);
    expect(warnings.some((w) => /"http" of .*replaces the built-in connector/.test(w))).toBe(true);
  });

  test('builtins: false or WEFT_BUILTINS=off leaves them out', async () => {
    expect((await started({ builtins: false })).items).toEqual([]);
    expect((await started({ env: { WEFT_BUILTINS: 'off' } })).items).toEqual([]);
  });
});
