import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { Vault } from '../vault.js';
import { RelayCredential, relayUrl } from './relay-auth.js';

const NODE = 'host.example.com-1234-a1b2c3';
const PEER = 'weft-2.internal-5678-d4e5f6';

describe('relay credentials', () => {
  test('processes with the same master key trust each other; others, and the master key itself, stay out', () => {
    const key = randomBytes(32);
    const a = new RelayCredential(new Vault(key).derive('agent-relay'));
    const b = new RelayCredential(new Vault(Buffer.from(key)).derive('agent-relay'));
    const stranger = new RelayCredential(new Vault(randomBytes(32)).derive('agent-relay'));
    expect(b.verify(a.sign(NODE, PEER, 'plant'), PEER, 'plant')).toBe(NODE);
    const header = a.sign(NODE, PEER, 'plant');
    expect(stranger.verify(header, PEER, 'plant')).toBeUndefined();
    expect(header).not.toContain(key.toString('base64url'));
    expect(header).not.toContain(key.toString('hex'));
    // Another purpose derives another key.
    expect(new Vault(key).derive('other')[0].equals(new Vault(key).derive('agent-relay')[0])).toBe(false);
  });

  test('a signature opens one group on one peer, for a minute either way, and nothing else', () => {
    const credential = new RelayCredential(new Vault(randomBytes(32)).derive('agent-relay'));
    const at = Date.now();
    const fresh = () => credential.sign(NODE, PEER, 'plant', at);
    expect(credential.verify(fresh(), PEER, 'plant', at + 59_000)).toBe(NODE);
    expect(credential.verify(fresh(), PEER, 'plant', at - 59_000)).toBe(NODE);
    expect(credential.verify(fresh(), PEER, 'plant', at + 61_000)).toBeUndefined();
    expect(credential.verify(fresh(), PEER, 'lab', at)).toBeUndefined();
    expect(credential.verify(fresh(), 'another-peer', 'plant', at)).toBeUndefined();
    expect(credential.verify(fresh().replace(NODE, 'other-node'), PEER, 'plant', at)).toBeUndefined();
    const header = fresh();
    for (const bad of [undefined, '', 'Bearer x', `WeftRelay ${NODE}.${at}.short`, header.slice(0, -1)]) {
      expect(credential.verify(bad, PEER, 'plant', at)).toBeUndefined();
    }
  });

  test('a signature is used once: replayed, even within its minute, it opens nothing', () => {
    const key = randomBytes(32);
    const caller = new RelayCredential(new Vault(key).derive('agent-relay'));
    const peer = new RelayCredential(new Vault(key).derive('agent-relay'));
    const header = caller.sign(NODE, PEER, 'plant');
    expect(peer.verify(header, PEER, 'plant')).toBe(NODE);
    expect(peer.verify(header, PEER, 'plant')).toBeUndefined();
    // Each relay the caller opens signs anew, so its next one is accepted.
    const next = caller.sign(NODE, PEER, 'plant');
    expect(next).not.toBe(header);
    expect(peer.verify(next, PEER, 'plant')).toBe(NODE);
  });

  test('mid-rotation, a process still on the previous key is trusted by one holding both', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const rotated = new RelayCredential(new Vault(newKey, [oldKey]).derive('agent-relay'));
    const behind = new RelayCredential(new Vault(oldKey).derive('agent-relay'));
    expect(rotated.verify(behind.sign(NODE, PEER, 'plant'), PEER, 'plant')).toBe(NODE);
  });

  test('the internal route of a peer', () => {
    expect(relayUrl('http://10.0.0.7:4000', 'plant').href).toBe('ws://10.0.0.7:4000/agents/relay?group=plant');
    expect(relayUrl('https://weft-2.internal/base/', 'a b').href).toBe(
      'wss://weft-2.internal/base/agents/relay?group=a+b',
    );
  });
});
