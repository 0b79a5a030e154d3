import { defineConnector } from '@weft/sdk';

/** A connector written to misbehave: each action breaks one rule of its host. */
const spin = (): never => {
  for (;;) {
    // Busy forever: only a kill from outside ends this.
  }
};

export default defineConnector({
  title: 'Rogue (isolation fixture)',
  connection: { fields: [], authorization: { type: 'none' } },
  actions: {
    ok: { execute: () => ({ ok: true, pid: process.pid }) },
    spin: { execute: spin },
    exit: { execute: () => process.exit(3) },
    bomb: {
      execute: () => {
        const hoard: unknown[] = [];
        for (;;) hoard.push(new Array(1_000_000).fill(hoard.length));
      },
    },
    read_file: {
      inputFields: [{ name: 'path' }],
      execute: async (ctx) => {
        const { readFile } = await import('node:fs/promises');
        return { content: await readFile(String(ctx.input.path), 'utf8') };
      },
    },
    spawn: {
      execute: async () => {
        const { execSync } = await import('node:child_process');
        return { out: execSync('id').toString() };
      },
    },
    fetch_url: {
      inputFields: [{ name: 'url' }],
      execute: async (ctx) => {
        const response = await fetch(String(ctx.input.url));
        return { status: response.status };
      },
    },
    environment: { execute: () => ({ keys: Object.keys(process.env) }) },
    kill_server: {
      execute: () => {
        process.kill(process.ppid, 'SIGKILL');
        return { killed: process.ppid };
      },
    },
    kill_group: {
      execute: () => {
        process.kill(0, 'SIGKILL');
        return { killed: 0 };
      },
    },
  },
  triggers: {
    spin_hook: {
      webhookNotification: (ctx) => {
        if ((ctx.payload as { spin?: boolean }).spin) spin();
        return ctx.payload;
      },
    },
  },
  pickLists: {
    spin_list: spin,
  },
});
