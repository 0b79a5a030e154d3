import { createHmac } from 'node:crypto';
import { Webhooks } from '@octokit/webhooks';
import Stripe from 'stripe';
import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from '../execute/executor.js';
import {
  checkHmac,
  checkStripeSignature,
  checkTimestampedHmac,
  computeHmac,
  safeEqual,
  verifyHmac,
  verifyStripeSignature,
  verifyTimestampedHmac,
} from './signature.js';

const stripe = new Stripe('sk_test_signature_tests');
const BODY = JSON.stringify({ id: 'evt_1', type: 'invoice.paid', data: { amount: 4200 } });

describe('HMAC', () => {
  test('sha1, sha256 and sha512 in hex and base64 agree with node:crypto', () => {
    for (const algorithm of ['sha1', 'sha256', 'sha512'] as const) {
      for (const encoding of ['hex', 'base64'] as const) {
        const expected = createHmac(algorithm, 'k3y').update(BODY).digest(encoding);
        expect(computeHmac(algorithm, 'k3y', BODY, encoding)).toBe(expected);
        expect(verifyHmac({ secret: 'k3y', payload: BODY, signature: expected, algorithm, encoding })).toBe(true);
      }
    }
  });

  test('a prefix is required and stripped; hex compares case-insensitively', () => {
    const hex = computeHmac('sha256', 's', BODY);
    expect(verifyHmac({ secret: 's', payload: BODY, signature: `sha256=${hex}`, prefix: 'sha256=' })).toBe(true);
    expect(
      verifyHmac({ secret: 's', payload: BODY, signature: `sha256=${hex.toUpperCase()}`, prefix: 'sha256=' }),
    ).toBe(true);
    expect(checkHmac({ secret: 's', payload: BODY, signature: hex, prefix: 'sha256=' })).toEqual({
      valid: false,
      reason: 'the signature does not start with "sha256="',
    });
  });

  test('a wrong signature, a changed body, a missing signature or secret are rejected with a reason', () => {
    const hex = computeHmac('sha256', 's', BODY);
    expect(checkHmac({ secret: 'other', payload: BODY, signature: hex })).toEqual({
      valid: false,
      reason: 'the signature does not match',
    });
    expect(verifyHmac({ secret: 's', payload: `${BODY} `, signature: hex })).toBe(false);
    expect(checkHmac({ secret: 's', payload: BODY, signature: undefined }).reason).toBe(
      'the request carries no signature',
    );
    expect(checkHmac({ secret: '', payload: BODY, signature: hex }).reason).toMatch(/no secret/);
    expect(checkHmac({ secret: 's', payload: undefined, signature: hex }).reason).toMatch(/no raw body/);
    // A truncated signature has another length: rejected before timingSafeEqual (which would throw).
    expect(verifyHmac({ secret: 's', payload: BODY, signature: hex.slice(0, 10) })).toBe(false);
  });

  test('safeEqual', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});

describe('verified against real senders', () => {
  test('GitHub deliveries signed by @octokit/webhooks', async () => {
    const secret = 'gh-webhook-secret';
    const header = await new Webhooks({ secret }).sign(BODY);
    expect(verifyHmac({ secret, payload: BODY, signature: header, prefix: 'sha256=' })).toBe(true);
    expect(verifyHmac({ secret: 'wrong', payload: BODY, signature: header, prefix: 'sha256=' })).toBe(false);
    expect(verifyHmac({ secret, payload: BODY.replace('4200', '4201'), signature: header, prefix: 'sha256=' })).toBe(
      false,
    );
  });

  test('Stripe deliveries signed by stripe.webhooks.generateTestHeaderString', () => {
    const secret = 'whsec_test_0123456789';
    const now = new Date('2026-05-01T12:00:00Z');
    const timestamp = Math.floor(now.getTime() / 1000);
    const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret, timestamp });
    expect(verifyStripeSignature({ secret, payload: BODY, signature: header, now })).toBe(true);
    // Four minutes later is inside the default five-minute window; ten minutes is not.
    expect(
      verifyStripeSignature({ secret, payload: BODY, signature: header, now: new Date(now.getTime() + 240_000) }),
    ).toBe(true);
    expect(
      checkStripeSignature({ secret, payload: BODY, signature: header, now: new Date(now.getTime() + 600_000) }),
    ).toEqual({ valid: false, reason: 'the timestamp is 600 s old; at most 300 s are accepted' });
    expect(
      verifyStripeSignature({
        secret,
        payload: BODY,
        signature: header,
        now: new Date(now.getTime() + 600_000),
        toleranceSeconds: 900,
      }),
    ).toBe(true);
    expect(checkStripeSignature({ secret: 'whsec_other', payload: BODY, signature: header, now }).reason).toBe(
      'the signature does not match',
    );
    expect(checkStripeSignature({ secret, payload: BODY, signature: undefined, now }).reason).toBe(
      'the request carries no signature header',
    );
    expect(checkStripeSignature({ secret, payload: BODY, signature: `t=${timestamp}`, now }).reason).toMatch(/no v1=/);
  });

  test('Stripe: any of several v1 signatures may match (secret rotation)', () => {
    const now = new Date();
    const t = Math.floor(now.getTime() / 1000);
    const good = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: 'whsec_new', timestamp: t });
    const v1 = good.split('v1=')[1];
    const header = `t=${t},v1=${'0'.repeat(64)},v1=${v1}`;
    expect(verifyStripeSignature({ secret: 'whsec_new', payload: BODY, signature: header, now })).toBe(true);
  });
});

