// The daemon over real HTTP on loopback, reading a real bare repository through `git daemon`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { join } from 'node:path';
import { readLock } from '../../src/gitops/lock.js';
import { startDaemon, type Daemon } from '../../src/gitops/daemon.js';
import { memoryLogger } from '../../src/gitops/log.js';
import { revisionCheck } from '../../src/gitops/poll.js';
import { gitLsRemote } from '../../src/sources/index.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { gitWorld, recordingGitReconcile, tempDir, waitFor, type GitWorld } from './helpers.js';

const secret = 'hook-secret-' + randomUUID();
let world: GitWorld;
let scratch: { dir: string; cleanup: () => Promise<void> };
const latencies: { startMs: number; finishMs: number }[] = [];

before(async () => {
  world = await gitWorld();
  scratch = await tempDir();
  await world.commit({ 'app.yaml': 'version: 1\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: one}\n' }, 'first');
  await world.push();
});
after(async () => {
  await world?.close();
  await scratch?.cleanup();
  if (latencies.length) {
    const s = latencies.map((l) => l.startMs).sort((a, b) => a - b);
    const f = latencies.map((l) => l.finishMs).sort((a, b) => a - b);
    console.log(`# latency webhook POST → reconcile start: median ${s[s.length >> 1]} ms; → finish: median ${f[f.length >> 1]} ms (n=${latencies.length})`);
  }
});

function githubPush(after: string, opts: { repo?: string; ref?: string } = {}) {
  return JSON.stringify({
    ref: opts.ref ?? 'refs/heads/main',
    before: '0'.repeat(40),
    after,
    repository: { full_name: 'test/blueprints', clone_url: opts.repo ?? world.url, default_branch: 'main' },
  });
}

const sign = (body: string | Buffer, key = secret) => 'sha256=' + createHmac('sha256', key).update(body).digest('hex');

/** node:http rather than fetch: an early 413 must be read even while the body is still going out. */
function post(
  url: string,
  path: string,
  body: string | Buffer,
  headers: Record<string, string>,
  opts: { chunked?: boolean } = {},
): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const req = request(
      url + path,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(opts.chunked ? {} : { 'content-length': String(buf.length) }), ...headers },
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({ status: res.statusCode ?? 0, body: text.startsWith('{') ? JSON.parse(text) : text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', (err) =>
      (err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err),
    );
    req.end(buf);
  });
}

const ghHeaders = (body: string, delivery = randomUUID()) => ({ 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': sign(body) });

async function daemonFor(rec: ReturnType<typeof recordingGitReconcile>, extra: Partial<Parameters<typeof startDaemon>[0]> = {}) {
  const logger = memoryLogger();
  const records: RunRecord[] = [];
  const d = await startDaemon({
    sources: [`git::${world.url}?ref=main`],
    port: 0,
    secret,
    mode: 'plan',
    reconcile: rec.reconcile,
    logger,
    // The run reads the followed ref's tip itself (issue 14), as `akbp serve` does with ls-remote.
    check: revisionCheck({ git: (url, ref) => gitLsRemote(url, ref, { env: { PATH: process.env.PATH, HOME: process.env.HOME } }) }),
    onRecord: (r) => records.push(r),
    ...extra,
  });
  return { d, logger, records };
}

test('a signed GitHub push for the followed repo and ref runs exactly one reconcile at the pushed sha', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'one'));
  const { d, logger, records } = await daemonFor(rec);
  t.after(() => d.close());
  const sha = await world.commit({ 'app.yaml': 'version: 1\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: two}\n' }, 'second');
  await world.push();
  const body = githubPush(sha);
  const sentAt = Date.now();
  const res = await post(d.url, '/hooks/github', body, ghHeaders(body));
  assert.equal(res.status, 202);
  assert.equal(res.body.status, 'queued');
  await waitFor('the run', () => records.length === 1);
  await d.queue.idle();
  assert.equal(rec.calls.length, 1);
  const call = rec.calls[0]!;
  assert.equal(call.outcome.revision, sha, 'read the pushed sha through git daemon');
  assert.equal(call.spec.sources[0], `git::${world.url}?ref=${sha}`);
  assert.equal(call.trigger.kind, 'webhook');
  assert.equal(call.outcome.plan?.changes[0]?.identifiers.name, 'two');
  latencies.push({ startMs: call.startedAt - sentAt, finishMs: call.finishedAt - sentAt });
  assert.equal(records[0]!.result, 'succeeded');
  assert.equal(records[0]!.revision, sha);
  const runLog = logger.lines.filter((l) => l.msg === 'run finished');
  assert.equal(runLog.length, 1);
  assert.equal(runLog[0]!.run, records[0]!.runId, 'log lines carry the run id');
  assert.ok(!JSON.stringify(logger.lines).includes(secret), 'the secret is never logged');

  const status = (await (await fetch(d.url + '/status')).json()) as any;
  const s = status.sources[`git::${world.url}?ref=main`];
  assert.equal(s.lastRun.revision, sha);
  assert.equal(s.lastRun.result, 'succeeded');
  assert.deepEqual(s.lastRun.summary, { create: 1, update: 0, delete: 0, noop: 0, conflict: 0 });
  const metrics = await (await fetch(d.url + '/metrics')).text();
  const label = `source="git::${world.url}?ref=main"`;
  assert.match(metrics, new RegExp(`akbp_runs_total\\{${label.replace(/[.?*+()[\]{}\\/]/g, '\\$&')},result="succeeded"\\} 1`));
  for (const name of ['akbp_changes_total', 'akbp_failures_total', 'akbp_drift', 'akbp_last_success_timestamp_seconds'])
    assert.ok(metrics.includes(`${name}{${label}}`), name);
  assert.match(metrics, /# TYPE akbp_drift gauge/);
  assert.equal((await fetch(d.url + '/healthz')).status, 200);
});

