import { describe, expect, test } from 'vitest';
import { egressCheck, invalidAllowEntries, parseAllowEntry } from './egress.js';

const rules = { serverPorts: [4000], localAddresses: ['10.1.2.3', 'fe80::1'], allow: [] as string[] };

describe('egress rules of connector hosts', () => {
  test("the server's own port is refused on loopback, unspecified and local addresses; other ports pass", () => {
    const check = egressCheck(rules);
    for (const address of ['127.0.0.1', '127.8.9.10', '0.0.0.0', '::1', '::', '10.1.2.3', '::ffff:127.0.0.1']) {
      expect(check(address, 4000), address).toMatch(/the Weft server's own port/);
    }
    expect(check('127.0.0.1', 4001)).toBeUndefined();
    expect(check('93.184.216.34', 4000)).toBeUndefined();
  });

  test('link-local addresses (the metadata services) are refused on any port, IPv4-mapped too', () => {
    const check = egressCheck(rules);
    for (const address of ['169.254.169.254', '169.254.0.1', 'fe80::abcd', 'fd00:ec2::254', '::ffff:169.254.169.254']) {
      expect(check(address, 80), address).toMatch(/link-local/);
    }
  });

  test('WEFT_EGRESS_ALLOW lets an address, a range or an address and port through', () => {
    const check = egressCheck({ ...rules, allow: ['169.254.169.254', '127.0.0.0/8:4000', '[::1]:4000'] });
    expect(check('169.254.169.254', 80)).toBeUndefined();
    expect(check('169.254.169.253', 80)).toMatch(/link-local/);
    expect(check('127.0.0.5', 4000)).toBeUndefined();
    expect(check('::1', 4000)).toBeUndefined();
    expect(check('10.1.2.3', 4000)).toMatch(/own port/);
  });

  test('entries that are not an address or range are named', () => {
    expect(parseAllowEntry('10.0.0.0/8')).toBeDefined();
    expect(invalidAllowEntries(['example.com', '10.0.0.0/40', '1.2.3.4:80', ' '])).toEqual([
      'example.com',
      '10.0.0.0/40',
    ]);
  });
});
