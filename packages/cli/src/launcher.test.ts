import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const manifest = JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')) as { bin: { weft: string } };
const launcher = join(PACKAGE, manifest.bin.weft);

describe('the weft launcher npm links', () => {
  it('is a committed, executable file, so it exists in a clean clone before the build', () => {
    const tracked = execFileSync('git', ['ls-files', '--error-unmatch', manifest.bin.weft], { cwd: PACKAGE });
    expect(tracked.toString().trim()).toBe(manifest.bin.weft.replace(/^\.\//, ''));
    expect(statSync(launcher).mode & 0o111).not.toBe(0);
    expect(readFileSync(launcher, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('runs the built CLI with the arguments given', () => {
    const result = spawnSync(launcher, ['--help'], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Usage: weft');
  });

  it('says how to build when the CLI is not built yet', () => {
    const folder = mkdtempSync(join(tmpdir(), 'weft-launcher-'));
    try {
      mkdirSync(join(folder, 'bin'));
      copyFileSync(launcher, join(folder, 'bin', 'weft.js'));
      const result = spawnSync(process.execPath, [join(folder, 'bin', 'weft.js'), '--help'], { encoding: 'utf8' });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('Run `npm run build`');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
