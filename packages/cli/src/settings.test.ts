import { createCipheriv, randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, test } from 'vitest';
import { runWeft } from './test-helpers.js';

const SESSION = fileURLToPath(new URL('./__fixtures__/session/connector.ts', import.meta.url));
const HEADER = 'WEFT-ENC 1 aes-256-gcm';
const PASSWORD = 'pw-correct-horse-battery';
const TOKEN = 'sess-ada-7f3a9c1e5b';
const PLAIN = `# Ada's sandbox account\nuser: ada\npassword: ${PASSWORD}\n`;

let dir: string;
/** The environment of every run: no key from the machine running the tests. */
let env: Record<string, string>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'weft-settings-'));
  // `weft edit` works in os.tmpdir(): give it one of its own so that leftovers can be checked.
  await mkdir(join(dir, 'tmp'));
  env = { WEFT_MASTER_KEY: '', TMPDIR: join(dir, 'tmp'), EDITOR: '', VISUAL: '' };
});

const path = (name: string) => join(dir, name);
const modeOf = async (name: string) => (await stat(path(name))).mode & 0o777;

function weft(args: string[], extraEnv: Record<string, string> = {}) {
  return runWeft(args, { cwd: dir, env: { ...env, ...extraEnv } });
}

/** A user mistake: non-zero exit, one short message, no stack trace. */
function expectCleanFailure(result: { code: number | null; stderr: string; stdout: string }, message: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** settings.yaml.enc made from PLAIN with a new master.key; returns its bytes. */
async function encrypted(text = PLAIN): Promise<Buffer> {
  await writeFile(path('settings.yaml'), text);
  const result = await weft(['settings', 'encrypt', '--remove-plain']);
  expect(result.code).toBe(0);
  return readFile(path('settings.yaml.enc'));
}

async function decrypted(name = 'settings.yaml.enc', extraEnv: Record<string, string> = {}): Promise<string> {
  const result = await weft(['settings', 'decrypt', name], extraEnv);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** An $EDITOR: a node script that gets the file to edit as its one argument. */
async function editor(source: string): Promise<string> {
  const script = path(`editor-${randomBytes(4).toString('hex')}.mjs`);
  await writeFile(
    script,
    `import { readFileSync, writeFileSync } from 'node:fs';\nconst file = process.argv[2];\n${source}\n`,
  );
  return `"${process.execPath}" "${script}"`;
}

describe('weft settings encrypt', () => {
  test('seals settings.yaml into settings.yaml.enc and creates master.key with mode 0600', async () => {
    await writeFile(path('settings.yaml'), PLAIN);
    const result = await weft(['settings', 'encrypt']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/created the master key .*master\.key \(mode 0600\)/);
    expect(result.stderr).toMatch(/settings\.yaml is still there/);
    expect(await modeOf('master.key')).toBe(0o600);
    expect(await modeOf('settings.yaml.enc')).toBe(0o600);
    expect((await readFile(path('master.key'), 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const sealed = await readFile(path('settings.yaml.enc'), 'utf8');
    expect(sealed.split('\n')[0]).toBe(HEADER);
    expect(sealed).not.toContain(PASSWORD);
    // ':' and ' ' are not base64, so only leaked plain text can match (a bare 'ada' did by chance).
    expect(sealed).not.toContain('user: ada');
    // The plain file stays unless asked otherwise; the key is never printed.
    expect(await readFile(path('settings.yaml'), 'utf8')).toBe(PLAIN);
    const key = (await readFile(path('master.key'), 'utf8')).trim();
    expect(result.stderr + result.stdout).not.toContain(key);
    expect(await decrypted()).toBe(PLAIN);
  });

  test('every encryption draws a fresh nonce', async () => {
    await writeFile(path('settings.yaml'), PLAIN);
    await weft(['settings', 'encrypt']);
    const first = await readFile(path('settings.yaml.enc'), 'utf8');
    expect((await weft(['settings', 'encrypt', '--force'])).code).toBe(0);
    const second = await readFile(path('settings.yaml.enc'), 'utf8');
    expect(second).not.toBe(first);
    expect(await decrypted()).toBe(PLAIN);
  });

  test('refuses to overwrite an existing .enc without --force, and keeps it', async () => {
    const before = await encrypted();
    await writeFile(path('settings.yaml'), 'user: grace\n');
    const refused = await weft(['settings', 'encrypt']);
    expectCleanFailure(refused, /settings\.yaml\.enc already exists: pass --force/);
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
    const forced = await weft(['settings', 'encrypt', '--force']);
    expect(forced.code).toBe(0);
    expect(forced.stderr).not.toMatch(/created the master key/); // the existing master.key is reused
    expect(await decrypted()).toBe('user: grace\n');
  });

  test('--remove-plain deletes the plain file once the encrypted one is written', async () => {
    await encrypted();
    expect(await readdir(dir)).not.toContain('settings.yaml');
  });

  test('uses WEFT_MASTER_KEY (hex or base64) and then creates no master.key', async () => {
    await writeFile(path('settings.yaml'), PLAIN);
    const base64 = randomBytes(32).toString('base64');
    const result = await weft(['settings', 'encrypt'], { WEFT_MASTER_KEY: base64 });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/key from WEFT_MASTER_KEY/);
    expect(await readdir(dir)).not.toContain('master.key');
    expect(await decrypted('settings.yaml.enc', { WEFT_MASTER_KEY: base64 })).toBe(PLAIN);
    // The same 32 bytes written in hex open it too.
    const hex = Buffer.from(base64, 'base64').toString('hex');
    expect(await decrypted('settings.yaml.enc', { WEFT_MASTER_KEY: hex })).toBe(PLAIN);
  });

  test('refuses a file that is not a settings mapping, and a missing file', async () => {
    await writeFile(path('list.yaml'), '- a\n- b\n');
    expectCleanFailure(await weft(['settings', 'encrypt', 'list.yaml']), /list\.yaml: must be a mapping/);
    await writeFile(path('broken.yaml'), 'user: [unclosed\n');
    expectCleanFailure(await weft(['settings', 'encrypt', 'broken.yaml']), /broken\.yaml: not valid YAML/);
    expectCleanFailure(
      await weft(['settings', 'encrypt', 'nope.yaml']),
      /nope\.yaml: cannot read the file \(file not found\)/,
    );
    await writeFile(path('broken.json'), `{"password": ${PASSWORD}}\n`);
    const json = await weft(['settings', 'encrypt', 'broken.json']);
    expectCleanFailure(json, /broken\.json: not valid JSON \(Unexpected token/);
    expect(json.stderr).not.toContain(PASSWORD.slice(1));
    expect(await readdir(dir)).not.toContain('master.key');
  });
});

describe('weft settings decrypt', () => {
  test('prints the YAML on stdout', async () => {
    await encrypted();
    const result = await weft(['settings', 'decrypt']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(PLAIN);
  });

  test('--output writes a 0600 file and refuses to overwrite without --force', async () => {
    await encrypted();
    const result = await weft(['settings', 'decrypt', '--output=plain.yaml']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(await readFile(path('plain.yaml'), 'utf8')).toBe(PLAIN);
    expect(await modeOf('plain.yaml')).toBe(0o600);
    await writeFile(path('plain.yaml'), 'keep me\n');
    expectCleanFailure(await weft(['settings', 'decrypt', '--output=plain.yaml']), /already exists: pass --force/);
    expect(await readFile(path('plain.yaml'), 'utf8')).toBe('keep me\n');
    expect((await weft(['settings', 'decrypt', '--output=plain.yaml', '--force'])).code).toBe(0);
    expect(await readFile(path('plain.yaml'), 'utf8')).toBe(PLAIN);
  });

  test('without any key it says where a key is looked for', async () => {
    await encrypted();
    await rm(path('master.key'));
    const result = await weft(['settings', 'decrypt']);
    expectCleanFailure(result, /no master key\. Set WEFT_MASTER_KEY .* or put the master\.key .* at .*master\.key/);
  });

  test('a file that is not encrypted is named as such', async () => {
    await writeFile(path('plain.yaml.enc'), PLAIN);
    await writeFile(path('master.key'), `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    expectCleanFailure(await weft(['settings', 'decrypt', 'plain.yaml.enc']), /not an encrypted Weft settings file/);
  });
});

describe('a wrong or malformed key, or a modified file, is a clear error and changes nothing', () => {
  const decryptError = /cannot decrypt .*settings\.yaml\.enc: wrong master key or the file was modified/;

  test('a wrong WEFT_MASTER_KEY', async () => {
    const before = await encrypted();
    const wrong = randomBytes(32).toString('hex');
    const result = await weft(['settings', 'decrypt'], { WEFT_MASTER_KEY: wrong });
    expectCleanFailure(result, decryptError);
    expect(result.stderr).toMatch(/key from WEFT_MASTER_KEY/);
    expect(result.stderr).not.toContain(wrong);
    // exec would write acquired values back: it must not touch the file.
    const exec = await weft(
      ['exec', 'connection.authorization.acquire', `--connector=${SESSION}`, '--settings=settings.yaml.enc'],
      { WEFT_MASTER_KEY: wrong },
    );
    expectCleanFailure(exec, decryptError);
    const edit = await weft(['edit'], { WEFT_MASTER_KEY: wrong, EDITOR: await editor('') });
    expectCleanFailure(edit, decryptError);
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
  });

  test('a malformed WEFT_MASTER_KEY names the expected form and not the value', async () => {
    await encrypted();
    for (const bad of ['not-a-key', 'ab'.repeat(31), randomBytes(16).toString('base64')]) {
      const result = await weft(['settings', 'decrypt'], { WEFT_MASTER_KEY: bad });
      expectCleanFailure(result, /WEFT_MASTER_KEY must be a key of 32 bytes written as 64 hex characters or as base64/);
      expect(result.stderr).not.toContain(bad);
    }
  });

  test('a malformed master.key', async () => {
    await encrypted();
    await writeFile(path('master.key'), 'hello\n');
    expectCleanFailure(await weft(['settings', 'decrypt']), /master\.key must be a key of 32 bytes/);
  });

  test('one changed character, a cut-off file, an emptied file', async () => {
    const original = await encrypted();
    const text = original.toString('latin1');
    const at = HEADER.length + 20;
    const flipped = text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    for (const damaged of [flipped, text.slice(0, text.length - 10), `${HEADER}\n`, '']) {
      await writeFile(path('settings.yaml.enc'), damaged, 'latin1');
      expectCleanFailure(await weft(['settings', 'decrypt']), decryptError);
      const exec = await weft([
        'exec',
        'connection.authorization.acquire',
        `--connector=${SESSION}`,
        '--settings=settings.yaml.enc',
      ]);
      expectCleanFailure(exec, decryptError);
      expect(await readFile(path('settings.yaml.enc'), 'latin1')).toBe(damaged);
    }
  });

  test('a changed header line is detected too', async () => {
    const original = (await encrypted()).toString('latin1');
    await writeFile(path('settings.yaml.enc'), original.replace(HEADER, 'WEFT-ENC 9 aes-256-gcm'), 'latin1');
    expectCleanFailure(await weft(['settings', 'decrypt']), /format this weft does not read/);
  });

  test('a master.key readable by others works but warns', async () => {
    await encrypted();
    await chmod(path('master.key'), 0o644);
    const result = await weft(['settings', 'decrypt']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(PLAIN);
    expect(result.stderr).toMatch(/warning: .*master\.key can be read by other users \(mode 0644\).*chmod 600/);
  });
});

describe('weft exec with encrypted settings', () => {
  const exec = (...args: string[]) => weft(['exec', ...args, `--connector=${SESSION}`]);

  test('reads settings.yaml.enc and writes acquired values back encrypted', async () => {
    const before = await encrypted();
    const who = await exec('actions.whoami.execute', '--settings=settings.yaml.enc');
    expect(who.code).toBe(0);
    expect(JSON.parse(who.stdout)).toEqual({ user: 'ada', has_password: true, has_session: false });

    const acquire = await exec('connection.authorization.acquire', '--settings=settings.yaml.enc');
    expect(acquire.code).toBe(0);
    expect(JSON.parse(acquire.stdout)).toEqual({ session_token: '[REDACTED]' });
    expect(acquire.stderr).toMatch(/updated connection values written to .*settings\.yaml\.enc/);
    expect(acquire.stdout + acquire.stderr).not.toContain(TOKEN);

    const after = await readFile(path('settings.yaml.enc'));
    expect(after).not.toEqual(before);
    expect(after.toString('latin1').split('\n')[0]).toBe(HEADER);
    for (const secret of [TOKEN, PASSWORD, 'session_token']) expect(after.toString('latin1')).not.toContain(secret);
    expect(await modeOf('settings.yaml.enc')).toBe(0o600);
    expect(await readdir(dir)).toEqual(['master.key', 'settings.yaml.enc', 'tmp']); // no temp files left
    // Comments and order survive inside the encrypted document.
    expect(await decrypted()).toBe(`${PLAIN}session_token: ${TOKEN}\n`);

    const again = await exec('actions.whoami.execute', '--settings=settings.yaml.enc');
    expect(JSON.parse(again.stdout)).toMatchObject({ has_session: true });
  });

  test('named connections inside an encrypted file', async () => {
    await encrypted(`# two accounts\nsandbox:\n  user: ada\n  password: p1\nlive:\n  user: grace\n  password: p2\n`);
    const several = await exec('actions.whoami.execute', '--settings=settings.yaml.enc');
    expectCleanFailure(several, /several connections \(sandbox, live\).*--connection/);
    const acquire = await exec('connection.authorization.acquire', '--settings=settings.yaml.enc', '--connection=live');
    expect(acquire.code).toBe(0);
    const text = await decrypted();
    expect(text).toContain('# two accounts');
    expect(text).toMatch(/live:\n {2}user: grace\n {2}password: p2\n {2}session_token: sess-grace-7f3a9c1e5b\n/);
    expect(text).not.toContain('sess-ada');
  });

  test('the default settings file beside the connector may be settings.yaml.enc, which wins over a plain one', async () => {
    await copyFile(SESSION, path('connector.ts'));
    await encrypted();
    const found = await weft(['exec', 'actions.whoami.execute']);
    expect(found.stderr).toBe('');
    expect(JSON.parse(found.stdout)).toMatchObject({ user: 'ada' });
    await writeFile(path('settings.yaml'), 'user: plain\npassword: x\n');
    const both = await weft(['exec', 'actions.whoami.execute']);
    expect(both.code).toBe(0);
    expect(JSON.parse(both.stdout)).toMatchObject({ user: 'ada' });
    expect(both.stderr).toMatch(
      /warning: both settings\.yaml\.enc and settings\.yaml are in .*using settings\.yaml\.enc/,
    );
  });

  test('plain settings are still written back atomically, keeping their mode', async () => {
    await writeFile(path('settings.yaml'), PLAIN, { mode: 0o640 });
    await chmod(path('settings.yaml'), 0o640);
    const acquire = await exec('connection.authorization.acquire', '--settings=settings.yaml');
    expect(acquire.code).toBe(0);
    expect(await readFile(path('settings.yaml'), 'utf8')).toBe(`${PLAIN}session_token: ${TOKEN}\n`);
    expect(await modeOf('settings.yaml')).toBe(0o640);
    expect(await readdir(dir)).toEqual(['settings.yaml', 'tmp']);
  });

  test('a plain settings file that is not a mapping, or not YAML, is a clear error', async () => {
    await writeFile(path('list.yaml'), '- user\n- ada\n');
    expectCleanFailure(
      await exec('test', '--settings=list.yaml'),
      /list\.yaml: must be a mapping of connection values/,
    );
    await writeFile(path('bad.yaml'), 'user: [ada\n');
    expectCleanFailure(await exec('test', '--settings=bad.yaml'), /bad\.yaml: not valid YAML/);
  });

  test('the documented file format, built by hand, is read; a non-mapping inside is a clear error', async () => {
    const key = randomBytes(32);
    const seal = (text: string) => {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, nonce);
      cipher.setAAD(Buffer.from(HEADER));
      const body = Buffer.concat([nonce, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${HEADER}\n${body.toString('base64')}\n`;
    };
    const WEFT_MASTER_KEY = key.toString('hex');
    await writeFile(path('hand.yaml.enc'), seal('user: hand\npassword: x\n'));
    const ok = await weft(['exec', 'actions.whoami.execute', `--connector=${SESSION}`, '--settings=hand.yaml.enc'], {
      WEFT_MASTER_KEY,
    });
    expect(JSON.parse(ok.stdout)).toMatchObject({ user: 'hand' });
    await writeFile(path('list.yaml.enc'), seal(`- ${PASSWORD}\n`));
    const list = await weft(['exec', 'test', `--connector=${SESSION}`, '--settings=list.yaml.enc'], {
      WEFT_MASTER_KEY,
    });
    expectCleanFailure(list, /list\.yaml\.enc: must be a mapping/);
    await writeFile(path('bad.yaml.enc'), seal(`password: [${PASSWORD}\n`));
    const bad = await weft(['exec', 'test', `--connector=${SESSION}`, '--settings=bad.yaml.enc'], {
      WEFT_MASTER_KEY,
    });
    expectCleanFailure(bad, /bad\.yaml\.enc: not valid YAML/);
    expect(bad.stderr).not.toContain(PASSWORD);
  });
});

describe('weft edit', () => {
  const tmpLeft = () => readdir(path('tmp'));

  test('round trip: the editor changes the file, weft re-encrypts it and cleans up', async () => {
    const before = await encrypted();
    const EDITOR = await editor(
      `const text = readFileSync(file, 'utf8');\n` +
        `if ((await import('node:fs')).statSync(file).mode & 0o077) throw new Error('temp file readable by others');\n` +
        `writeFileSync(file, text.replace('user: ada', 'user: lovelace') + 'region: eu\\n');`,
    );
    const result = await weft(['edit'], { EDITOR });
    expect(result.stderr).toMatch(/saved settings\.yaml\.enc/);
    expect(result.code).toBe(0);
    const after = await readFile(path('settings.yaml.enc'));
    expect(after).not.toEqual(before);
    expect(after.toString('latin1')).not.toContain('lovelace');
    expect(await modeOf('settings.yaml.enc')).toBe(0o600);
    expect(await decrypted()).toBe(`${PLAIN.replace('user: ada', 'user: lovelace')}region: eu\n`);
    expect(await tmpLeft()).toEqual([]);
    expect(await readdir(dir)).not.toContain('settings.yaml');
  });

  test('$VISUAL wins over $EDITOR, and a file argument names another file', async () => {
    await writeFile(path('prod.yaml'), 'user: ada\npassword: x\n');
    expect((await weft(['settings', 'encrypt', 'prod.yaml'])).code).toBe(0);
    const VISUAL = await editor(`writeFileSync(file, readFileSync(file, 'utf8') + 'by: visual\\n');`);
    const EDITOR = await editor(`writeFileSync(file, readFileSync(file, 'utf8') + 'by: editor\\n');`);
    expect((await weft(['edit', 'prod.yaml.enc'], { VISUAL, EDITOR })).code).toBe(0);
    expect(await decrypted('prod.yaml.enc')).toBe('user: ada\npassword: x\nby: visual\n');
  });

  test('invalid YAML leaves the .enc untouched and keeps the edit in a recovery file to resume from', async () => {
    const before = await encrypted();
    const broken = await editor(`writeFileSync(file, readFileSync(file, 'utf8') + 'region: [eu\\n');`);
    const result = await weft(['edit'], { EDITOR: broken });
    expectCleanFailure(result, /not valid YAML/);
    expect(result.stderr).toMatch(/settings\.yaml\.enc was left unchanged/);
    expect(result.stderr).not.toContain(PASSWORD);
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
    const recovery = /Your edit is kept in (\S+)/.exec(result.stderr)?.[1];
    expect(recovery).toBeDefined();
    expect(recovery!.startsWith(path('tmp'))).toBe(true);
    expect(await readFile(recovery!, 'utf8')).toBe(`${PLAIN}region: [eu\n`);
    expect((await stat(recovery!)).mode & 0o777).toBe(0o600);

    const fix = await editor(`writeFileSync(file, readFileSync(file, 'utf8').replace('[eu', '[eu]'));`);
    const resumed = await weft(['edit', `--from=${recovery}`], { EDITOR: fix });
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(/removed the recovery file/);
    expect(await decrypted()).toBe(`${PLAIN}region: [eu]\n`);
    expect(await tmpLeft()).toEqual([]);
  });

  test('a .enc file rewritten during the edit is not overwritten; the edit is kept', async () => {
    await encrypted();
    const enc = path('settings.yaml.enc');
    // Stands for a token refresh by another weft while the editor is open.
    const racing = await editor(
      `writeFileSync(file, 'user: mine\\n');\n` +
        `writeFileSync(${JSON.stringify(enc)}, readFileSync(${JSON.stringify(enc)}, 'utf8') + '\\n');`,
    );
    const result = await weft(['edit'], { EDITOR: racing });
    expectCleanFailure(result, /settings\.yaml\.enc was changed by something else while you were editing/);
    const theirs = await readFile(enc, 'utf8');
    expect(theirs.endsWith('\n\n')).toBe(true);
    expect(await decrypted()).toBe(PLAIN);
    const recovery = /Your edit is kept in (\S+)/.exec(result.stderr)?.[1];
    expect(await readFile(recovery!, 'utf8')).toBe('user: mine\n');
  });

  test('a result that is not a mapping is refused the same way', async () => {
    const before = await encrypted();
    const result = await weft(['edit'], { EDITOR: await editor(`writeFileSync(file, '- just\\n- a list\\n');`) });
    expectCleanFailure(result, /must be a mapping of connection values/);
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
  });

  test('an editor that fails or is missing changes nothing and leaves no temp file', async () => {
    const before = await encrypted();
    const failing = await editor(`writeFileSync(file, 'user: changed\\n'); process.exit(3);`);
    expectCleanFailure(
      await weft(['edit'], { EDITOR: failing }),
      /exited with code 3; settings\.yaml\.enc was left unchanged/,
    );
    expectCleanFailure(
      await weft(['edit'], { EDITOR: 'weft-no-such-editor' }),
      /exited with code 127 \(is it installed\?/,
    );
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
    expect(await tmpLeft()).toEqual([]);
  });

  test('no change means no rewrite', async () => {
    const before = await encrypted();
    const result = await weft(['edit'], { EDITOR: await editor('') });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/no changes/);
    expect(await readFile(path('settings.yaml.enc'))).toEqual(before);
    expect(await tmpLeft()).toEqual([]);
  });

  test('a plain or missing file is a clear error', async () => {
    await writeFile(path('settings.yaml'), PLAIN);
    expectCleanFailure(
      await weft(['edit', 'settings.yaml']),
      /weft edit edits encrypted settings.*weft settings encrypt/,
    );
    expectCleanFailure(await weft(['edit']), /settings\.yaml\.enc: cannot read the file \(file not found\)/);
  });
});
