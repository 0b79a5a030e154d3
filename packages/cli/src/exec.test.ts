import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, runWeft, startServer, type TestServer, writeIn } from './test-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const BASIC = join(fixture('basic'), 'connector.ts');

let api: TestServer;
let dir: string;
let settings: string;

const file = (name: string, content: unknown) => writeIn(dir, name, content);

function exec(path: string, ...flags: string[]) {
  return execWeft(BASIC, settings, path, ...flags);
}

/** A user mistake: non-zero exit, one short message, no stack trace. */
function expectCleanFailure(result: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.url === '/me') return json(res, 200, { id: 1, key: req.headers['x-api-key'] });
    if (req.url === '/contacts/7') return json(res, 200, { id: 7, name: 'Ada' });
    if (req.url === '/missing') return json(res, 404, { error: 'no such contact' });
    if (req.url === '/crash') return json(res, 500, { error: 'database exploded' });
    if (req.url === '/bad-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"id": 1,');
    }
    if (req.url === '/bad-xml') {
      res.writeHead(200, { 'content-type': 'application/xml' });
      return res.end('<a><b></a>');
    }
    if (req.url === '/slow') {
      setTimeout(() => json(res, 200, {}), 2000);
      return;
    }
    json(res, 404, { error: 'unknown' });
  });
  dir = await mkdtemp(join(tmpdir(), 'weft-exec-'));
  settings = await file('settings.yaml', `base_url: ${api.url}\napi_key: sk-live-abcdef123456\n`);
});

afterAll(async () => {
  await api.close();
});

describe('weft exec runs operations', () => {
  test('an action prints its output as JSON', async () => {
    const input = await file('input.json', { path: 'contacts/7' });
    const result = await exec('actions.get_path.execute', `--input=${input}`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ id: 7, name: 'Ada' });
  });

  test('input strings are coerced by type before execute', async () => {
    const input = await file('add.json', { a: '40', b: 2 });
    const result = await exec('actions.add.execute', `--input=${input}`);
    expect(JSON.parse(result.stdout)).toEqual({ sum: 42 });
  });

  test('--output writes the result to a file too', async () => {
    const input = await file('add2.json', { a: 1, b: 2 });
    const out = join(dir, 'out.json');
    const result = await exec('actions.add.execute', `--input=${input}`, `--output=${out}`);
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual({ sum: 3 });
  });

  test('test runs the connection test with apply', async () => {
    const result = await exec('test');
    expect(result.code).toBe(0);
    // The API echoed the key back: the output is data and is printed as it is (SPEC §4).
    expect(JSON.parse(result.stdout)).toEqual({ id: 1, key: 'sk-live-abcdef123456' });
  });

  test('action output is data: printed as returned, never redacted', async () => {
    const result = await exec('actions.leak.execute');
    expect(JSON.parse(result.stdout)).toEqual({ echoed: 'key is sk-live-abcdef123456' });
  });

  test('--verbose logs each HTTP exchange on stderr with secrets redacted', async () => {
    const input = await file('verbose.json', { path: 'contacts/7' });
    const result = await exec('actions.get_path.execute', `--input=${input}`, '--verbose');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`GET ${api.url}/contacts/7`);
    expect(result.stderr).toMatch(/< 200/);
    expect(result.stderr).toMatch(/x-api-key: \[REDACTED\]/i);
    expect(result.stderr).not.toContain('sk-live-abcdef123456');
  });

  test('pick lists and methods take --args', async () => {
    const colors = await exec('pick_lists.colors');
    expect(JSON.parse(colors.stdout)).toEqual([
      ['Red', 'red'],
      ['Blue', 'blue'],
    ]);
    const args = await file('args.json', { color: 'red' });
    const sizes = await exec('pick_lists.sizes', `--args=${args}`);
    expect(JSON.parse(sizes.stdout)).toEqual([['Small red', 's']]);
    const margs = await file('margs.json', [21]);
    const doubled = await exec('methods.double', `--args=${margs}`);
    expect(JSON.parse(doubled.stdout)).toBe(42);
  });

  test('a poll prints events, nextPoll and canPollMore; --follow pages through', async () => {
    const one = await exec('triggers.pages.poll');
    expect(JSON.parse(one.stdout)).toEqual({ events: [{ id: 0 }], nextPoll: 1, canPollMore: true });
    const closure = await file('closure.json', 1);
    const second = await exec('triggers.pages.poll', `--closure=${closure}`);
    expect(JSON.parse(second.stdout)).toEqual({ events: [{ id: 1 }], nextPoll: 2, canPollMore: true });
    const all = await exec('triggers.pages.poll', '--follow');
    expect(JSON.parse(all.stdout)).toEqual({
      events: [{ id: 0 }, { id: 1 }, { id: 2 }],
      nextPoll: 3,
      canPollMore: false,
    });
  });

  test('a multistep action prints reinvokeAfter; --continue runs the next step; --follow runs them all', async () => {
    const first = await exec('actions.steps.execute');
    expect(JSON.parse(first.stdout)).toEqual({ reinvokeAfter: { seconds: 0, continue: { n: 1 } } });
    const cont = await file('continue.json', { n: 2 });
    const last = await exec('actions.steps.execute', `--continue=${cont}`);
    expect(JSON.parse(last.stdout)).toEqual({ steps: 3 });
    const all = await exec('actions.steps.execute', '--follow');
    expect(JSON.parse(all.stdout)).toEqual({ steps: 3 });
  });
});

