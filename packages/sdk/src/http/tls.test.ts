import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from './__fixtures__/server.js';
import { closeHttp, createHttpHelpers } from './index.js';

// A private PKI made with the openssl CLI: root CA → server cert (for 127.0.0.1),
// root CA → intermediate CA → client certs. The server trusts only the root.
const SCRIPT = `
set -e
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
openssl req -x509 $EC -keyout ca.key -out ca.crt -days 2 -subj /CN=Weft-Test-Root 2>/dev/null
printf "subjectAltName=IP:127.0.0.1\\n" > server.ext
openssl req $EC -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile server.ext 2>/dev/null
printf "basicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n" > inter.ext
openssl req $EC -keyout inter.key -out inter.csr -subj /CN=Weft-Test-Intermediate 2>/dev/null
openssl x509 -req -in inter.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out inter.crt -days 2 -extfile inter.ext 2>/dev/null
printf "extendedKeyUsage=clientAuth\\n" > client.ext
for name in alice bob; do
  openssl req $EC -keyout $name.key -out $name.csr -subj /CN=$name 2>/dev/null
  openssl x509 -req -in $name.csr -CA inter.crt -CAkey inter.key -CAcreateserial -out $name.crt -days 2 -extfile client.ext 2>/dev/null
done
openssl pkey -in bob.key -aes256 -passout pass:bob-pass -out bob-enc.key
`;

let dir: string;
let server: Server;
let url: string;
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'weft-tls-'));
  execFileSync('sh', ['-c', SCRIPT], { cwd: dir });
  server = createServer(
    {
      key: read('server.key'),
      cert: read('server.crt'),
      ca: read('ca.crt'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      const socket = req.socket as TLSSocket;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ cn: socket.getPeerCertificate().subject?.CN, port: req.socket.remotePort }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/who`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await closeHttp();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('TLS client certificates', () => {
  const http = createHttpHelpers(testEnv());
  const alice = () => ({
    certificate: read('alice.crt'),
    key: read('alice.key'),
    intermediates: read('inter.crt'),
    ca: read('ca.crt'),
  });

  it('authenticates with a client certificate sent with its intermediate chain', async () => {
    expect((await http.get(url).tlsClientCert(alice())).cn).toBe('alice');
  });

  it('reuses one pooled agent (and its connections) for the same certificate', async () => {
    let handshakes = 0;
    const count = () => handshakes++;
    server.on('secureConnection', count);
    try {
      for (let i = 0; i < 6; i++) expect((await http.get(url).tlsClientCert(alice())).cn).toBe('alice');
    } finally {
      server.off('secureConnection', count);
    }
    // A fresh agent per request would shake hands 6 times; the pool keeps at most a couple of sockets.
    expect(handshakes).toBeLessThanOrEqual(2);
  });

  it('uses a separate agent per certificate, with passphrase-protected keys', async () => {
    const bob = await http.get(url).tlsClientCert({
      certificate: read('bob.crt'),
      key: read('bob-enc.key'),
      passphrase: 'bob-pass',
      intermediates: [read('inter.crt')],
      ca: read('ca.crt'),
    });
    expect(bob.cn).toBe('bob');
  });

  it('fails as a connection error without the client certificate', async () => {
    await expect(http.get(url)).rejects.toMatchObject({ code: 'HTTP_CONNECTION_FAILED' });
  });

  it('fails when the intermediate needed to verify the client is missing', async () => {
    const { intermediates: _, ...withoutChain } = alice();
    await expect(http.get(url).tlsClientCert(withoutChain)).rejects.toMatchObject({ code: 'HTTP_CONNECTION_FAILED' });
  });
});
