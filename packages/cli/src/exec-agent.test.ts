/**
 * `weft exec --agent agent.yaml`: the connector's HTTP goes through an agent performing in the
 * `weft` process with that file, as a real `weft agent` would — targets it lists work (bodies
 * both ways, a poll), others are refused naming the agent and the host, a target's CA and
 * `timeoutSeconds` apply, and a bad file is refused before anything runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execWeft, json, type RunResult, startServer, type TestServer, writeIn } from './test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./__fixtures__/tunnel/private/connector.ts', import.meta.url));
const KEY = 'k-private-123';
const MB = 1024 * 1024;

let dir: string;
let api: TestServer;
/** Takes connections and never answers. */
let hang: TestServer;
let tls: Server;
let tlsUrl: string;
let agentYaml: string;

const portOf = (url: string) => new URL(url).port;

/** `weft exec <path> --agent=<file>` against a connection whose base URL is `baseUrl`. */
async function execVia(file: string, baseUrl: string, path: string, ...flags: string[]): Promise<RunResult> {
  const settings = await writeIn(dir, `settings-${portOf(baseUrl)}.yaml`, `base_url: ${baseUrl}\napi_key: ${KEY}\n`);
  return execWeft(CONNECTOR, settings, path, `--agent=${file}`, ...flags);
}

const exec = (baseUrl: string, path: string, ...flags: string[]) => execVia(agentYaml, baseUrl, path, ...flags);

