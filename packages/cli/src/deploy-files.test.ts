/**
 * The deployment files at the repository root (Dockerfile, compose.yaml, .dockerignore),
 * checked without Docker (no daemon here, and the image is not built in CI): the compose file
 * names only settings Weft reads and stops on a missing secret, every role is played by some
 * service, the paths the image runs and copies exist after `npm run build`, and the health
 * checks pass against real `weft serve` processes with the compose file's roles.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startCluster, type TestCluster } from './cluster-harness.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const read = (name: string) => readFileSync(join(ROOT, name), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
  volumes?: string[];
}

const composeText = read('compose.yaml');
const compose = parse(composeText, { merge: true }) as { services: Record<string, Service> };
const weftServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

/** Dockerfile instructions: continuation lines joined, comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [, op, args] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
      return { op: op.toUpperCase(), args };
    });
}

const dockerfile = instructions(read('Dockerfile'));
const finalStage = dockerfile.slice(dockerfile.findLastIndex((i) => i.op === 'FROM'));
const one = (op: string) => {
  const found = finalStage.filter((i) => i.op === op);
  expect(found, op).toHaveLength(1);
  return found[0].args;
};
/** An image path under WORKDIR /app → the same path in this repository. */
const inRepo = (path: string) => join(ROOT, path.replace(/^\/app\//, '').replace(/^\.\//, ''));

/** Every file of the built packages, as text: the settings Weft reads are named in there. */
function builtText(): string {
  let text = '';
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.js')) text += readFileSync(path, 'utf8');
    }
  };
  for (const pkg of ['sdk', 'platform', 'cli']) walk(join(ROOT, 'packages', pkg, 'dist'));
  return text;
}

/** The `node -e` script of a health check (the image's or a service's). */
function healthScript(test: string[] | string): string {
  const parts = typeof test === 'string' ? ['CMD-SHELL', test] : test;
  expect(parts.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  return parts[3];
}

/** The image's health check: `HEALTHCHECK [options] CMD ["node", "-e", "…"]`. */
function imageHealthScript(): string {
  const args = finalStage.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
  return healthScript(['CMD', ...(JSON.parse(args.slice(args.indexOf(' CMD ') + 5)) as string[])]);
}
const imageHealth = imageHealthScript();

describe('compose.yaml', () => {
  it('has PostgreSQL 18 with a health check and a volume, and Weft services built from the Dockerfile', () => {
    const pg = compose.services.postgres;
    expect(pg.image).toMatch(/^postgres:18/);
    expect(pg.healthcheck).toBeDefined();
    expect(pg.volumes).toContain('postgres-data:/var/lib/postgresql');
    expect(weftServices.map(([name]) => name).sort()).toEqual(['weft-api', 'weft-worker']);
    expect(compose.services['weft-api'].ports).toEqual(['4000:4000']);
    expect(compose.services['weft-worker'].ports).toBeUndefined();
  });

  it('names only settings Weft reads, and every process gets the shared ones', () => {
    const built = builtText();
    for (const [name, service] of weftServices) {
      const env = service.environment ?? {};
      for (const key of Object.keys(env))
        expect(built.includes(`'${key}'`) || built.includes(`.${key}`), key).toBe(true);
      for (const shared of [
        'WEFT_DATABASE_URL',
        'WEFT_MASTER_KEY',
        'WEFT_ADMIN_TOKEN',
        'WEFT_PUBLIC_URL',
        'WEFT_ROLES',
      ]) {
        expect(env[shared], `${name} ${shared}`).toBeTruthy();
      }
    }
    const [api, worker] = weftServices.map(([, s]) => s.environment ?? {});
    for (const shared of ['WEFT_DATABASE_URL', 'WEFT_MASTER_KEY', 'WEFT_ADMIN_TOKEN', 'WEFT_PUBLIC_URL']) {
      expect(api[shared]).toBe(worker[shared]);
    }
  });

  it('stops on a missing secret: every variable taken from .env is required, with a message', () => {
    const uses = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}/g)];
    expect(uses.map((m) => m[1]).sort()).toEqual(
      expect.arrayContaining(['POSTGRES_PASSWORD', 'WEFT_ADMIN_TOKEN', 'WEFT_MASTER_KEY', 'WEFT_PUBLIC_URL']),
    );
    for (const [use, , rest] of uses) expect(rest, use).toMatch(/^:\?\s*\S/);
  });

  it('plays every role somewhere, each service a valid set of roles', () => {
    const played = new Set<string>();
    for (const [, service] of weftServices) {
      for (const role of String(service.environment?.WEFT_ROLES).split(',')) {
        expect(['api', 'ingress', 'scheduler', 'worker']).toContain(role);
        played.add(role);
      }
    }
    expect([...played].sort()).toEqual(['api', 'ingress', 'scheduler', 'worker']);
  });

  it('starts a service only after what it depends on is healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
        const target = compose.services[dependency];
        // A Weft service without its own health check has the image's.
        expect(target.healthcheck ?? (target.build ? imageHealth : undefined), dependency).toBeDefined();
      }
    }
  });
});

