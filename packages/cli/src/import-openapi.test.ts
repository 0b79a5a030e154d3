/**
 * `weft import openapi` feature by feature, on small hand-written specs (Swagger 2.0, OpenAPI
 * 3.0 in YAML, OpenAPI 3.1): the generated connector is loaded like any other and run against a
 * local server.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition, Field, MultiAuthorization } from '@weft/sdk';
import { execute, loadConnectorFile } from '@weft/sdk/runtime';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importOpenApi } from './commands/import-openapi.js';
import { json, runWeft, startServer, type TestServer } from './test-helpers.js';

const require = createRequire(import.meta.url);
const TSC = require.resolve('typescript/bin/tsc');
const SDK_DIR = dirname(require.resolve('@weft/sdk/package.json'));
const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/openapi/${name}`, import.meta.url));

async function generate(spec: string, only?: string[]) {
  const out = join(await mkdtemp(join(tmpdir(), 'weft-openapi-')), 'connector');
  const result = await importOpenApi(fixture(spec), { out, only });
  const loaded = await loadConnectorFile(out);
  return { out, result, definition: loaded.definition };
}

async function output(
  definition: ConnectorDefinition,
  path: string,
  connection: Record<string, unknown> = {},
  input: Record<string, unknown> = {},
): Promise<any> {
  const result = await execute(definition, path, { connection, input, retryBaseMs: 1 });
  if (result.kind !== 'output') throw new Error(`expected an output, got ${result.kind}`);
  return result.output;
}

const named = (fields: readonly Field[], name: string) => fields.find((f) => f.name === name);

let server: TestServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.endsWith('/content')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('line 1\nline 2\n');
    } else if (url.pathname.endsWith('/count')) json(res, 200, 2);
    else if (req.method === 'DELETE') {
      res.writeHead(204);
      res.end();
    } else if (req.method === 'GET' && url.pathname === '/v1/pets') json(res, 200, [{ id: 1, name: 'Rex' }]);
    else json(res, 200, { id: 7, name: 'echo' });
  });
});
afterAll(() => server.close());

describe('OpenAPI 3.0 (YAML)', () => {
  test('operations become actions named from operationId (else method and path), grouped by tag', async () => {
    const { definition, result } = await generate('pet-shop.yaml');
    expect(Object.keys(definition.actions ?? {}).sort()).toEqual([
      'create_pet',
      'delete_pets_by_pet_id',
      'get_inventory',
      'get_pet',
      'list_pets',
    ]);
    expect(result.project.actions.map((a) => a.tag)).toEqual(['pets', 'pets', 'pets', 'pets', 'store']);
    expect(definition.actions?.list_pets.title).toBe('List pets');
  });

  test('parameters and body properties become typed input fields; enums become one shared pick list', async () => {
    const { definition } = await generate('pet-shop.yaml');
    const create = (await output(definition, 'actions.create_pet.input_fields')) as Field[];
    expect(create.map((f) => f.name)).toEqual(['name', 'status', 'born', 'tags']);
    expect(named(create, 'name')).toMatchObject({ hint: "The pet's name." });
    expect(named(create, 'name')?.optional).toBeUndefined();
    expect(named(create, 'born')).toMatchObject({ type: 'date', optional: true });
    expect(named(create, 'tags')).toMatchObject({ type: 'array', of: 'string' });
    const list = (await output(definition, 'actions.list_pets.input_fields')) as Field[];
    const status = named(list, 'status');
    expect(status).toMatchObject({ controlType: 'select', pickList: named(create, 'status')?.pickList });
    expect(await output(definition, `pick_lists.${status?.pickList}`)).toEqual([
      ['Available', 'available'],
      ['Pending', 'pending'],
      ['Sold', 'sold'],
    ]);
    expect(named(list, 'limit')).toMatchObject({ type: 'integer', optional: true });
  });

  test('output fields merge allOf and oneOf and cut the recursive schema', async () => {
    const { definition } = await generate('pet-shop.yaml');
    const pet = (await output(definition, 'actions.get_pet.output_fields')) as Field[];
    expect(pet.map((f) => f.name)).toEqual(['name', 'status', 'born', 'tags', 'id', 'category', 'owner']);
    expect(named(pet, 'id')).toMatchObject({ type: 'integer' });
    const category = named(pet, 'category');
    expect(category?.properties?.map((f) => f.name)).toEqual(['name', 'parent']);
    expect(named(category?.properties ?? [], 'parent')).toEqual({ name: 'parent', type: 'object' });
    expect(named(pet, 'owner')?.properties?.map((f) => f.name)).toEqual([
      'first_name',
      'last_name',
      'company_name',
      'vat_id',
    ]);
    const listed = (await output(definition, 'actions.list_pets.output_fields')) as Field[];
    expect(listed).toMatchObject([{ name: 'items', type: 'array', of: 'object' }]);
  });

  test('the API key goes in its header, the base URL comes from the server and its variables', async () => {
    const { definition } = await generate('pet-shop.yaml');
    const fields = definition.connection?.fields ?? [];
    expect(fields.map((f) => f.name)).toEqual(['region', 'base_url', 'api_key']);
    expect(named(fields, 'region')?.options).toEqual([
      ['eu', 'eu'],
      ['us', 'us'],
    ]);
    expect(named(fields, 'api_key')).toMatchObject({ controlType: 'password' });
    expect(await output(definition, 'connection.base_uri')).toBe('https://eu.petshop.example/v1');
    expect(await output(definition, 'connection.base_uri', { region: 'us' })).toBe('https://us.petshop.example/v1');
  });

  test('actions send path, query, header and body values, and wrap arrays and empty answers', async () => {
    const { definition } = await generate('pet-shop.yaml');
    const connection = { base_url: `${server.url}/v1`, api_key: 'k-123' };
    server.requests.length = 0;
    const listed = await output(definition, 'actions.list_pets.execute', connection, {
      status: 'sold',
      limit: '2',
      'X-Request-Id': 'r-1',
    });
    expect(listed).toEqual({ items: [{ id: 1, name: 'Rex' }] });
    await output(definition, 'actions.get_pet.execute', connection, { petId: 'a b/c' });
    await output(definition, 'actions.create_pet.execute', connection, { name: 'Rex', status: 'available' });
    const gone = await output(definition, 'actions.delete_pets_by_pet_id.execute', connection, { petId: '9' });
    expect(gone).toEqual({});
    const [list, get, create, remove] = server.requests;
    expect(list).toMatchObject({ method: 'GET', url: '/v1/pets?status=sold&limit=2' });
    expect(list.headers).toMatchObject({ 'x-shop-key': 'k-123', 'x-request-id': 'r-1' });
    expect(get.url).toBe('/v1/pets/a%20b%2Fc');
    expect(create).toMatchObject({ method: 'POST', url: '/v1/pets' });
    expect(JSON.parse(create.body)).toEqual({ name: 'Rex', status: 'available' });
    expect(remove).toMatchObject({ method: 'DELETE', url: '/v1/pets/9' });
  });

  test('--only keeps the named tags and operationIds', async () => {
    const { definition } = await generate('pet-shop.yaml', ['store', 'getPet']);
    expect(Object.keys(definition.actions ?? {}).sort()).toEqual(['get_inventory', 'get_pet']);
  });
});

describe('Swagger 2.0', () => {
  test('form parameters, a body parameter, the host and basePath, basic and OAuth 2.0 as a choice', async () => {
    const { definition } = await generate('legacy-notes.json');
    expect(Object.keys(definition.actions ?? {}).sort()).toEqual(['post_notes', 'replace_note']);
    const auth = definition.connection?.authorization as MultiAuthorization;
    expect(auth.type).toBe('multi');
    expect(named(definition.connection?.fields ?? [], 'auth_type')?.options).toEqual([
      ['Username and password', 'basic'],
      ['OAuth 2.0 (authorization code)', 'oauth'],
    ]);
    expect(Object.keys(auth.options)).toEqual(['basic', 'oauth']);
    expect(auth.options.oauth).toMatchObject({
      type: 'oauth2',
      authorizationUrl: 'https://notes.example/oauth/authorize',
      tokenUrl: 'https://notes.example/oauth/token',
      scope: 'notes:read notes:write',
    });
    expect(await output(definition, 'connection.base_uri')).toBe('https://notes.example/api');

    const connection = { base_url: server.url, auth_type: 'basic', username: 'ada', password: 'pw' };
    server.requests.length = 0;
    await output(definition, 'actions.post_notes.execute', connection, { title: 'Hi', pinned: true });
    // The path parameter `id` is also a property of the body: the body is one field.
    const inputs = (await output(definition, 'actions.replace_note.input_fields')) as Field[];
    expect(inputs.map((f) => f.name)).toEqual(['id', 'body']);
    await output(definition, 'actions.replace_note.execute', connection, { id: 3, body: { id: 3, title: 'New' } });
    const [post, put] = server.requests;
    expect(post.headers['content-type']).toMatch(/application\/x-www-form-urlencoded/);
    expect(post.body).toBe('title=Hi&pinned=true');
    expect(post.headers.authorization).toBe(`Basic ${Buffer.from('ada:pw').toString('base64')}`);
    expect(put).toMatchObject({ method: 'PUT', url: '/notes/3' });
    expect(JSON.parse(put.body)).toEqual({ id: 3, title: 'New' });
  });
});

describe('OpenAPI 3.1', () => {
  test('bearer, cookie and client-credentials schemes; nullable types; multipart; text and scalar answers', async () => {
    const { definition, result } = await generate('files-31.json');
    const auth = definition.connection?.authorization as MultiAuthorization;
    expect(Object.keys(auth.options)).toEqual(['token', 'session', 'machine']);
    expect(auth.options.machine).toMatchObject({
      type: 'oauth2',
      grantType: 'client_credentials',
      tokenUrl: 'https://files.example/token',
    });
    expect(result.project.skippedSchemes).toEqual(['digest (http digest)']);
    const file = (await output(definition, 'actions.upload_file.output_fields')) as Field[];
    expect(named(file, 'size')).toMatchObject({ type: 'integer' });
    expect(named(file, 'folder')?.properties?.map((f) => f.name)).toEqual(['id', 'name']);
    // oneOf a string or an object: an output may be the object, an input asks for the simplest.
    expect(named(file, 'label')?.properties?.map((f) => f.name)).toEqual(['name', 'color']);
    const uploadInputs = (await output(definition, 'actions.upload_file.input_fields')) as Field[];
    expect(named(uploadInputs, 'label')).toEqual({ name: 'label', optional: true });

    server.requests.length = 0;
    const bearer = { base_url: server.url, auth_type: 'token', token: 't-1' };
    await output(definition, 'actions.upload_file.execute', bearer, { name: 'a.txt', content: 'hello' });
    const text = await output(definition, 'actions.download_file.execute', bearer, { id: 'f1' });
    expect(text).toEqual({ value: 'line 1\nline 2\n' });
    const count = await output(definition, 'actions.count_lines.execute', bearer, { id: 'f1' });
    expect(count).toEqual({ value: 2 });
    const cookie = { base_url: server.url, auth_type: 'session', api_key: 's-9' };
    await output(definition, 'actions.count_lines.execute', cookie, { id: 'f1' });
    const [upload, , , counted] = server.requests;
    expect(upload.headers.authorization).toBe('Bearer t-1');
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data/);
    expect(upload.body).toContain('hello');
    expect(counted.headers.cookie).toBe('sid=s-9');
  });
});

test('the generated projects type-check with their own strict tsconfig', { timeout: 180_000 }, async () => {
  const root = await mkdtemp(join(tmpdir(), 'weft-openapi-tsc-'));
  for (const spec of ['pet-shop.yaml', 'legacy-notes.json', 'files-31.json']) {
    await importOpenApi(fixture(spec), { out: join(root, spec.replace(/\..*$/, '')) });
  }
  // The projects' @weft/sdk is this repository's (as after `npm install` of the package).
  await mkdir(join(root, 'node_modules', '@weft'), { recursive: true });
  await symlink(SDK_DIR, join(root, 'node_modules', '@weft', 'sdk'));
  const tsconfig = JSON.parse(await readFile(join(root, 'pet-shop', 'tsconfig.json'), 'utf8'));
  await writeFile(join(root, 'tsconfig.json'), JSON.stringify({ ...tsconfig, include: ['*/**/*.ts'] }));
  const tsc = spawnSync(process.execPath, [TSC, '-p', join(root, 'tsconfig.json')], { encoding: 'utf8' });
  expect(tsc.stdout).toBe('');
  expect(tsc.status).toBe(0);
});

describe('the weft import openapi command', () => {
  test('fetches a spec by URL and writes a project that passes weft validate and weft check', async () => {
    const yaml = await readFile(fixture('pet-shop.yaml'), 'utf8');
    const specServer = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/yaml' });
      res.end(yaml);
    });
    try {
      const out = join(await mkdtemp(join(tmpdir(), 'weft-openapi-')), 'pet-shop');
      const imported = await runWeft(['import', 'openapi', `${specServer.url}/pet-shop.yaml`, '--out', out]);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toContain('5 actions in 2 tags');
      expect((await readdir(out)).sort()).toEqual([
        '.gitignore',
        'README.md',
        'connector.ts',
        'package.json',
        'request.ts',
        'settings.yaml.example',
        'tsconfig.json',
      ]);
      const validated = await runWeft(['validate', out]);
      expect(validated.stdout).toContain('valid (5 actions');
      const checked = await runWeft(['check', out]);
      expect(checked.code).toBe(0);
      expect(checked.stdout).toContain('contract checks passed: 0 errors');

      const again = await runWeft(['import', 'openapi', `${specServer.url}/pet-shop.yaml`, '--out', out]);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('already exists and is not empty');
    } finally {
      await specServer.close();
    }
  });

  test('refuses URLs other than http(s) and documents that are not OpenAPI', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'weft-openapi-')), 'x');
    const ftp = await runWeft(['import', 'openapi', 'ftp://example.com/spec.yaml', '--out', out]);
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain('only http and https URLs');
    const notSpec = await runWeft(['import', 'openapi', fixture('../../../package.json'), '--out', out]);
    expect(notSpec.code).toBe(2);
    expect(notSpec.stderr).toContain('is not a Swagger 2.0 or OpenAPI 3.0/3.1 document');
  });
});
