// A tiny JSON API for the benchmarks, run in its own process so that it does not share the
// event loop with the client being measured. Prints its URL on stdout.
import { createServer } from 'node:http';

const body = JSON.stringify({ id: 1, name: 'Item one', tags: ['a', 'b'], price: 12.5 });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
process.on('disconnect', () => process.exit(0));
