/**
 * Ids that sort by creation time: `<prefix>_<ms, base36, 9>` + `<counter, base36, 4>` +
 * `<random, 6>`. The counter keeps ids made in the same millisecond (and after a clock step
 * back) in order, so ordering by id is ordering by creation within a process.
 */
import { randomBytes } from 'node:crypto';

let lastTime = 0;
let counter = 0;

export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    counter = 0;
  } else {
    counter++;
    if (counter >= 36 ** 4) {
      lastTime++;
      counter = 0;
    }
  }
  const time = lastTime.toString(36).padStart(9, '0');
  const seq = counter.toString(36).padStart(4, '0');
  return `${prefix}_${time}${seq}${randomHex()}`;
}

/** Random bytes drawn in bulk: one `randomBytes` call per id cost more than the rest of an insert. */
const POOL_SIZE = 3 * 1024;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** 6 random hex digits (3 bytes). */
function randomHex(): string {
  if (poolAt + 3 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolAt = 0;
  }
  poolAt += 3;
  return pool.toString('hex', poolAt - 3, poolAt);
}

/** The smallest id made at `time` (epoch ms): every id made before it sorts lower. */
export function firstIdAt(prefix: string, time: number): string {
  return `${prefix}_${Math.max(0, Math.floor(time)).toString(36).padStart(9, '0')}`;
}

/** A random secret for URLs (webhook URLs): 24 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}
