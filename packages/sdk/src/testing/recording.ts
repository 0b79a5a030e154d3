/** Recording mode (`WEFT_RECORD`) and where the running test's cassette lives. */
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { CassetteError } from './cassette.js';

export type RecordMode = 'all' | 'new' | 'none';

/** `WEFT_RECORD=1` (or `true`, `all`) records every cassette; `new` only missing ones. */
export function recordMode(value: string | undefined = process.env.WEFT_RECORD): RecordMode {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'new' || v === 'missing') return 'new';
  return v === '' || v === '0' || v === 'false' || v === 'no' || v === 'none' ? 'none' : 'all';
}

/** True while recording (`WEFT_RECORD=1`): start the live API (or a local stand-in) only then. */
export function isRecording(): boolean {
  return recordMode() !== 'none';
}

export interface TestState {
  testPath?: string;
  currentTestName?: string;
}

/** The running Vitest (or Jest-compatible) test, when there is one. */
export function currentTest(): TestState {
  const expect = (globalThis as Record<symbol, any>)[Symbol.for('expect-global')];
  try {
    return (expect?.getState?.() as TestState) ?? {};
  } catch {
    return {};
  }
}

function slug(name: string): string {
  return (
    name
      .replace(/\s+>\s+/g, '--')
      .replace(/[^\w.-]+/g, '-')
      .replace(/-{3,}/g, '--')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 120) || 'cassette'
  );
}

/** Where a test's cassette lives. */
export function cassettePath(cassette: string | true, test: TestState = currentTest()): string {
  const testDir = test.testPath ? dirname(test.testPath) : process.cwd();
  if (typeof cassette === 'string' && (isAbsolute(cassette) || cassette.endsWith('.json') || cassette.includes('/'))) {
    return resolve(testDir, cassette.endsWith('.json') ? cassette : `${cassette}.json`);
  }
  if (!test.testPath) {
    throw new CassetteError(
      'CASSETTE_INVALID',
      'loadConnector: no running test to name the cassette after: pass cassette: "<file>.json"',
    );
  }
  const name = typeof cassette === 'string' ? cassette : test.currentTestName;
  if (!name) {
    throw new CassetteError(
      'CASSETTE_INVALID',
      'loadConnector: run operations inside a test (the cassette is named after it), or pass cassette: "<name>"',
    );
  }
  return join(testDir, '__cassettes__', basename(test.testPath), `${slug(name)}.json`);
}
