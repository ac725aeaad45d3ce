// Issue 14: a replayed webhook must not roll the server back. The payload's revision is not
// covered by any delivery id check (GitHub's delivery header is not signed), so the daemon has to
// treat a push as a trigger only: it reconciles the followed ref's current tip and never applies
// a commit that is an ancestor of the one it applied last. Real git, real HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { startDaemon } from '../../src/gitops/daemon.js';
import { memoryLogger } from '../../src/gitops/log.js';
import { revisionCheck } from '../../src/gitops/poll.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { gitIsAncestor, gitLsRemote } from '../../src/sources/index.js';
import { git, gitWorld, recordingGitReconcile, tempDir, waitFor, type GitWorld } from './helpers.js';

// simple-git refuses to run with some variables set (EDITOR, …); git needs only these.
const gitEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
const secret = 'replay-secret-' + randomUUID();
let world: GitWorld;
let scratch: { dir: string; cleanup: () => Promise<void> };

before(async () => {
  world = await gitWorld();
  scratch = await tempDir();
});
after(async () => {
  await world?.close();
  await scratch?.cleanup();
});

const app = (slug: string) => `version: 1\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: ${slug}}\n`;
const push = (after: string) =>
  JSON.stringify({ ref: 'refs/heads/main', before: '0'.repeat(40), after, repository: { clone_url: world.url, default_branch: 'main' } });
const sign = (body: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');

async function post(url: string, body: string): Promise<number> {
  // No x-github-delivery header: exactly what the replay in the issue sent.
  const res = await fetch(url + '/hooks/github', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(body) },
  });
  await res.text();
  return res.status;
}

test('a replayed signed push of an older commit reconciles the current tip, never the old commit', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'replay'));
  const records: RunRecord[] = [];
  const source = `git::${world.url}?ref=main`;
  const d = await startDaemon({
    sources: [source],
    port: 0,
    secret,
    mode: 'apply',
    reconcile: rec.reconcile,
    logger: memoryLogger(),
    onRecord: (r) => records.push(r),
    check: revisionCheck({ git: (url, ref) => gitLsRemote(url, ref, { env: gitEnv }) }),
    isAncestor: (src, older, newer) => gitIsAncestor(src, older, newer, { cacheDir: join(scratch.dir, 'cache-replay'), env: gitEnv }),
  });
  t.after(() => d.close());

  const old = await world.commit({ 'app.yaml': app('old') }, 'old');
  await world.push();
  const oldBody = push(old);
  assert.equal(await post(d.url, oldBody), 202);
  await waitFor('the first run', () => records.length === 1);

  const tip = await world.commit({ 'app.yaml': app('tip') }, 'tip');
  await world.push();
  const tipBody = push(tip);
  assert.equal(await post(d.url, tipBody), 202);
  await waitFor('the second run', () => records.length === 2);

  // The attacker resends the first, validly signed body, twice.
  await post(d.url, oldBody);
  await waitFor('the replayed run', () => records.length === 3);
  await post(d.url, oldBody);
  await waitFor('the second replay', () => records.length === 4);
  await d.queue.idle();

  const seen = rec.calls.map((c) => c.outcome.revision);
  assert.deepEqual(seen, [old, tip, tip, tip], 'after the tip was applied, nothing reads the old commit again');
  assert.ok(rec.calls.slice(2).every((c) => c.outcome.plan?.changes[0]?.identifiers.name === 'tip'));
});

test('a branch force-pushed back to an ancestor of the applied commit is refused, not applied', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'rewind'));
  const records: RunRecord[] = [];
  const logger = memoryLogger();
  const d = await startDaemon({
    sources: [`git::${world.url}?ref=main`],
    port: 0,
    secret,
    mode: 'apply',
    reconcile: rec.reconcile,
    logger,
    onRecord: (r) => records.push(r),
    check: revisionCheck({ git: (url, ref) => gitLsRemote(url, ref, { env: gitEnv }) }),
    isAncestor: (src, older, newer) => gitIsAncestor(src, older, newer, { cacheDir: join(scratch.dir, 'cache-rewind'), env: gitEnv }),
  });
  t.after(() => d.close());

  const a = await world.commit({ 'app.yaml': app('a') }, 'a');
  const b = await world.commit({ 'app.yaml': app('b') }, 'b');
  await world.push();
  assert.equal(await post(d.url, push(b)), 202);
  await waitFor('the run at b', () => records.length === 1);
  assert.equal(records[0]!.revision, b);

  await git(world.work, 'reset', '-q', '--hard', a);
  await git(world.work, 'push', '-q', '--force', 'origin', 'main');
  assert.equal(await post(d.url, push(a)), 202);
  await waitFor('the refused run', () => records.length === 2);
  assert.equal(records[1]!.result, 'skipped');
  assert.equal(records[1]!.code, 'AKB8006');
  assert.match(records[1]!.error ?? '', new RegExp(`${a.slice(0, 12)}.*ancestor.*${b.slice(0, 12)}`));
  assert.deepEqual(
    rec.calls.map((c) => c.outcome.revision),
    [b],
    'the rewound commit was never read for apply',
  );
  assert.ok(logger.lines.some((l) => l.msg === 'run finished' && l.code === 'AKB8006'));
});
