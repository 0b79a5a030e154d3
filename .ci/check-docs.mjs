#!/usr/bin/env node
// The docs as a newcomer follows them: every relative link of README.md and docs/ reaches an
// existing file (and heading, for a #fragment, by GitHub's anchor rule), and every
// `weft <command> --flag` the docs write in code exists in that command's --help. Needs the
// build (`npm install` makes it). Prints each problem with its file and line; exits 1 on any.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const markdown = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdown(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  );
const files = [join(root, 'README.md'), ...markdown(join(root, 'docs'))];
const problems = [];
const report = (file, index, text) => problems.push(`${relative(root, file)}:${index + 1}: ${text}`);
const withoutFences = (text) => text.replace(/```[\s\S]*?```/g, (block) => block.replace(/[^\n]/g, ' '));

// GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered.
const slug = (heading) =>
  heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const anchorCache = new Map();
function anchors(file) {
  if (!anchorCache.has(file)) {
    const seen = new Map();
    const found = new Set();
    for (const m of withoutFences(readFileSync(file, 'utf8')).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
      const s = slug(m[1]);
      const n = seen.get(s) ?? 0;
      seen.set(s, n + 1);
      found.add(n ? `${s}-${n}` : s);
    }
    anchorCache.set(file, found);
  }
  return anchorCache.get(file);
}

for (const file of files) {
  const lines = withoutFences(readFileSync(file, 'utf8')).split('\n');
  lines.forEach((line, index) => {
    for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const link = m[1];
      if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue;
      const [path, fragment] = link.split('#');
      const target = path ? resolve(dirname(file), decodeURI(path)) : file;
      if (!existsSync(target)) report(file, index, `link to a missing file: ${link}`);
      else if (fragment !== undefined && target.endsWith('.md') && !statSync(target).isDirectory()) {
        if (!anchors(target).has(fragment)) report(file, index, `link to a missing heading: ${link}`);
      }
    }
  });
}

// Commands and flags: in code spans and code blocks, `weft <command> [<subcommand>] ... --flag`.
const bin = join(root, 'packages/cli/bin/weft.js');
const helpCache = new Map();
function help(words) {
  const key = words.join(' ');
  if (!helpCache.has(key)) {
    try {
      helpCache.set(
        key,
        execFileSync(process.execPath, [bin, ...words, '--help'], { encoding: 'utf8', stdio: 'pipe' }),
      );
    } catch {
      helpCache.set(key, null);
    }
  }
  return helpCache.get(key);
}
const commands = new Set([...(help([]) ?? '').matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]));
if (commands.size === 0) problems.push(`weft --help listed no commands: build first (npm run build)`);
for (const file of files) {
  if (file.endsWith('changelog.md')) continue;
  const text = readFileSync(file, 'utf8');
  const fenced = new Set();
  let inFence = false;
  text.split('\n').forEach((line, index) => {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    else if (inFence) fenced.add(index);
  });
  text.split('\n').forEach((line, index) => {
    const snippets = [...line.matchAll(/`([^`]*\bweft [^`]*)`/g)].map((m) => m[1]);
    if (fenced.has(index)) snippets.push(line);
    for (const snippet of snippets) {
      const m = snippet.match(/(?:^|[\s(=$])(?:npx )?weft ([a-z][\w-]*)((?: [a-z][\w-]*)?)(.*)$/);
      if (!m || !commands.has(m[1])) continue;
      const sub = m[2].trim();
      const words = sub && (help([m[1]]) ?? '').includes(`\n  ${sub} `) ? [m[1], sub] : [m[1]];
      const usage = help(words);
      const rest = `${words.length === 1 ? m[2] : ''}${m[3]}`.split(/\s#/)[0];
      for (const f of rest.matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)) {
        if (!new RegExp(`${f[1]}(?![\\w-])`).test(usage ?? ''))
          report(file, index, `weft ${words.join(' ')} has no ${f[1]}`);
      }
    }
  });
}

for (const problem of problems) console.log(problem);
console.log(
  problems.length ? `${problems.length} problem(s) in the docs` : 'docs: links, anchors and weft flags all resolve',
);
process.exit(problems.length ? 1 : 0);
