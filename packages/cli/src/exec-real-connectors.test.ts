/**
 * `weft exec` on shapes found porting real Workato connectors: record dedup, inline JSON flags,
 * file downloads (binary results) and a request body holding a Promise (a forgotten `await`).
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, startServer, type TestServer } from './test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./__fixtures__/real-shapes/connector.ts', import.meta.url));
const PDF = Buffer.from('%PDF-1.4\n\xff\xfe binary', 'latin1');

let api: TestServer;
let dir: string;
let settings: string;

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.url === '/me') return json(res, 200, { id: 5 });
    if (req.url === '/files/9') {
      res.writeHead(200, { 'content-type': 'application/pdf' });
      return res.end(PDF);
    }
    json(res, 201, { created: true });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-real-'));
  settings = join(dir, 'settings.yaml');
  await writeFile(settings, `base_url: ${api.url}\n`);
});

afterAll(async () => {
  await api.close();
});

const exec = (path: string, ...flags: string[]) => execWeft(CONNECTOR, settings, path, ...flags);

describe('triggers.<name>.dedup', () => {
  test('takes an array of records from --input and prints one signature per record', async () => {
    const events = join(dir, 'events.json');
    await writeFile(
      events,
      JSON.stringify([
        { id: 1, updated_at: '2026-01-01' },
        { id: 2, updated_at: '2026-01-02' },
      ]),
    );
    const result = await exec('triggers.new_record.dedup', `--input=${events}`);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['1@2026-01-01', '2@2026-01-02']);
  });

  test('takes one record inline', async () => {
    const result = await exec('triggers.new_record.dedup', '--input', '{"id":3,"updated_at":"x"}');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual(['3@x']);
  });
});

describe('JSON flags take inline JSON or @file', () => {
  test('inline --args, as the how-to shows', async () => {
    const result = await exec('pick_lists.boards', '--args', '{"project":"42"}');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual([['Board of 42', '42-1']]);
  });

  test('--args=@file and a plain file path', async () => {
    const file = join(dir, 'args.json');
    await writeFile(file, '{"project":"7"}');
    for (const flag of [`--args=@${file}`, `--args=${file}`]) {
      const result = await exec('pick_lists.boards', flag);
      expect(result.stderr).toBe('');
      expect(JSON.parse(result.stdout)).toEqual([['Board of 7', '7-1']]);
    }
  });

  test('an inline JSON string (a poll closure)', async () => {
    const result = await exec('triggers.new_record.poll', '--closure', '"cursor-17"');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).nextPoll).toBe('cursor-17');
  });

  test('invalid inline JSON is a usage error naming the flag', async () => {
    const result = await exec('pick_lists.boards', '--args', '{"project":');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^weft: --args: not valid JSON/);
    expect(result.stdout).toBe('');
  });
});

describe('binary results', () => {
  test('a downloaded file prints as {"$base64": ...}', async () => {
    const result = await exec('actions.download_file.execute', '--input', '{"id":"9"}');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ $base64: PDF.toString('base64') });
  });

  test('bytes nested in an object print as {"$base64": ...} too, never {"0":37,...}', async () => {
    const bytes = await exec('actions.file_bytes.execute');
    expect(JSON.parse(bytes.stdout)).toEqual({ $base64: Buffer.from([37, 80, 68, 70]).toString('base64') });
    const nested = await exec('actions.attachment.execute');
    expect(JSON.parse(nested.stdout)).toEqual({
      name: 'a.pdf',
      content: { $base64: Buffer.from('%PDF').toString('base64') },
    });
  });

  test('--output writes the raw bytes', async () => {
    const out = join(dir, 'file.pdf');
    const result = await exec('actions.download_file.execute', '--input', '{"id":"9"}', `--output=${out}`);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${PDF.length} bytes to ${out}`);
    expect(await readFile(out)).toEqual(PDF);
  });
});

describe('a Promise in a request body', () => {
  test('fails naming the field instead of sending {}', async () => {
    const before = api.requests.filter((r) => r.url === '/items').length;
    const result = await exec('actions.create_item.execute', '--input', '{"name":"n"}');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/owner\.ids\[0\] is a Promise/);
    expect(result.stderr).toMatch(/await/);
    expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(api.requests.filter((r) => r.url === '/items').length).toBe(before);
  });
});
