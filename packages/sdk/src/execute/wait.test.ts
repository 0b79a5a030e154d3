import { describe, expect, test } from 'vitest';
import { defineConnector } from '../define.js';
import { execute } from './executor.js';

const connector = defineConnector({
  title: 'Wait test',
  actions: {
    approve: {
      execute: (ctx) => {
        if (ctx.resume) return { resumed: ctx.resume, continue: ctx.continue };
        return ctx.waitForResume({ timeoutSeconds: 30, continue: { url: ctx.resumeUrl } });
      },
    },
    bad_wait: { execute: (ctx) => ctx.waitForResume({ timeoutSeconds: 0, continue: null }) },
    plain: { execute: () => ({ ok: true }) },
    leaks: { execute: (ctx) => ({ url: ctx.resumeUrl }) },
  },
});

describe('waitForResume', () => {
  test('suspends with a distinct result kind carrying the timeout and continue', async () => {
    const result = await execute(connector, 'actions.approve.execute', { resumeUrl: 'https://weft.test/r/1/tok' });
    expect(result).toEqual({
      kind: 'waiting',
      waitForResume: { timeoutSeconds: 30, continue: { url: 'https://weft.test/r/1/tok' } },
    });
  });

  test('runs again with ctx.resume and ctx.continue', async () => {
    const result = await execute(connector, 'actions.approve.execute', {
      continue: { step: 2 },
      resume: { payload: { approved: true }, headers: { 'x-by': 'ann' } },
    });
    expect(result).toMatchObject({
      kind: 'output',
      output: { resumed: { payload: { approved: true }, headers: { 'x-by': 'ann' } }, continue: { step: 2 } },
    });
    const timedOut = await execute(connector, 'actions.approve.execute', { resume: { timedOut: true } });
    expect(timedOut).toMatchObject({ kind: 'output', output: { resumed: { timedOut: true } } });
  });

  test('a timeout that is not a positive number is a clear error', async () => {
    await expect(execute(connector, 'actions.bad_wait.execute')).rejects.toThrow(
      /waitForResume needs \{ timeoutSeconds: number > 0/,
    );
  });

  test('a resume URL given as a function is minted only when the action reads it', async () => {
    let minted = 0;
    const mint = () => {
      minted++;
      return `https://weft.test/r/${minted}`;
    };
    await execute(connector, 'actions.plain.execute', { resumeUrl: mint });
    expect(minted).toBe(0);
    const result = await execute(connector, 'actions.leaks.execute', { resumeUrl: mint });
    expect(result).toMatchObject({ output: { url: 'https://weft.test/r/1' } });
    expect(minted).toBe(1);
  });
});
