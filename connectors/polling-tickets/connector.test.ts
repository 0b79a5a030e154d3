/**
 * The polling trigger against a fake helpdesk API that pages its answers and filters by
 * `updated_since` (inclusive), as real APIs do.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectorDefinition } from '@weft/sdk';
import { loadConnectorFile, MemorySeenStore, runPollCycle } from '@weft/sdk/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { json, runWeft, startServer, type TestServer } from '../../packages/cli/src/test-helpers.js';

const CONNECTOR = fileURLToPath(new URL('./connector.ts', import.meta.url));
const TOKEN = 'hd-token-0123456789';

interface Ticket {
  id: number;
  subject: string;
  status: string;
  updated_at: string;
}

let tickets: Ticket[] = [];
let api: TestServer;
let connector: ConnectorDefinition;
let connection: Record<string, unknown>;

function at(minute: number): string {
  return new Date(Date.UTC(2026, 2, 1, 9, minute)).toISOString();
}

beforeAll(async () => {
  api = await startServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return json(res, 401, { error: 'bad token' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/tickets') return json(res, 404, { error: 'unknown' });
    const since = url.searchParams.get('updated_since');
    if (!since || Number.isNaN(Date.parse(since))) return json(res, 400, { error: 'updated_since is required' });
    const status = url.searchParams.get('status');
    const page = Number(url.searchParams.get('page') ?? 1);
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 20), 50);
    const matching = tickets
      .filter((t) => t.updated_at >= since && (!status || t.status === status))
      .sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id - b.id);
    const slice = matching.slice((page - 1) * perPage, page * perPage);
    json(res, 200, { tickets: slice, next_page: page * perPage < matching.length ? page + 1 : null });
  });
  connector = (await loadConnectorFile(CONNECTOR)).definition;
  connection = { base_url: api.url, api_token: TOKEN };
});

afterAll(async () => {
  await api.close();
});

beforeEach(() => {
  tickets = Array.from({ length: 120 }, (_, i) => ({
    id: i + 1,
    subject: `Ticket ${i + 1}`,
    status: i % 3 === 0 ? 'solved' : 'open',
    updated_at: at(i % 60),
  }));
});

function cycle(store: MemorySeenStore, closure?: unknown, input: Record<string, unknown> = { since: at(0) }) {
  return runPollCycle({ connector, trigger: 'ticket_updated', connection, input, closure, store });
}

describe('ticket_updated', () => {
  test('the first pass reads every page at once, oldest change first', async () => {
    const store = new MemorySeenStore();
    const first = await cycle(store);
    expect(first.polls).toBe(3);
    expect(first.events).toHaveLength(120);
    expect((first.events as Ticket[]).map((t) => t.updated_at)).toEqual([...tickets].map((t) => t.updated_at).sort());
    expect(first.nextClosure).toEqual({ since: at(59), page: 1, newest: at(59) });
    expect(first.canPollMore).toBe(false);
  });

  test('the next pass starts at the newest change; tickets at that instant are not repeated', async () => {
    const store = new MemorySeenStore();
    const first = await cycle(store);
    const again = await cycle(store, first.nextClosure);
    expect(again.events).toEqual([]);
    expect(again.duplicates).toBe(2); // the two tickets changed at the cursor instant
  });

  test('a changed ticket fires again; a new ticket fires once', async () => {
    const store = new MemorySeenStore();
    const first = await cycle(store);
    tickets[4] = { ...tickets[4], status: 'pending', updated_at: at(70) };
    tickets.push({ id: 121, subject: 'New', status: 'open', updated_at: at(71) });
    const next = await cycle(store, first.nextClosure);
    expect(next.events).toEqual([tickets[4], tickets[120]]);
    expect(next.nextClosure).toEqual({ since: at(71), page: 1, newest: at(71) });
    expect((await cycle(store, next.nextClosure)).events).toEqual([]);
  });

  test('the status filter is sent to the API', async () => {
    const solved = await cycle(new MemorySeenStore(), undefined, { since: at(0), status: 'solved' });
    expect(solved.events).toHaveLength(40);
    expect((solved.events as Ticket[]).every((t) => t.status === 'solved')).toBe(true);
  });

  test('without a since input, the trigger starts now (nothing old fires)', async () => {
    const now = await cycle(new MemorySeenStore(), undefined, {});
    expect(now.events).toEqual([]);
  });

  test('weft exec --follow --seen prints the tickets once across runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-tickets-'));
    const settings = join(dir, 'settings.yaml');
    await writeFile(settings, `base_url: ${api.url}\napi_token: ${TOKEN}\n`);
    const input = join(dir, 'input.json');
    await writeFile(input, JSON.stringify({ since: at(50) }));
    const args = [
      'exec',
      'triggers.ticket_updated.poll',
      `--connector=${CONNECTOR}`,
      `--settings=${settings}`,
      `--input=${input}`,
      '--follow',
      `--seen=${join(dir, 'seen.jsonl')}`,
    ];
    const first = await runWeft(args);
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout).events).toHaveLength(20);
    const second = await runWeft(args);
    expect(JSON.parse(second.stdout).events).toEqual([]);
  });
});
