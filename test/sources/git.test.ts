// Git sources against real repositories: a bare repo served by `git daemon` on a free loopback
// port and the same repo by file://. Clone at a ref, subdir, recorded revision, a second read
// fetching a new commit, ls-remote change checks, and failures that are errors, never hangs.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gitLsRemote, parseSourceSpec, readSources } from '../../src/sources/index.js';
import { makeRepo, startGitDaemon, type GitDaemon, type TestRepo } from '../helpers/git.js';
import { tempDir } from '../helpers/registry.js';

const bp = (name: string, labels = ''): string => `version: 1\nmetadata:\n  name: ${name}\n${labels}entries: []\n`;

let repo: TestRepo;
let daemon: GitDaemon;
/** An http server that refuses every git request with a Basic challenge, recording what it got. */
let wall: { url: string; seen: { path: string; auth?: string }[]; server: Server };
let work: string;
let first: string;
let n = 0;
const cache = (): string => {
  const d = join(work, `cache-${++n}`);
  mkdirSync(d);
  return d;
};
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: work });

before(async () => {
  work = tempDir('git-work');
  repo = makeRepo('blueprints');
  first = repo.commit({
    'README.md': 'not a blueprint',
    'blueprints/flows.yaml': bp('flows'),
    'blueprints/sub/users.yml': bp('users'),
    'blueprints/.hidden/skip.yaml': bp('hidden'),
    'blueprints/lib.yaml': bp('lib', '  labels:\n    blueprints.goauthentik.io/instantiate: "false"\n'),
    'other/o.yaml': bp('other'),
  });
  repo.tag('v1');
  daemon = await startGitDaemon(repo.base);
  const seen: { path: string; auth?: string }[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization ? { path: req.url ?? '', auth: req.headers.authorization } : { path: req.url ?? '' });
    res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  wall = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server };
});
after(async () => {
  await daemon?.stop();
  if (wall) await new Promise<void>((r) => (wall.server.closeAllConnections(), wall.server.close(() => r())));
  repo?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('git sources', () => {
  test('git:// via git daemon: ref, subdir, revision recorded, library split, origin without local', async () => {
    const spec = `git::${daemon.url('blueprints')}//blueprints?ref=v1`;
    const r = await readSources([spec], { cwd: work, cacheDir: cache(), env: env() });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.files.map((f) => f.path),
      ['flows.yaml', 'sub/users.yml'],
    );
    assert.deepEqual(
      r.library.map((f) => f.path),
      ['lib.yaml'],
    );
    assert.equal(r.files[0]!.uri, `${daemon.url('blueprints')}//blueprints/flows.yaml`);
    const o = r.origins[0]!;
    assert.equal(o.kind, 'git');
    assert.equal(o.uri, spec);
    assert.equal(o.ref, 'v1');
    assert.equal(o.revision, first);
    assert.equal(o.local, false);
    assert.match(o.root!, /blueprints$/);
    assert.match(o.digest!, /^sha256:/);
    assert.equal(r.files[0]!.origin.revision, first);
  });

  test('file:// URL and a plain path: default branch, second read fetches the new commit', async () => {
    const c = cache();
    const url = `file://${repo.bare}`;
    const one = await readSources([`git::${url}//blueprints`], { cwd: work, cacheDir: c, env: env() });
    assert.equal(one.origins[0]!.revision, first);
    assert.equal(await gitLsRemote(url, 'main', { env: env() }), first);
    const second = repo.commit({ 'blueprints/new.yaml': bp('new'), 'blueprints/flows.yaml': null });
    assert.equal(await gitLsRemote(`git::${url}//blueprints`, undefined, { env: env() }), second, 'ls-remote sees the change cheaply');
    const two = await readSources([`git::${url}//blueprints`], { cwd: work, cacheDir: c, env: env() });
    assert.equal(two.origins[0]!.revision, second);
    assert.deepEqual(
      two.files.map((f) => f.path),
      ['new.yaml', 'sub/users.yml'],
      'the deleted file is gone from the checkout',
    );
    // The tag still names the first commit: a pinned ref does not move.
    const pinned = await readSources([`git::${repo.bare}//blueprints?ref=v1`], { cwd: work, cacheDir: c, env: env() });
    assert.equal(pinned.origins[0]!.revision, first);
    assert.equal(await gitLsRemote(daemon.url('blueprints'), 'v1', { env: env() }), first);
  });

  test('annotated tag and commit sha refs resolve to the commit', async () => {
    repo.tag('v1-annotated', true);
    const r = await readSources([`git::${daemon.url('blueprints')}//other?ref=v1-annotated`], { cwd: work, cacheDir: cache(), env: env() });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(await gitLsRemote(daemon.url('blueprints'), 'v1-annotated', { env: env() }), r.origins[0]!.revision);
    const bySha = await readSources([`git::file://${repo.bare}//other?ref=${first}`], { cwd: work, cacheDir: cache(), env: env() });
    assert.deepEqual(bySha.diagnostics, []);
    assert.equal(bySha.origins[0]!.revision, first);
  });

  test('missing repository, ref and subdir are clear errors, quickly, without prompting', async () => {
    const t0 = Date.now();
    const r = await readSources(
      [
        `git::${daemon.url('does-not-exist')}`,
        `git::file://${repo.base}/nope.git`,
        `git::${daemon.url('blueprints')}?ref=no-such-branch`,
        `git::${daemon.url('blueprints')}//no/such/dir`,
        // The wall answers 401: git would ask for a username on a terminal; here it must fail.
        `git::${wall.url}/private/repo.git`,
      ],
      { cwd: work, cacheDir: cache(), env: env(), gitTimeoutMs: 20_000 },
    );
    assert.ok(Date.now() - t0 < 20_000);
    assert.equal(r.files.length, 0);
    const got = r.diagnostics.map((d): [string, string] => [d.code, d.summary]);
    assert.equal(got.length, 5, JSON.stringify(got));
    assert.equal(got[0]![0], 'AKB7031');
    assert.match(got[0]![1], /does-not-exist\.git.*cannot fetch/);
    assert.equal(got[1]![0], 'AKB7031');
    assert.match(got[1]![1], /nope\.git/);
    assert.deepEqual(got[2], ['AKB7032', `git::${daemon.url('blueprints')}?ref=no-such-branch: ref "no-such-branch" not found`]);
    assert.equal(got[3]![0], 'AKB7033');
    assert.match(got[3]![1], /"no\/such\/dir" does not exist at [0-9a-f]{12}/);
    assert.equal(got[4]![0], 'AKB7031');
    assert.match(got[4]![1], /terminal prompts disabled|could not read Username/);
  });

  test('a token is sent as an http header, never in a URL, a message or the cache config', async () => {
    const token = 'canary-git-token-4b1d';
    const c = cache();
    const r = await readSources([`git::${wall.url.replace('://', `://user:${token}@`)}/x.git`, `git::${wall.url}/y.git`], {
      cwd: work,
      cacheDir: c,
      env: { ...env(), AKBP_GIT_TOKEN: token },
      gitTimeoutMs: 20_000,
    });
    const text = JSON.stringify(r);
    assert.equal(r.diagnostics.length, 2);
    assert.ok(!text.includes(token), text);
    assert.ok(!text.includes(Buffer.from(`user:${token}`).toString('base64')));
    assert.ok(r.diagnostics[0]!.summary.startsWith(`git::${wall.url}/x.git: cannot fetch`), r.diagnostics[0]!.summary);
    // What reached the server: userinfo as Basic, AKBP_GIT_TOKEN as Basic x-access-token, no URL credentials.
    assert.ok(
      wall.seen.some((s) => s.path.startsWith('/x.git/') && s.auth === `Basic ${Buffer.from(`user:${token}`).toString('base64')}`),
      JSON.stringify(wall.seen),
    );
    assert.ok(wall.seen.some((s) => s.path.startsWith('/y.git/') && s.auth === `Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`));
    for (const d of readdirSync(join(c, 'git'))) {
      assert.ok(!readFileSync(join(c, 'git', d, '.git', 'config'), 'utf8').includes(token), 'token stored in .git/config');
    }
  });

  test('symlinks inside the checkout are followed; symlinks leading out of it are skipped', async () => {
    const links = makeRepo('links');
    try {
      const secret = join(work, 'outside-secret.yaml');
      writeFileSync(secret, bp('secret'));
      mkdirSync(join(links.work, 'bp'), { recursive: true });
      writeFileSync(join(links.work, 'bp', 'real.yaml'), bp('real'));
      symlinkSync('real.yaml', join(links.work, 'bp', 'alias.yaml'));
      symlinkSync(secret, join(links.work, 'bp', 'evil.yaml'));
      symlinkSync(work, join(links.work, 'bp', 'evil-dir'));
      symlinkSync(work, join(links.work, 'escape'));
      links.commit({});
      const r = await readSources([`git::${links.bare}//bp`, `git::${links.bare}//escape`], { cwd: work, cacheDir: cache(), env: env() });
      assert.deepEqual(
        r.files.map((f) => f.path),
        ['alias.yaml', 'real.yaml'],
      );
      assert.deepEqual(
        r.diagnostics.map((d) => d.code),
        ['AKB7033'],
      );
    } finally {
      links.cleanup();
    }
  });

  test('spec parsing follows terraform module syntax', () => {
    const cwd = '/w';
    assert.deepEqual(parseSourceSpec('git::https://h/org/repo.git//dir/sub?ref=v2', cwd), {
      kind: 'git',
      url: 'https://h/org/repo.git',
      subdir: 'dir/sub',
      ref: 'v2',
    });
    assert.deepEqual(parseSourceSpec('git::ssh://git@h:2222/org/repo.git', cwd), { kind: 'git', url: 'ssh://git@h:2222/org/repo.git' });
    assert.deepEqual(parseSourceSpec('git::git@github.com:org/repo.git//bp', cwd), { kind: 'git', url: 'git@github.com:org/repo.git', subdir: 'bp' });
    assert.deepEqual(parseSourceSpec('git::file:///srv/repo.git//a?ref=main', cwd), { kind: 'git', url: 'file:///srv/repo.git', subdir: 'a', ref: 'main' });
    assert.deepEqual(parseSourceSpec('git::/srv/repo.git', cwd), { kind: 'git', url: '/srv/repo.git' });
    assert.deepEqual(parseSourceSpec('git::repos/r.git//x', cwd), { kind: 'git', url: '/w/repos/r.git', subdir: 'x' });
    for (const bad of ['git::', 'git::https://h/r.git//../etc', 'git::https://h/r.git?depth=1', 'git::https://h/r.git?ref=--upload-pack=x']) {
      const r = parseSourceSpec(bad, cwd);
      assert.ok('error' in r, `${bad} should be rejected`);
    }
  });
});

test('one checkout per repository: reading new commits (as the daemon does per push) reuses it; concurrent reads of two refs each get their own files', async () => {
  const repo = makeRepo('shared-checkout');
  const dir = tempDir('git-one-checkout');
  try {
    const first = repo.commit({ 'a.yaml': bp('A') });
    const second = repo.commit({ 'a.yaml': bp('A2'), 'b.yaml': bp('B') });
    const opts = { cwd: dir, cacheDir: join(dir, 'cache'), env: { PATH: process.env.PATH, HOME: dir } };
    const url = `file://${repo.bare}`;
    const [r1, r2] = await Promise.all([readSources([`git::${url}?ref=${first}`], opts), readSources([`git::${url}?ref=${second}`], opts)]);
    assert.deepEqual(
      r1.files.map((f) => f.path),
      ['a.yaml'],
    );
    assert.match(Buffer.from(r1.files[0]!.bytes).toString(), /name: A\n/);
    assert.deepEqual(
      r2.files.map((f) => f.path),
      ['a.yaml', 'b.yaml'],
    );
    assert.equal(r2.origins[0]!.revision, second);
    assert.equal(readdirSync(join(dir, 'cache', 'git')).length, 1, 'one checkout for the repository');
  } finally {
    repo.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});
