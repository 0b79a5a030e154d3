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
  const random = randomBytes(4).toString('hex').slice(0, 6);
  return `${prefix}_${time}${seq}${random}`;
}

/** A random secret for URLs (webhook URLs): 24 bytes, base64url. */
export function newSecret(): string {
  return randomBytes(24).toString('base64url');
}