describe('Dockerfile', () => {
  it('runs the built CLI as a non-root user on port 4000 with its data in a volume', () => {
    expect(finalStage[0].args).toBe('node:20-bookworm-slim');
    expect(dockerfile.filter((i) => i.op === 'FROM')[0].args).toBe('node:20-bookworm-slim AS build');
    expect(one('USER')).not.toMatch(/^(root|0)\b/);
    expect(one('ENV')).toContain('WEFT_HOME=/var/lib/weft');
    expect(one('VOLUME')).toBe('/var/lib/weft');
    expect(one('EXPOSE')).toBe('4000');
    const entrypoint = JSON.parse(one('ENTRYPOINT')) as string[];
    expect(entrypoint[0]).toBe('node');
    expect(existsSync(inRepo(entrypoint[1])), entrypoint[1]).toBe(true);
    expect(JSON.parse(one('CMD'))).toEqual(['serve', '--host', '0.0.0.0', '--port', '4000']);
  });

  it('copies into the final image only paths that exist after npm run build', () => {
    const copies = finalStage.filter((i) => i.op === 'COPY');
    expect(copies.length).toBeGreaterThan(5);
    for (const { args } of copies) {
      const [, source] = /^--from=build\s+(\S+)\s+\S+$/.exec(args) ?? [];
      expect(source, args).toBeDefined();
      expect(existsSync(inRepo(source)), source).toBe(true);
    }
    // What `weft serve` needs at run time besides the code: the console, the built-in and the example connectors.
    const sources = copies.map((c) => c.args);
    for (const needed of [
      'packages/console/dist',
      'packages/platform/builtins',
      'connectors',
      'node_modules',
      'packages/cli/dist',
    ]) {
      expect(
        sources.some((s) => s.includes(`/app/${needed} `)),
        needed,
      ).toBe(true);
    }
  });

  it('is not sent what the image builds itself (installed packages, builds, data, secrets)', () => {
    const ignored = read('.dockerignore');
    for (const pattern of ['**/node_modules', '**/dist', '**/*.tsbuildinfo', '**/.weft', '**/.env']) {
      expect(ignored).toContain(pattern);
    }
    for (const { op, args } of dockerfile) {
      if (op !== 'COPY' || args.startsWith('--from')) continue;
      for (const source of args.split(/\s+/).slice(0, -1)) expect(existsSync(join(ROOT, source)), source).toBe(true);
    }
  });
});

describe('the health checks against real processes with the compose roles', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });

  /** Runs a health check's script with the port of `url` in place of 4000; its exit code. */
  const check = (script: string, url: string) => {
    expect(script).toContain('http://127.0.0.1:4000/');
    const port = new URL(url).port;
    return spawnSync(process.execPath, ['-e', script.replace('127.0.0.1:4000', `127.0.0.1:${port}`)], {
      timeout: 10_000,
    }).status;
  };

  it('passes on every Weft service, and fails when nothing answers', async () => {
    for (const [name, service] of weftServices) {
      const node = await cluster.node({ roles: service.environment?.WEFT_ROLES });
      expect(check(imageHealth, node.url), `${name}: the image's health check`).toBe(0);
      if (service.healthcheck) {
        expect(check(healthScript(service.healthcheck.test), node.url), `${name}: its health check`).toBe(0);
      }
    }
    expect(check(imageHealth, 'http://127.0.0.1:9')).toBe(1);
  }, 120_000);
});