describe('weft exec reports bad input clearly', () => {
  test('a missing connector file', async () => {
    const result = await runWeft(['exec', 'test', '--connector=nope/connector.ts']);
    expectCleanFailure(result, /Connector file not found: nope\/connector\.ts/);
  });

  test('a file that is not TypeScript or JavaScript', async () => {
    const notTs = await file('connector.py', 'print(1)');
    expectCleanFailure(await runWeft(['exec', 'test', `--connector=${notTs}`]), /not a TypeScript or JavaScript file/);
  });

  test('a syntax error names the file, line and column', async () => {
    const result = await runWeft(['exec', 'test', `--connector=${fixture('broken-syntax')}`]);
    expectCleanFailure(result, /Cannot compile connector\.ts:\s+connector\.ts:6:\d+/);
  });

  test('no default export', async () => {
    const result = await runWeft(['exec', 'test', `--connector=${fixture('no-default')}`]);
    expectCleanFailure(result, /has no default export/);
  });

  test('a connector that throws while loading', async () => {
    const result = await runWeft(['exec', 'test', `--connector=${fixture('throws-on-load')}`]);
    expectCleanFailure(result, /Loading connector\.js failed: cannot start: missing configuration/);
  });

  test('definition errors are listed at once, with paths', async () => {
    const result = await runWeft(['exec', 'test', `--connector=${fixture('bad-definition')}`]);
    expectCleanFailure(result, /title/);
    expect(result.stderr).toMatch(/actions\.create_contact\.execute: must be a function/);
    expect(result.stderr).toMatch(/actions\.create_contact\.inputFields\[0\]\.name/);
    expect(result.stderr).toMatch(/pickLists\.colors/);
  });

  test('an unknown exec path lists the valid ones', async () => {
    const result = await exec('actions.nope.run');
    expectCleanFailure(result, /Unknown exec path "actions\.nope\.run"/);
    expect(result.stderr).toContain('actions.get_path.execute');
    expect(result.code).toBe(2);
  });

  test('an unknown action, pick list or method', async () => {
    expectCleanFailure(await exec('actions.nope.execute'), /Unknown action "nope".*get_path/);
    expectCleanFailure(await exec('pick_lists.nope'), /Unknown pick list "nope".*colors, sizes/);
    expectCleanFailure(await exec('methods.nope'), /Unknown method "nope".*double/);
  });

  test('input that is not readable JSON, or not an object', async () => {
    expectCleanFailure(
      await exec('actions.add.execute', `--input=${join(dir, 'missing.json')}`),
      /--input=.*file not found/,
    );
    const broken = await file('broken.json', '{"a": ');
    expectCleanFailure(await exec('actions.add.execute', `--input=${broken}`), /--input=.*not valid JSON/);
    const list = await file('list.json', [1, 2]);
    expectCleanFailure(await exec('actions.add.execute', `--input=${list}`), /must hold a JSON object, got an array/);
  });

  test('a missing required input and a wrong input type', async () => {
    const missing = await file('missing-b.json', { a: 1 });
    expectCleanFailure(await exec('actions.add.execute', `--input=${missing}`), /input\.b.*required/);
    const wrong = await file('wrong.json', { a: 'one', b: 2 });
    expectCleanFailure(await exec('actions.add.execute', `--input=${wrong}`), /input\.a.*integer/);
  });

  test('a lambda that throws', async () => {
    expectCleanFailure(await exec('actions.boom.execute'), /actions\.boom\.execute failed: kaboom in the connector/);
  });

  test('--verbose shows the stack of a lambda that throws', async () => {
    const result = await exec('actions.boom.execute', '--verbose');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });

  test('ctx.error shows the connector message unchanged', async () => {
    expectCleanFailure(await exec('actions.refuse.execute'), /^weft: The record is locked; unlock it in Acme first\n$/);
  });

  test('HTTP 4xx and 5xx show status, method, URL and a body excerpt', async () => {
    const missing = await file('p404.json', { path: 'missing' });
    expectCleanFailure(
      await exec('actions.get_path.execute', `--input=${missing}`),
      new RegExp(`GET ${api.url}/missing failed with HTTP 404.*no such contact`),
    );
    const crash = await file('p500.json', { path: 'crash' });
    expectCleanFailure(await exec('actions.get_path.execute', `--input=${crash}`), /HTTP 500.*database exploded/);
  });

  test('connection refused', async () => {
    const closed = await startServer(() => {});
    await closed.close();
    const s = await file('refused.yaml', `base_url: ${closed.url}\n`);
    const input = await file('refused.json', { path: 'x' });
    const result = await execWeft(BASIC, s, 'actions.get_path.execute', `--input=${input}`);
    expectCleanFailure(result, /connection refused/i);
  });

  test('a timeout', async () => {
    const input = await file('slow.json', { path: 'slow', timeout_ms: 200 });
    expectCleanFailure(await exec('actions.get_path.execute', `--input=${input}`), /no response within 200 ms/);
  });

  test('malformed JSON or XML in a response', async () => {
    const badJson = await file('bad-json.json', { path: 'bad-json' });
    expectCleanFailure(await exec('actions.get_path.execute', `--input=${badJson}`), /not valid JSON/);
    const badXml = await file('bad-xml.json', { path: 'bad-xml' });
    expectCleanFailure(await exec('actions.get_xml.execute', `--input=${badXml}`), /not valid XML/);
  });

  test('a wrong flag is a usage error', async () => {
    const result = await runWeft(['exec', 'test', '--nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown option '--nope'/);
  });

  test('a settings file that is not valid YAML', async () => {
    const bad = await file('bad.yaml', 'base_url: [unclosed\n');
    const result = await execWeft(BASIC, bad, 'test');
    expectCleanFailure(result, /bad\.yaml: not valid YAML/);
  });

  test('named connections need --connection when there are several', async () => {
    const named = await file('named.yaml', `prod:\n  base_url: ${api.url}\nstaging:\n  base_url: ${api.url}\n`);
    const result = await execWeft(BASIC, named, 'test');
    expectCleanFailure(result, /several connections \(prod, staging\).*--connection/);
    const ok = await execWeft(BASIC, named, 'test', '--connection=prod');
    expect(ok.code).toBe(0);
  });
});

test('values refreshed during a run are written back even when the operation then fails', async () => {
  const server = await startServer((req, res) => {
    if (req.headers['x-token'] === 'stale-token-0123456789') return json(res, 401, { error: 'expired' });
    json(res, 500, { error: 'backend down' });
  });
  try {
    const s = await file('refresh.yaml', `# my connection\nbase_url: ${server.url}\ntoken: stale-token-0123456789\n`);
    const result = await runWeft([
      'exec',
      'actions.fetch.execute',
      `--connector=${fixture('refresh-then-fail')}`,
      `--settings=${s}`,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/HTTP 500/);
    expect(result.stderr).toMatch(/updated connection values written to/);
    expect(result.stderr).not.toContain('fresh-token-0123456789');
    const saved = await readFile(s, 'utf8');
    expect(saved).toContain('token: fresh-token-0123456789');
    expect(saved).toContain('# my connection');
  } finally {
    await server.close();
  }
});
