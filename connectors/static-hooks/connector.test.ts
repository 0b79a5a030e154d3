/**
 * PayHub's static webhook: deliveries for several accounts arrive at one URL and are routed
 * by key to the recipes of their account, as the runtime's ingress does; and `weft listen`
 * receiving real deliveries from a fake PayHub.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import {
  loadConnectorFile,
  MemorySeenStore,
  matchStaticWebhook,
  runWebhookNotification,
  webhookErrorReply,
  webhookKeyOfRecipe,
} from '@weft/sdk/runtime';
import { beforeAll, describe, expect, test } from 'vitest';
import { startWeft } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));

const accounts = {
  acct_a: {
    base_url: 'http://127.0.0.1:9',
    api_key: 'ph-key-a-0123456789',
    account_id: 'acct_a',
    webhook_secret: 'ph-whsec-a-0123456789',
  },
  acct_b: {
    base_url: 'http://127.0.0.1:9',
    api_key: 'ph-key-b-0123456789',
    account_id: 'acct_b',
    webhook_secret: 'ph-whsec-b-0123456789',
  },
};

let connector: ConnectorDefinition;

/** A PayHub delivery: body, account header and the account's signature. */
function delivery(account: keyof typeof accounts, id: string, status = 'succeeded', secret?: string) {
  const rawBody = JSON.stringify({
    id,
    account_id: account,
    payment: { id: `pay_${id}`, amount: 4200, currency: 'EUR', status },
  });
  const signature = createHmac('sha256', secret ?? accounts[account].webhook_secret)
    .update(rawBody)
    .digest('base64');
  return {
    rawBody,
    headers: { 'content-type': 'application/json', 'x-payhub-account': account, 'x-payhub-signature': signature },
  };
}

beforeAll(async () => {
  connector = (await loadConnectorFile(CONNECTOR)).definition;
});

describe('routing by key (what the runtime does with one URL per connector)', () => {
  test('each recipe listens for its account; a delivery reaches only that account’s recipes', async () => {
    const recipes = await Promise.all(
      [
        { id: 'r1', connection: accounts.acct_a, input: {} },
        { id: 'r2', connection: accounts.acct_b, input: {} },
        { id: 'r3', connection: accounts.acct_a, input: { statuses: ['refunded'] } },
      ].map(async (r) => ({
        ...r,
        triggerName: 'payment_event',
        key: await webhookKeyOfRecipe(connector, 'payment_event', { connection: r.connection }),
      })),
    );
    expect(recipes.map((r) => r.key)).toEqual(['acct_a', 'acct_b', 'acct_a']);

    const request = delivery('acct_a', 'evt_1');
    const { key, matches } = await matchStaticWebhook(connector, request, recipes);
    expect(key).toBe('acct_a');
    expect(matches.map((r) => r.id)).toEqual(['r1', 'r3']);

    const outcomes = await Promise.all(
      matches.map((r) =>
        runWebhookNotification({
          connector,
          trigger: r.triggerName,
          request,
          connection: r.connection,
          input: r.input,
        }),
      ),
    );
    expect(outcomes.map((o) => o.events)).toEqual([
      [
        {
          id: 'pay_evt_1',
          amount: 4200,
          currency: 'EUR',
          status: 'succeeded',
          event_id: 'evt_1',
          account_id: 'acct_a',
        },
      ],
      [], // r3 wants refunds only
    ]);
    expect(outcomes[0].reply.status).toBe(202);
  });

  test('a delivery signed with another account’s secret is refused with 401', async () => {
    const forged = delivery('acct_a', 'evt_2', 'succeeded', accounts.acct_b.webhook_secret);
    const error = await runWebhookNotification({
      connector,
      trigger: 'payment_event',
      request: forged,
      connection: accounts.acct_a,
    }).catch((e) => e);
    expect(error).toMatchObject({ code: 'WEBHOOK_SIGNATURE_INVALID' });
    expect(webhookErrorReply(error).status).toBe(401);
  });

  test('a redelivered event is one event', async () => {
    const store = new MemorySeenStore();
    const request = delivery('acct_b', 'evt_3');
    const run = () =>
      runWebhookNotification({
        connector,
        trigger: 'payment_event',
        request,
        connection: accounts.acct_b,
        store,
        recipeKey: 'r2',
      });
    expect((await run()).events).toHaveLength(1);
    expect((await run()).events).toHaveLength(0);
  });
});

describe('weft listen', () => {
  test('prints the URL and key; prints the account’s deliveries and ignores other accounts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-payhub-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(
      settings,
      Object.entries(accounts.acct_a)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\n'),
    );
    const weft = startWeft(['listen', CONNECTOR, 'triggers.payment_event', `--settings=${settings}`]);
    try {
      const [, url] = await weft.waitFor(/listening on (\S+)/);
      await weft.waitFor(/waiting for requests/);
      expect(weft.stderr()).toMatch(/static webhook: register http:\/\/127\.0\.0\.1:\d+\/webhooks\/payment_event/);
      expect(weft.stderr()).toContain('"acct_a"');
      const send = async (d: ReturnType<typeof delivery>) =>
        (await fetch(url, { method: 'POST', headers: d.headers, body: d.rawBody })).status;
      expect(await send(delivery('acct_b', 'evt_b1'))).toBe(200);
      expect(await send(delivery('acct_a', 'evt_a1'))).toBe(202);
      expect(await send(delivery('acct_a', 'evt_a2', 'refunded'))).toBe(202);
      await weft.waitFor(/evt_a2/, { stream: 'stdout' });
      const events = weft
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(events.map((e) => [e.event_id, e.status])).toEqual([
        ['evt_a1', 'succeeded'],
        ['evt_a2', 'refunded'],
      ]);
      expect(weft.stderr()).toMatch(/"acct_b" is not "acct_a"; ignored/);
      expect(await weft.stop('SIGINT')).toBe(0);
    } finally {
      await weft.stop('SIGKILL');
    }
  });
});