test('bad, missing or foreign signatures, oversized bodies and replays are refused and run nothing', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'refuse'));
  const { d, logger } = await daemonFor(rec);
  t.after(() => d.close());
  const sha = await world.commit({}, 'empty');
  await world.push();
  const body = githubPush(sha);
  const delivery = randomUUID();

  assert.equal((await post(d.url, '/hooks/github', body, { 'x-github-event': 'push', 'x-github-delivery': randomUUID() })).status, 401, 'missing');
  assert.equal((await post(d.url, '/hooks/github', body, { ...ghHeaders(body), 'x-hub-signature-256': sign(body, 'wrong') })).status, 401, 'wrong key');
  assert.equal((await post(d.url, '/hooks/github', body.replace('main', 'mainx'), ghHeaders(body))).status, 401, 'body changed after signing');
  assert.equal((await post(d.url, '/hooks/gitlab', body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' })).status, 401);
  const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
  assert.equal((await post(d.url, '/hooks/github', big, ghHeaders(big.toString()))).status, 413, 'declared too large');
  assert.equal((await post(d.url, '/hooks/github', big, ghHeaders(big.toString()), { chunked: true })).status, 413, 'streamed too large');

  const first = await post(d.url, '/hooks/github', body, ghHeaders(body, delivery));
  assert.equal(first.status, 202);
  const replay = await post(d.url, '/hooks/github', body, ghHeaders(body, delivery));
  assert.equal(replay.status, 409, 'replayed delivery');
  await waitFor('the one accepted run', () => rec.calls.length === 1);
  await d.queue.idle();

  const other = githubPush(sha, { repo: 'https://github.com/someone/else.git' });
  const r1 = await post(d.url, '/hooks/github', other, ghHeaders(other));
  assert.deepEqual([r1.status, r1.body.status], [202, 'ignored']);
  assert.match(r1.body.reason, /not a configured source/);
  const dev = githubPush(sha, { ref: 'refs/heads/dev' });
  const r2 = await post(d.url, '/hooks/github', dev, ghHeaders(dev));
  assert.deepEqual([r2.status, r2.body.status], [202, 'ignored']);
  assert.match(r2.body.reason, /refs\/heads\/dev/);
  const ping = await post(d.url, '/hooks/github', body, { ...ghHeaders(body), 'x-github-event': 'ping' });
  assert.deepEqual([ping.status, ping.body.status], [202, 'ignored']);
  await d.queue.idle();
  assert.equal(rec.calls.length, 1, 'only the one valid delivery ran');
  assert.equal(logger.lines.filter((l) => l.msg === 'webhook refused').length, 7);
});

test('GitLab, Gitea and generic pushes are accepted with their own headers', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'providers'));
  const { d } = await daemonFor(rec);
  t.after(() => d.close());
  const sha = await world.commit({}, 'providers');
  await world.push();
  const gl = JSON.stringify({ ref: 'refs/heads/main', after: sha, project: { git_http_url: world.url, default_branch: 'main' } });
  const gt = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { clone_url: world.url } });
  const gen = JSON.stringify({ ref: 'refs/heads/main', after: sha, repository: { url: world.url } });
  const rs = [
    await post(d.url, '/hooks/gitlab', gl, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': secret, 'x-gitlab-event-uuid': randomUUID() }),
    await post(d.url, '/hooks/gitea', gt, { 'x-gitea-event': 'push', 'x-gitea-delivery': randomUUID(), 'x-gitea-signature': sign(gt).slice(7) }),
    await post(d.url, '/hooks/generic', gen, { 'x-akbp-delivery': randomUUID(), 'x-akbp-signature': sign(gen) }),
  ];
  assert.deepEqual(
    rs.map((r) => r.status),
    [202, 202, 202],
  );
  await waitFor('runs', async () => {
    await d.queue.idle();
    return rec.calls.length >= 1;
  });
  assert.ok(rec.calls.every((c) => c.outcome.revision === sha));
  assert.ok(rec.calls.length <= 2, 'three pushes of one sha: one run plus at most one folded follow-up');
});