describe('timestamped HMAC (timestamp + "." + body)', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const t = String(Math.floor(now.getTime() / 1000));
  const signature = computeHmac('sha256', 'sec', `${t}.${BODY}`);

  test('accepted inside the window, rejected outside it or when missing', () => {
    expect(verifyTimestampedHmac({ secret: 'sec', payload: BODY, signature, timestamp: t, now })).toBe(true);
    const late = new Date(now.getTime() + 301_000);
    expect(checkTimestampedHmac({ secret: 'sec', payload: BODY, signature, timestamp: t, now: late }).reason).toMatch(
      /301 s old/,
    );
    expect(
      verifyTimestampedHmac({
        secret: 'sec',
        payload: BODY,
        signature,
        timestamp: t,
        now: late,
        toleranceSeconds: 400,
      }),
    ).toBe(true);
    const early = new Date(now.getTime() - 400_000);
    expect(checkTimestampedHmac({ secret: 'sec', payload: BODY, signature, timestamp: t, now: early }).reason).toMatch(
      /in the future/,
    );
    expect(checkTimestampedHmac({ secret: 'sec', payload: BODY, signature, timestamp: undefined, now }).reason).toBe(
      'the request carries no timestamp',
    );
    expect(checkTimestampedHmac({ secret: 'sec', payload: BODY, signature, timestamp: 'soon', now }).reason).toMatch(
      /not readable/,
    );
  });

  test('a custom signed layout (Slack: v0:timestamp:body with a v0= prefix)', () => {
    const slack = `v0=${computeHmac('sha256', 'slack', `v0:${t}:${BODY}`)}`;
    expect(
      verifyTimestampedHmac({
        secret: 'slack',
        payload: BODY,
        signature: slack,
        timestamp: t,
        now,
        prefix: 'v0=',
        signedPayload: (ts, body) => `v0:${ts}:${body}`,
      }),
    ).toBe(true);
  });
});

