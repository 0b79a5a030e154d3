import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import { type JwtAlgorithm, jwtDecode, jwtEncode } from './jwt.js';

const rsa = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});
const ec = (namedCurve: string) =>
  generateKeyPairSync('ec', {
    namedCurve,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
const EC: Record<string, ReturnType<typeof ec>> = {
  ES256: ec('P-256'),
  ES384: ec('P-384'),
  ES512: ec('P-521'),
};
const SECRET = 'a-shared-secret-of-some-length-0123456789';
const now = new Date('2026-05-01T10:00:00Z');
const claims = { iss: 'weft', sub: 'user-1', scope: 'read' };

function keysFor(alg: JwtAlgorithm): { sign: string; verify: string } {
  if (alg.startsWith('HS')) return { sign: SECRET, verify: SECRET };
  if (alg.startsWith('ES')) return { sign: EC[alg].privateKey, verify: EC[alg].publicKey };
  return { sign: rsa.privateKey, verify: rsa.publicKey };
}

describe('jwtEncode / jwtDecode', () => {
  const families: JwtAlgorithm[] = [
    'HS256',
    'HS384',
    'HS512',
    'RS256',
    'RS384',
    'RS512',
    'PS256',
    'ES256',
    'ES384',
    'ES512',
  ];
  for (const alg of families) {
    it(`round-trips ${alg} and rejects a tampered token`, async () => {
      const { sign, verify } = keysFor(alg);
      const token = await jwtEncode(claims, sign, alg, { header: { kid: 'k1' }, expiresIn: '10m' }, now);
      expect(token.split('.')).toHaveLength(3);
      const decoded = await jwtDecode(token, verify, {}, now);
      expect(decoded.header).toEqual({ alg, kid: 'k1', typ: 'JWT' });
      expect(decoded.payload).toEqual({ ...claims, exp: Math.floor(now.getTime() / 1000) + 600 });

      const [h, p, s] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'admin' })).toString('base64url');
      await expect(jwtDecode(`${h}.${forged}.${s}`, verify, {}, now)).rejects.toMatchObject({
        code: 'JWT_INVALID',
        message: 'jwtDecode: the signature is invalid',
      });
      expect(p).not.toBe(forged);
    });
  }

  it('verifies with a private key or the certificate side too, and decodes without a key', async () => {
    const token = await jwtEncode(claims, rsa.privateKey, 'RS256');
    expect((await jwtDecode(token, rsa.privateKey)).payload).toEqual(claims);
    expect((await jwtDecode(token)).payload).toEqual(claims);
  });

  it('reports an expired token clearly (clock tolerance allowed)', async () => {
    const token = await jwtEncode(claims, SECRET, 'HS256', { expiresIn: 60 }, now);
    const later = new Date(now.getTime() + 120_000);
    await expect(jwtDecode(token, SECRET, {}, later)).rejects.toMatchObject({
      code: 'JWT_INVALID',
      message: 'jwtDecode: the token has expired',
    });
    expect((await jwtDecode(token, SECRET, { clockTolerance: 120 }, later)).payload.sub).toBe('user-1');
  });

  it('refuses algorithm confusion: an RS256 public key never verifies an HS256 token', async () => {
    const token = await jwtEncode(claims, rsa.publicKey.replace(/-----[^-]+-----|\s/g, ''), 'HS256');
    await expect(jwtDecode(token, rsa.publicKey)).rejects.toMatchObject({ code: 'JWT_INVALID' });
  });

  it('checks issuer and audience when asked', async () => {
    const token = await jwtEncode({ ...claims, aud: 'api' }, SECRET);
    await expect(jwtDecode(token, SECRET, { audience: 'other' })).rejects.toMatchObject({
      message: expect.stringContaining('claim "aud" is invalid'),
    });
    expect((await jwtDecode(token, SECRET, { issuer: 'weft', audience: 'api' })).payload.aud).toBe('api');
  });

  it('gives clear errors for bad input', async () => {
    await expect(jwtEncode(claims, SECRET, 'none' as never)).rejects.toThrow(/unsupported algorithm "none"/);
    await expect(jwtEncode(claims, 'not a pem', 'RS256')).rejects.toThrow(/RS256 needs a PEM private key/);
    await expect(jwtEncode(claims, rsa.privateKey, 'HS256')).rejects.toThrow(/shared secret, not a PEM key/);
    await expect(jwtDecode('abc')).rejects.toThrow(/not a JWT/);
  });
});

describe('ctx.jwtEncode / ctx.jwtDecode', () => {
  it('are on every context; the output keeps the encoded token (data is never redacted)', async () => {
    const connector = defineConnector({
      title: 'JWT',
      methods: {
        roundTrip: async (ctx, secret: string) => {
          const token = await ctx.jwtEncode({ sub: 'svc' }, secret, 'HS512', { expiresIn: 30 });
          const { payload, header } = await ctx.jwtDecode(token, secret);
          return { token, payload, alg: header.alg };
        },
      },
    });
    const result = await execute(connector, 'methods.roundTrip', { args: [SECRET], now: () => now });
    const token = (result as { output: { token: string } }).output.token;
    expect(token.split('.')).toHaveLength(3);
    expect(result).toEqual({
      kind: 'output',
      output: {
        token,
        payload: { sub: 'svc', exp: Math.floor(now.getTime() / 1000) + 30 },
        alg: 'HS512',
      },
      dropped: [],
    });
  });
});
