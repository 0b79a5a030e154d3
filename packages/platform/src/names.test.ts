/**
 * Names with control characters or invisible formatting characters (bidi overrides, isolates,
 * zero-width characters) are refused with 400 NAME_INVALID wherever a user names something:
 * connections, pushed connectors, recipes; a connector folder with such a name is reported.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { apiCaller } from './__fixtures__/api-call.js';
import { type RunningServer, startServer } from './serve.js';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/recipe-connectors', import.meta.url));

/** Each with the code point the error must name. */
const BAD: [string, string][] = [
  ['\u0000', 'U+0000'],
  ['\u0007', 'U+0007'],
  ['\n', 'U+000A'],
  ['\u001b', 'U+001B'],
  ['\u007f', 'U+007F'],
  ['\u0085', 'U+0085'],
  ['\u009f', 'U+009F'],
  ['\u200b', 'U+200B'],
  ['\u200e', 'U+200E'],
  ['\u200f', 'U+200F'],
  ['\u202a', 'U+202A'],
  ['\u202e', 'U+202E'],
  ['\u2066', 'U+2066'],
  ['\u2069', 'U+2069'],
  ['\ufeff', 'U+FEFF'],
  ['\ud800', 'U+D800'],
];

let server: RunningServer;
let folders: string;
const call = apiCaller(() => server);

beforeAll(async () => {
  const home = await mkdtemp(join(tmpdir(), 'weft-names-'));
  // A connector folder whose definition names it with a right-to-left override.
  folders = await mkdtemp(join(tmpdir(), 'weft-names-folders-'));
  await mkdir(join(folders, 'sneaky'));
  await writeFile(
    join(folders, 'sneaky', 'connector.js'),
    `export default { title: "Sneaky", name: "invoice\\u202Efdp.exe", actions: { a: { execute: () => ({}) } } };\n`,
  );
  server = await startServer({ port: 0, home, connectorDirs: [FIXTURES, folders], env: {}, onWarning: () => {} });
});
afterAll(async () => {
  await server.close();
});

const pushSource = `import { defineConnector } from "@weft/sdk";
export default defineConnector({ title: "Plain", actions: { a: { execute: () => ({}) } } });
`;

describe('names with control or invisible formatting characters', () => {
  test('connections: 400 NAME_INVALID naming the character, nothing stored', async () => {
    for (const [char, code] of BAD) {
      const res = await call('POST', '/api/connections', { name: `crm${char}main`, connector: 'hooks', values: {} });
      expect(res.status, code).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'NAME_INVALID', path: 'name' });
      expect(res.body.error.message).toContain(code);
    }
    expect((await call('GET', '/api/connections')).body.items).toEqual([]);
  });

  test('pushed connectors: 400 NAME_INVALID', async () => {
    for (const [char, code] of BAD) {
      const res = await call('POST', '/api/connectors', { source: pushSource, name: `plain${char}` });
      expect(res.status, code).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'NAME_INVALID', path: 'name' });
      expect(res.body.error.message).toContain(code);
    }
  });

  test('recipes: 400 NAME_INVALID, while other Unicode text stays a fine name', async () => {
    expect((await call('POST', '/api/connections', { name: 'hooks-ok', connector: 'hooks', values: {} })).status).toBe(
      201,
    );
    const recipe = (name: string) => ({
      name,
      trigger: { connector: 'hooks', connection: 'hooks-ok', trigger: 'raw_event' },
      steps: [],
    });
    for (const [char, code] of BAD) {
      const res = await call('POST', '/api/recipes', recipe(`Orders ${char}to Slack`));
      expect(res.status, code).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'NAME_INVALID', path: 'name' });
      expect(res.body.error.message).toContain(code);
    }
    expect((await call('GET', '/api/recipes')).body.items).toEqual([]);
    const fine = await call('POST', '/api/recipes', recipe('Commandes → Slack (café, 東京, עברית)'));
    expect(fine.status, JSON.stringify(fine.body)).toBe(201);
    const replaced = await call('PUT', `/api/recipes/${fine.body.id}`, recipe('Orders\u202E'));
    expect(replaced.status).toBe(400);
    expect(replaced.body.error.code).toBe('NAME_INVALID');
  });

  test('a connector folder with such a name is reported, not loaded, and the report shows no raw override', async () => {
    const list = (await call('GET', '/api/connectors')).body;
    expect(list.items.map((c: { name: string }) => c.name)).not.toContain('invoice\u202Efdp.exe');
    const problem = list.problems.find((p: { folder: string }) => p.folder.endsWith('sneaky'));
    expect(problem).toMatchObject({ code: 'DEFINITION_INVALID', message: expect.stringContaining('U+202E') });
    expect(problem.message).not.toContain('\u202E');
  });
});
