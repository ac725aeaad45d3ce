// `akbp hook install` writes a post-receive hook; a real `git push` runs it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile, stat, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from '../../src/gitops/daemon.js';
import { installHook, SECRET_FILE } from '../../src/gitops/hook.js';
import { memoryLogger } from '../../src/gitops/log.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { git, gitAll, gitWorld, recordingGitReconcile, tempDir, waitFor, type GitWorld } from './helpers.js';

let world: GitWorld;
let scratch: { dir: string; cleanup: () => Promise<void> };
before(async () => {
  world = await gitWorld();
  scratch = await tempDir();
  await world.commit({ 'app.yaml': 'version: 1\nentries: []\n' }, 'first');
  await world.push();
});
after(async () => {
  await world?.close();
  await scratch?.cleanup();
});

test('a git push through the installed hook reaches the daemon and reconciles the pushed sha', async (t) => {
  const secret = randomUUID();
  const rec = recordingGitReconcile(join(scratch.dir, 'hook'));
  const records: RunRecord[] = [];
  const logger = memoryLogger();
  const d = await startDaemon({
    sources: [`git::${world.url}?ref=main`],
    port: 0,
    secret,
    mode: 'plan',
    reconcile: rec.reconcile,
    logger,
    onRecord: (r) => records.push(r),
  });
  t.after(() => d.close());
  const res = await installHook({
    bareRepo: world.bare,
    daemonUrl: d.url,
    repoUrl: world.url,
    secret,
    ref: 'refs/heads/main',
    secretFile: join(scratch.dir, 'config', 'akbp', 'hook.secret'),
  });
  assert.equal(res.mode, 'daemon');
  assert.equal((await stat(res.hookPath)).mode & 0o777, 0o755);
  assert.equal((await stat(res.secretPath!)).mode & 0o777, 0o600);
  assert.ok(!res.secretPath!.startsWith(world.bare + '/'), 'the secret is stored outside the bare repository');
  assert.equal((await stat(join(res.secretPath!, '..'))).mode & 0o777, 0o700);
  await assert.rejects(
    installHook({ bareRepo: world.bare, daemonUrl: d.url, secret, secretFile: join(world.bare, 'akbp.secret'), force: true }),
    /outside the repository/,
  );
  assert.ok(!(await readFile(res.hookPath, 'utf8')).includes(secret), 'the hook script does not contain the secret');

  const sha = await world.commit({ 'app.yaml': 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: pushed}\n' }, 'hooked');
  const pushedAt = Date.now();
  const out = await world.push();
  assert.match(out.stderr, /remote: akbp: daemon answered 202/);
  await waitFor('the hook-triggered run', () => records.length === 1);
  await d.queue.idle();
  assert.equal(rec.calls.length, 1);
  assert.equal(rec.calls[0]!.outcome.revision, sha);
  assert.equal(rec.calls[0]!.outcome.plan?.changes[0]?.identifiers.name, 'pushed');
  console.log(`# latency git push (hook) → reconcile start: ${rec.calls[0]!.startedAt - pushedAt} ms; → finish: ${rec.calls[0]!.finishedAt - pushedAt} ms`);

  // A push to another branch is not for us: the hook stays quiet.
  await git(world.work, 'checkout', '-q', '-b', 'dev');
  await world.commit({}, 'dev only');
  const dev = await gitAll(world.work, 'push', '-q', 'origin', 'dev');
  assert.doesNotMatch(dev.stderr, /akbp/);
  await git(world.work, 'checkout', '-q', 'main');
  await d.queue.idle();
  assert.equal(rec.calls.length, 1);
});

test('without a daemon the hook runs akbp apply itself on the pushed revision', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  // A stand-in for the akbp binary that records its argv: what matters here is what the hook runs.
  const fake = join(dir, 'akbp');
  const argvLog = join(dir, 'argv.txt');
  await writeFile(
    fake,
    `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(argvLog)}\nprintf 'GIT_DIR=%s\\n' "\${GIT_DIR-unset}" >> ${JSON.stringify(argvLog)}\n`,
  );
  await chmod(fake, 0o755);
  await installHook({ bareRepo: world.bare, akbpCommand: [fake], applyArgs: ['--sandbox', 'state.json', '--auto-approve'], force: true });
  const sha = await world.commit({}, 'direct');
  const out = await world.push();
  assert.match(out.stderr, /remote: akbp: applying git::file:\/\//);
  const argv = (await waitFor('the fake akbp to run', () => readFile(argvLog, 'utf8').catch(() => undefined))).trim().split('\n');
  assert.deepEqual(argv, ['apply', `git::file://${world.bare}?ref=${sha}`, '--sandbox', 'state.json', '--auto-approve', 'GIT_DIR=unset']);
});

test('an existing hook akbp did not write is kept unless --force', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const bare = join(dir, 'r.git');
  await git(dir, 'init', '-q', '--bare', bare);
  await writeFile(join(bare, 'hooks', 'post-receive'), '#!/bin/sh\necho mine\n');
  await assert.rejects(installHook({ bareRepo: bare, daemonUrl: 'http://127.0.0.1:1' }), /not written by akbp/);
  await assert.rejects(installHook({ bareRepo: dir, daemonUrl: 'http://127.0.0.1:1' }), /not a bare git repository/);
  await installHook({ bareRepo: bare, daemonUrl: 'http://127.0.0.1:1', force: true });
  await installHook({ bareRepo: bare, daemonUrl: 'http://127.0.0.1:2' });
  assert.match(await readFile(join(bare, 'hooks', 'post-receive'), 'utf8'), /127\.0\.0\.1:2/);
  await assert.rejects(stat(join(bare, SECRET_FILE)), 'no secret given, no secret file');
});
