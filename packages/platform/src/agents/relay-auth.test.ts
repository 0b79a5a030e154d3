import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Vault } from '../vault.js';
import { RelayCredential, relayUrl } from './relay-auth.js';

const NODE = 'host.example.com-1234-a1b2c3';

describe('relay credentials', () => {
  test('processes with the same master key trust each other; others, and the master key itself, stay out', () => {
    const key = randomBytes(32);
    const a = new RelayCredential(new Vault(key).derive('agent-relay'));
    const b = new RelayCredential(new Vault(Buffer.from(key)).derive('agent-relay'));
    const stranger = new RelayCredential(new Vault(randomBytes(32)).derive('agent-relay'));
    const header = a.sign(NODE, 'plant');
    expect(b.verify(header, 'plant')).toBe(NODE);
    expect(stranger.verify(header, 'plant')).toBeUndefined();
    expect(header).not.toContain(key.toString('base64url'));
    expect(header).not.toContain(key.toString('hex'));
    // Another purpose derives another key.
    expect(new Vault(key).derive('other')[0].equals(new Vault(key).derive('agent-relay')[0])).toBe(false);
  });

  test('a signature opens one group, for a minute either way, and nothing else', () => {
    const credential = new RelayCredential(new Vault(randomBytes(32)).derive('agent-relay'));
    const at = Date.now();
    const header = credential.sign(NODE, 'plant', at);
    expect(credential.verify(header, 'plant', at + 59_000)).toBe(NODE);
    expect(credential.verify(header, 'plant', at - 59_000)).toBe(NODE);
    expect(credential.verify(header, 'plant', at + 61_000)).toBeUndefined();
    expect(credential.verify(header, 'lab', at)).toBeUndefined();
    expect(credential.verify(header.replace(NODE, 'other-node'), 'plant', at)).toBeUndefined();
    for (const bad of [undefined, '', 'Bearer x', `WeftRelay ${NODE}.${at}.short`, header.slice(0, -1)]) {
      expect(credential.verify(bad, 'plant', at)).toBeUndefined();
    }
  });

  test('mid-rotation, a process still on the previous key is trusted by one holding both', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const rotated = new RelayCredential(new Vault(newKey, [oldKey]).derive('agent-relay'));
    const behind = new RelayCredential(new Vault(oldKey).derive('agent-relay'));
    expect(rotated.verify(behind.sign(NODE, 'plant'), 'plant')).toBe(NODE);
  });

  test('the internal route of a peer', () => {
    expect(relayUrl('http://10.0.0.7:4000', 'plant').href).toBe('ws://10.0.0.7:4000/agents/relay?group=plant');
    expect(relayUrl('https://weft-2.internal/base/', 'a b').href).toBe(
      'wss://weft-2.internal/base/agents/relay?group=a+b',
    );
  });
});
