// `!File` against a hostile blueprint directory or git repository: symbolic links that lead out
// of the permitted roots (to /proc/self/environ, to a secret next to the directory, through a
// linked directory), devices and FIFOs that would hang or grow without bound, and files too large
// to be a certificate. Driven through the real CLI (`akbp compile`, `akbp plan --sandbox`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeRepo, type TestRepo } from '../helpers/git.js';
import { tempDir } from '../helpers/registry.js';

const SECRET = 'hostile-secret-7c1f0e';
const TOKEN = 'ak-token-do-not-leak-93b2';

/** One group whose attributes read each name with !File (a default, so unreadable is not fatal). */
function blueprint(names: string[]): string {
  const lines = names.map((n) => `      ${n.replace(/\W/g, '_')}: !File [${n}, fallback]`);
  return [
    'version: 1',
    'metadata:',
    '  name: hostile',
    'entries:',
    '  - model: authentik_core.group',
    '    identifiers: {name: hostile}',
    '    attrs:',
    '      attributes:',
    ...lines.map((l) => `  ${l}`),
    '',
  ].join('\n');
}

const LINKS = ['env', 'secret', 'linked/secret.txt', 'zero', 'stdin'];

function plantLinks(dir: string, outside: string): void {
  symlinkSync('/proc/self/environ', join(dir, 'env'));
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'secret'));
  symlinkSync(outside, join(dir, 'linked'));
  symlinkSync('/dev/zero', join(dir, 'zero'));
  symlinkSync('/dev/stdin', join(dir, 'stdin'));
}

function assertNoLeak(out: string): void {
  assert.ok(!out.includes(SECRET), 'the secret next to the blueprint directory is not printed');
  assert.ok(!out.includes(TOKEN), 'the token is not printed');
  assert.ok(!/PATH=|HOME=/.test(out), 'no environment block is printed');
}

let work: string;
let outside: string;
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: work, AUTHENTIK_TOKEN: TOKEN, AKBP_CACHE_DIR: join(work, 'cache') });

before(() => {
  work = tempDir('hostile-file');
  outside = join(work, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), `${SECRET}\n`);
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('!File in a local blueprint directory', () => {
  let dir: string;
  before(() => {
    dir = join(work, 'bp');
    mkdirSync(dir);
    plantLinks(dir, outside);
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    writeFileSync(join(dir, 'big.pem'), Buffer.alloc(2 * 1024 * 1024, 'a'));
    writeFileSync(join(dir, 'ok.pem'), 'inside\n');
    writeFileSync(join(dir, 'inner-target.txt'), 'inner\n');
    symlinkSync('inner-target.txt', join(dir, 'inner-link'));
    writeFileSync(join(dir, 'a.yaml'), blueprint([...LINKS, 'pipe', 'big.pem', 'ok.pem', 'inner-link']));
  });

  test('!File cannot read /proc/self/environ, a secret or a device through a symlink in the blueprint directory (akbp compile)', async () => {
    const r = await runCli(['compile', dir, '--format', 'json'], { cwd: work, env: env() });
    const out = r.stdout + r.stderr;
    assertNoLeak(out);
    assert.equal(r.code, 1, out);
    const located = (code: string, line: number) => new RegExp(`${code}[\\s\\S]{0,300}?a\\.yaml:${line}:\\d+|a\\.yaml:${line}:\\d+[\\s\\S]{0,300}?${code}`);
    for (const line of [9, 10, 11, 12, 13]) assert.match(out, located('AKB3007', line), `link on line ${line} refused as outside:\n${out}`);
    assert.match(out, located('AKB3031', 14), 'a FIFO is refused, not waited on');
    assert.match(out, located('AKB3031', 15), 'a 2 MiB file is refused');
    assert.ok(!out.includes('aaaaaaaaaaaaaaaa'), 'the refused large file is not quoted');
  });

  test('!File reads a regular file and a symlink that stays inside the directory', async () => {
    const dir2 = join(work, 'bp-ok');
    mkdirSync(dir2);
    writeFileSync(join(dir2, 'ok.pem'), 'inside\n');
    writeFileSync(join(dir2, 'inner-target.txt'), 'inner\n');
    symlinkSync('inner-target.txt', join(dir2, 'inner-link'));
    writeFileSync(join(dir2, 'a.yaml'), blueprint(['ok.pem', 'inner-link']));
    const r = await runCli(['compile', dir2, '--format', 'json'], { cwd: work, env: env() });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"ok_pem": "inside"/);
    assert.match(r.stdout, /"inner_link": "inner"/);
  });

  test('!File through a symlink is refused in plan --sandbox too, in every format', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const r = await runCli(['plan', dir, '--sandbox', '--format', format], { cwd: work, env: env() });
      const out = r.stdout + r.stderr;
      assertNoLeak(out);
      assert.equal(r.code, 1, out);
      assert.match(out, /AKB3007/);
    }
  });
});

describe('!File in a git source with committed symlinks', () => {
  let repo: TestRepo;
  before(() => {
    repo = makeRepo('hostile');
    plantLinks(repo.work, outside);
    repo.commit({ 'a.yaml': blueprint(LINKS) }, 'symlinks');
  });
  after(() => repo?.cleanup());

  test('!File cannot read through a symlink committed to the repository (compile and plan --sandbox)', async () => {
    const spec = `git::file://${repo.bare}`;
    for (const args of [
      ['compile', spec, '--format', 'json'],
      ['plan', spec, '--sandbox', '--format', 'markdown'],
    ]) {
      const r = await runCli(args, { cwd: work, env: env() });
      const out = r.stdout + r.stderr;
      assertNoLeak(out);
      assert.equal(r.code, 1, out);
      assert.match(out, /AKB3007/);
    }
  });
});
