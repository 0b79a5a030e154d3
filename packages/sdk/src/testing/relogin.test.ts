/**
 * Cassettes of a connector that logs in at run time (Salesforce-SOAP shaped): what the login
 * returns stays out of the file, and a recording made across a re-login replays.
 */
import { once } from 'node:events';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { loadConnector } from './index.js';

const SOAP = fileURLToPath(new URL('./__fixtures__/soap/connector.ts', import.meta.url));
const envelope = (body: string) =>
  `<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

let server: Server | undefined;
let base = '';
let logins = 0;
const session = (n: number) => `00D5g0000-SESSION-${n}-x7Qz`;

beforeEach(async () => {
  logins = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      res.setHeader('content-type', 'text/xml');
      const path = req.url?.split('?')[0];
      if (path === '/login') {
        logins++;
        return res.end(
          envelope(
            `<loginResponse><echo>h&#252;nter22-pw</echo><result><sessionId>${session(logins)}</sessionId><serverUrl>${base}/services/${logins}</serverUrl><userKey>uk-${logins}</userKey></result></loginResponse>`,
          ),
        );
      }
      if (logins > 0 && path?.endsWith('/query') && body.includes(session(logins))) {
        return res.end(envelope('<queryResponse><name>Acme</name></queryResponse>'));
      }
      res.statusCode = 500;
      res.end(envelope('<soapenv:Fault><faultcode>INVALID_SESSION_ID</faultcode></soapenv:Fault>'));
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
async function stop() {
  const s = server;
  server = undefined;
  if (!s) return;
  s.closeAllConnections();
  await new Promise((resolve) => s.close(resolve));
}
afterEach(stop);

test('a recording made across a re-login holds no session and replays', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'weft-relogin-'));
  const cassette = join(dir, 'query.json');
  // The stored session of an earlier login has expired: the run logs in again.
  const settings = {
    login_url: base,
    username: 'ann',
    password: 'hünter22-pw',
    session_id: session(0),
    server_url: `${base}/services/0`,
    user_key: 'uk-0',
  };
  const recorder = await loadConnector(SOAP, { settings, cassette, record: true });
  expect(await recorder.actions.query.execute()).toEqual({ name: 'Acme' });
  // The next call goes to the server URL the new login gave.
  expect(await recorder.actions.query.execute()).toEqual({ name: 'Acme' });
  await recorder.close();
  expect(logins).toBe(1);

  const text = await readFile(cassette, 'utf8');
  // The password comes back as an XML character reference: filtered in that form too.
  for (const secret of [session(0), session(1), 'nter22-pw']) expect(text).not.toContain(secret);
  expect(text).toContain('<<SECRET:session_id>>');

  await stop();
  const replayer = await loadConnector(SOAP, { settings, cassette, record: false });
  expect(await replayer.actions.query.execute()).toEqual({ name: 'Acme' });
  expect(await replayer.actions.query.execute()).toEqual({ name: 'Acme' });
  expect(replayer.cassette).toMatchObject({ mode: 'replay', unused: 0 });
});
