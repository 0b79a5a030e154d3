/**
 * Preloaded (`--import`) into the test workers of `weft test --isolate`: the egress and signal
 * guards of a connector host, so a connector's tests meet the rules its code meets in a host.
 * The rules: link-local addresses refused, `WEFT_EGRESS_ALLOW` honoured (no server is running).
 */
import { networkInterfaces } from 'node:os';
import { egressCheck } from './egress.js';
import { installEgressGuard } from './egress-guard.js';
import { installSignalGuard } from './signal-guard.js';

const check = egressCheck({
  serverPorts: [],
  localAddresses: Object.values(networkInterfaces())
    .flat()
    .map((i) => i?.address ?? '')
    .filter(Boolean),
  allow: (process.env.WEFT_EGRESS_ALLOW ?? '').split(',').filter((e) => e.trim()),
});
installEgressGuard(() => check);
installSignalGuard();