test('pushes in quick succession coalesce: the run in flight finishes, then one run at the last sha', async (t) => {
  const rec = recordingGitReconcile(join(scratch.dir, 'coalesce'));
  const { d, records } = await daemonFor(rec);
  t.after(() => d.close());
  const release = rec.hold();
  const shas: string[] = [];
  for (const n of [1, 2, 3]) {
    shas.push(
      await world.commit({ 'app.yaml': `version: 1\nentries:\n  - model: authentik_core.application\n    identifiers: {slug: burst${n}}\n` }, `burst ${n}`),
    );
    await world.push();
    const body = githubPush(shas[shas.length - 1]!);
    assert.equal((await post(d.url, '/hooks/github', body, ghHeaders(body))).status, 202);
    // The first run resolves the branch tip when it starts: the next push must come after that,
    // or on a loaded machine the first run already sees the second commit.
    if (n === 1) await waitFor('the first run to start', () => rec.inFlight() === 1);
  }
  await waitFor('the later pushes to wait behind the first run', () => d.queue.pending(`git::${world.url}?ref=main`)?.kind === 'webhook');
  release();
  await waitFor('two runs', () => records.length === 2);
  await d.queue.idle();
  assert.deepEqual(
    rec.calls.map((c) => c.outcome.revision),
    [shas[0], shas[2]],
  );
  assert.equal(records[1]!.triggers, 2, 'the follow-up covers both later pushes');
  assert.equal(rec.maxInFlight(), 1);
  assert.equal(rec.calls[1]!.outcome.plan?.changes[0]?.identifiers.name, 'burst3');
});

test('two daemons on one state: one applies while the other waits, or skips when told to', async (t) => {
  const { dir: stateDir, cleanup } = await tempDir();
  t.after(cleanup);
  const lockPath = join(stateDir, '.akbp', 'apply.lock');
  let inFlight = 0;
  let overlap = false;
  const recA = recordingGitReconcile(join(scratch.dir, 'lock-a'));
  const recB = recordingGitReconcile(join(scratch.dir, 'lock-b'));
  const guard =
    (rec: typeof recA) =>
    async (...args: Parameters<typeof recA.reconcile>) => {
      if (++inFlight > 1) overlap = true;
      try {
        return await rec.reconcile(...args);
      } finally {
        inFlight--;
      }
    };
  const a = await daemonFor({ ...recA, reconcile: guard(recA) }, { mode: 'apply', lock: { path: lockPath, onBusy: 'wait', pollMs: 20 } });
  const b = await daemonFor({ ...recB, reconcile: guard(recB) }, { mode: 'apply', lock: { path: lockPath, onBusy: 'wait', pollMs: 20 } });
  const c = await daemonFor(recordingGitReconcile(join(scratch.dir, 'lock-c')), { mode: 'apply', lock: { path: lockPath, onBusy: 'skip' } });
  t.after(async () => {
    await a.d.close();
    await b.d.close();
    await c.d.close();
  });

  const sha = await world.commit({}, 'locked');
  await world.push();
  const release = recA.hold();
  const send = (d: Daemon) => {
    const body = githubPush(sha);
    return post(d.url, '/hooks/github', body, ghHeaders(body));
  };
  await send(a.d);
  await waitFor('A to hold the lock', () => readLock(lockPath));
  await send(b.d);
  await send(c.d);
  await waitFor('C to skip', () => c.records.length === 1);
  assert.equal(c.records[0]!.result, 'skipped');
  assert.match(c.records[0]!.error ?? '', /held by pid/);
  assert.equal(recB.calls.length, 0, 'B has not started while A holds the lock');
  assert.equal(laneBusy(b.d), true, 'B is waiting inside its run');
  release();
  await waitFor('A and B to finish', () => a.records.length === 1 && b.records.length === 1);
  assert.deepEqual([a.records[0]!.result, b.records[0]!.result], ['succeeded', 'succeeded']);
  assert.equal(overlap, false, 'never two applies at once');
  assert.ok(b.records[0]!.finishedAt >= a.records[0]!.finishedAt);
  const metrics = await (await fetch(c.d.url + '/metrics')).text();
  assert.match(metrics, /result="skipped"\} 1/);
});

function laneBusy(d: Daemon): boolean {
  return d.queue.busy(`git::${world.url}?ref=main`);
}