describe('signature helpers on the webhook context', () => {
  const secret = 'gh-secret-0123456789';
  const connector = defineConnector({
    title: 'Signed',
    triggers: {
      github: {
        webhookNotification: (ctx) => {
          if (!ctx.verifyHmac({ secret, signatureHeader: 'X-Hub-Signature-256', prefix: 'sha256=' })) {
            ctx.error('Invalid signature');
          }
          return ctx.payload;
        },
      },
      stripe: {
        webhookNotification: (ctx) => {
          if (!ctx.verifyStripeSignature({ secret: 'whsec_ctx' })) ctx.error('Invalid Stripe signature');
          return ctx.payload;
        },
      },
      generic: {
        webhookNotification: (ctx) => {
          const ok = ctx.verifyTimestampedHmac({
            secret: 'gen',
            signatureHeader: 'x-signature',
            timestampHeader: 'x-timestamp',
            toleranceSeconds: 60,
          });
          return ok ? ctx.payload : ctx.error('stale or forged');
        },
      },
      refuses: {
        webhookNotification: (ctx) => ctx.error('not today'),
      },
    },
  });

  test('a GitHub delivery verifies; a wrong one is a WEBHOOK_SIGNATURE_INVALID error; so is a missing header', async () => {
    const headers = {
      'x-hub-signature-256': await new Webhooks({ secret }).sign(BODY),
      'content-type': 'application/json',
    };
    const ok = await execute(connector, 'triggers.github.webhook_notification', {
      webhook: { headers, rawBody: BODY },
    });
    expect(ok).toMatchObject({ kind: 'output', output: JSON.parse(BODY), reply: { status: 200 } });

    const forged = { ...headers, 'x-hub-signature-256': await new Webhooks({ secret: 'nope' }).sign(BODY) };
    await expect(
      execute(connector, 'triggers.github.webhook_notification', { webhook: { headers: forged, rawBody: BODY } }),
    ).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID', message: 'Invalid signature' });

    const logs: string[] = [];
    await expect(
      execute(connector, 'triggers.github.webhook_notification', {
        webhook: { headers: { 'content-type': 'application/json' }, rawBody: BODY },
        onLog: (_level, message) => logs.push(message),
      }),
    ).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
      details: { reason: 'the request carries no signature' },
    });
    expect(logs.join('\n')).toMatch(/HMAC signature rejected: the request carries no signature/);
  });

  test('Stripe on the context uses ctx.now(): an old delivery is rejected', async () => {
    const sent = new Date('2026-01-01T00:00:00Z');
    const header = stripe.webhooks.generateTestHeaderString({
      payload: BODY,
      secret: 'whsec_ctx',
      timestamp: Math.floor(sent.getTime() / 1000),
    });
    const webhook = { headers: { 'stripe-signature': header }, rawBody: BODY };
    const fresh = await execute(connector, 'triggers.stripe.webhook_notification', { webhook, now: () => sent });
    expect(fresh).toMatchObject({ output: JSON.parse(BODY) });
    await expect(
      execute(connector, 'triggers.stripe.webhook_notification', {
        webhook,
        now: () => new Date(sent.getTime() + 3_600_000),
      }),
    ).rejects.toMatchObject({
      code: 'WEBHOOK_SIGNATURE_INVALID',
      details: { reason: expect.stringMatching(/3600 s old/) },
    });
  });

  test('the generic timestamped scheme reads both headers', async () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const t = String(now.getTime() / 1000);
    const headers = { 'x-timestamp': t, 'x-signature': computeHmac('sha256', 'gen', `${t}.${BODY}`) };
    const ok = await execute(connector, 'triggers.generic.webhook_notification', {
      webhook: { headers, rawBody: BODY },
      now: () => now,
    });
    expect(ok).toMatchObject({ output: JSON.parse(BODY) });
    await expect(
      execute(connector, 'triggers.generic.webhook_notification', {
        webhook: { headers, rawBody: BODY },
        now: () => new Date(now.getTime() + 61_000),
      }),
    ).rejects.toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
  });

  test('a refusal without a signature check stays a connector error', async () => {
    await expect(
      execute(connector, 'triggers.refuses.webhook_notification', { webhook: { payload: {} } }),
    ).rejects.toMatchObject({ code: 'CONNECTOR_ERROR', message: 'not today' });
  });
});
