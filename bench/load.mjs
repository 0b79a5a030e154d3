// autocannon in its own process, so the load generator does not share the measured event loop.
// Takes its options as JSON in argv[2]; sends progress ({ responses }) and the result over IPC.
import autocannon from 'autocannon';

const options = JSON.parse(process.argv[2]);
let responses = 0;
const run = autocannon(options, (error, result) => {
  if (error) {
    process.send({ error: String(error) });
    process.exit(1);
  }
  process.send({ result: { '2xx': result['2xx'], requests: result.requests, latency: result.latency } }, () =>
    process.exit(0),
  );
});
run.on('response', () => {
  responses++;
  if (responses % 1000 === 0) process.send({ responses });
});