/** A user-facing failure: the exit code, one message on stderr, no stack trace. */
function expectOneMessage(result: RunResult, code: number, message: RegExp): void {
  expect(result.code, result.stderr).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-exec-agent-'));
  api = await startServer((req, res, body) => {
    if (req.headers.authorization !== `Bearer ${KEY}`) return json(res, 401, {});
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/hello') return json(res, 200, { hello: 'from inside' });
    if (url.pathname === '/items') return json(res, 200, [{ id: 'a' }, { id: 'b' }]);
    if (url.pathname === '/upload') return json(res, 200, { bytes: Buffer.byteLength(body) });
    if (url.pathname === '/download') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(Buffer.alloc(Number(url.searchParams.get('bytes')), 120));
    }
    json(res, 404, {});
  });
  hang = await startServer(() => {});
  // An https target whose certificate a private CA signed (made with the openssl CLI).
  execFileSync(
    'sh',
    [
      '-c',
      [
        'set -e',
        'EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"',
        'openssl req -x509 $EC -keyout ca.key -out ca.crt -days 2 -subj /CN=Weft-Agent-Test-CA 2>/dev/null',
        'printf "subjectAltName=IP:127.0.0.1\\n" > server.ext',
        'openssl req $EC -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null',
        'openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null',
      ].join('\n'),
    ],
    { cwd: dir },
  );
  tls = createHttpsServer(
    { key: await readFile(join(dir, 'server.key')), cert: await readFile(join(dir, 'server.crt')) },
    (_req, res) => json(res, 200, { hello: 'over tls' }),
  );
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  agentYaml = await writeIn(
    dir,
    'agent.yaml',
    [
      'targets:',
      `  - { host: 127.0.0.1, port: ${portOf(api.url)}, scheme: http }`,
      `  - { host: 127.0.0.1, port: ${portOf(hang.url)}, scheme: http, timeoutSeconds: 0.5 }`,
      `  - { host: 127.0.0.1, port: ${portOf(tlsUrl)}, scheme: https }`,
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await api?.close();
  await hang?.close();
  tls?.closeAllConnections();
  await new Promise((r) => tls?.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe('weft exec --agent', () => {
  test('an allowed target works: an action, bodies both ways and a poll go through the agent', async () => {
    const hello = await exec(api.url, 'actions.hello.execute', '--verbose');
    expect(hello.code, hello.stderr).toBe(0);
    expect(JSON.parse(hello.stdout)).toEqual({ hello: 'from inside' });
    expect(hello.stderr).toMatch(/sending HTTP through the local agent "local \(agent\.yaml\)"/);
    const up = await exec(api.url, 'actions.upload.execute', '--input={"mb":3}');
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toEqual({ bytes: 3 * MB });
    const down = await exec(api.url, 'actions.download.execute', '--input={"mb":3}');
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({ bytes: 3 * MB });
    const polled = await exec(api.url, 'triggers.new_items.poll');
    expect(polled.code, polled.stderr).toBe(0);
    expect(JSON.parse(polled.stdout)).toMatchObject({ events: [{ id: 'a' }, { id: 'b' }] });
  });

  test('a host outside agent.yaml is refused, naming the agent and the host', async () => {
    const refused = await exec('http://127.0.0.1:1', 'actions.hello.execute');
    expectOneMessage(
      refused,
      1,
      /agent "local \(agent\.yaml\)" may not reach http:\/\/127\.0\.0\.1:1: its configuration does not list 127\.0\.0\.1 port 1 \(http\)/,
    );
    // Nothing went out directly: the listed API saw no request for it.
    expect(api.requests.some((r) => r.url.startsWith('/hello') && r.headers.host === '127.0.0.1:1')).toBe(false);
  });

  test("the target's CA and timeoutSeconds apply, and their failures name the agent", async () => {
    const untrusted = await exec(tlsUrl, 'actions.hello.execute');
    expectOneMessage(
      untrusted,
      1,
      /agent "local \(agent\.yaml\)": GET https:\/\/127\.0\.0\.1:\d+\/hello failed \(TLS\): /,
    );
    // The request is named once: the agent's message says it, so nothing is put before it.
    expect(untrusted.stderr.split(`${tlsUrl}/hello`)).toHaveLength(2);
    const withCa = await writeIn(
      dir,
      'agent-ca.yaml',
      `targets:\n  - { host: 127.0.0.1, port: ${portOf(tlsUrl)}, scheme: https, ca: ./ca.crt }\n`,
    );
    const trusted = await execVia(withCa, tlsUrl, 'actions.hello.execute');
    expect(trusted.code, trusted.stderr).toBe(0);
    expect(JSON.parse(trusted.stdout)).toEqual({ hello: 'over tls' });
    const hangUrl = hang.url;
    const started = Date.now();
    const slow = await exec(hangUrl, 'actions.hello.execute');
    expectOneMessage(
      slow,
      1,
      new RegExp(
        `agent "local \\(agent\\.yaml\\)": GET ${hangUrl}/hello timed out: 127\\.0\\.0\\.1:${portOf(hangUrl)} sent no response within 0\\.5 s`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    // The action's own deadline (300 ms) runs out before the agent's wait (0.5 s): it names the agent too.
    const soon = await exec(hangUrl, 'actions.hello_soon.execute');
    expectOneMessage(
      soon,
      1,
      new RegExp(`GET ${hangUrl}/slow: no response within 300 ms, through agent "local \\(agent\\.yaml\\)"`),
    );
  });

  test('a bad agent.yaml gives its specific error, exit 2, before anything runs', async () => {
    const cases: [string, RegExp][] = [
      [
        'targets:\n  - { host: 127.0.0.1, port: 80, scheme: ftp }\n',
        /bad\.yaml: targets\[0\]\.scheme must be http or https/,
      ],
      ['targets:\n  - { host: x, port: 80, scheme: http, timeout: 5 }\n', /targets\[0\]\.timeout is not a setting/],
      ['timeoutSeconds: -1\ntargets: []\n', /bad\.yaml: timeoutSeconds must be a number of seconds above 0/],
      ['targets: [\n', /bad\.yaml: is not valid YAML/],
    ];
    for (const [text, message] of cases) {
      const file = await writeIn(dir, 'bad.yaml', text);
      const settings = await writeIn(dir, 'settings-bad.yaml', `base_url: ${api.url}\napi_key: ${KEY}\n`);
      const before = api.requests.length;
      const result = await execWeft(CONNECTOR, settings, 'actions.hello.execute', `--agent=${file}`);
      expectOneMessage(result, 2, message);
      expect(api.requests.length).toBe(before);
    }
    const missing = await execVia(join(dir, 'nope.yaml'), api.url, 'actions.hello.execute');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot be read \(ENOENT\)/);
  });
});
