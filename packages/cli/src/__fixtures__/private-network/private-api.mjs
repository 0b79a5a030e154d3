/**
 * The "private API" of the private-network tests: a small HTTP server run inside a network
 * namespace (`node private-api.mjs HOST PORT`), listening on that namespace's own loopback, so
 * nothing outside the namespace can reach it. It prints `listening on http://HOST:PORT` once up.
 *
 *   GET  /hello              → { hello: 'from inside', auth }  (auth: the Authorization header)
 *   POST /upload             → { bytes }                       (counts the body without keeping it)
 *   GET  /download?bytes=N   → N bytes, streamed
 *   GET  /slow               → 'slow' after 100 ms
 *   GET  /never              → never answers (for timeouts)
 *   POST /items              → creates { id, ...body } (for an action)
 *   GET  /items?since=ID     → { items } with id > ID, oldest first (for a polling trigger)
 */
import { createServer } from 'node:http';

const [host = '127.0.0.1', port = '0'] = process.argv.slice(2);
const items = [];

function json(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {});
      } catch (error) {
        reject(error);
      }
    });
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://private');
  const route = `${req.method} ${url.pathname}`;
  if (route === 'GET /hello') {
    json(res, 200, { hello: 'from inside', auth: req.headers.authorization ?? null });
  } else if (route === 'POST /upload') {
    let bytes = 0;
    req.on('data', (chunk) => {
      bytes += chunk.length;
    });
    req.on('end', () => json(res, 200, { bytes }));
  } else if (route === 'GET /download') {
    let left = Number(url.searchParams.get('bytes'));
    const chunk = Buffer.alloc(64 * 1024, 120);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
    const pump = () => {
      while (left > 0) {
        const piece = chunk.subarray(0, Math.min(chunk.length, left));
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  } else if (route === 'GET /slow') {
    setTimeout(() => res.end('slow'), 100);
  } else if (route === 'GET /never') {
    // Never answers: the caller's or the agent's timeout ends it.
  } else if (route === 'POST /items') {
    readJson(req).then(
      (body) => {
        const item = { ...body, id: items.length + 1 };
        items.push(item);
        json(res, 201, item);
      },
      () => json(res, 400, { error: 'not JSON' }),
    );
  } else if (route === 'GET /items') {
    const since = Number(url.searchParams.get('since') ?? 0);
    json(res, 200, { items: items.filter((item) => item.id > since) });
  } else {
    json(res, 404, { error: `no route ${route}` });
  }
});

server.listen(Number(port), host, () => {
  const address = server.address();
  process.stdout.write(`listening on http://${host}:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
