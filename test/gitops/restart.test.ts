// `akbp serve --apply` remembers what it applied across a restart of its process: the revision is
// kept in the ownership state (the file backend here), /status shows it, the first run after a
// restart at that same commit is a drift check that writes nothing and does not count as a new
// apply, and a ref moved back to an older commit while the daemon was down is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { listenHttp } from '../../src/sandbox/http.js';
import { akbpChildArgv } from '../helpers/child.js';
import { git, gitWorld, tempDir, waitFor } from './helpers.js';

const TOKEN = 'akbp-restart-token-0a1b2c3d4e5f';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const groups = (superuser: boolean) =>
  `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: restart-admins}\n    attrs: {is_superuser: ${superuser}}\n`;

interface SourceStatus {
  lastApplied: { revision: string; at: string } | null;
  lastRun: {
    revision: string | null;
    result: string;
    applied: number;
    drift: boolean;
    code?: string;
    summary: { create: number; update: number } | null;
  } | null;
}

test('a restarted akbp serve --apply knows the revision it applied: /status, no re-apply of the unchanged tip, no rollback', {
  timeout: 120_000,
}, async (t) => {
  const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  const writes: string[] = [];
  const front = await listenHttp(
    async (req) => {
      const res = await sandbox.handle(req);
      if (MUTATING.has(req.method.toUpperCase())) writes.push(`${req.method} ${req.path}`);
      return res;
    },
    '127.0.0.1',
    0,
  );
  const world = await gitWorld();
  const scratch = await tempDir('akbp-restart-');
  const procs: ChildProcess[] = [];
  t.after(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    await front.close();
    await world.close();
    await scratch.cleanup();
  });
  const source = `git::${world.url}?ref=main`;
  const stateFile = join(scratch.dir, 'state.json');

  const serve = async (): Promise<{ proc: ChildProcess; status: () => Promise<SourceStatus>; stop: () => Promise<void> }> => {
    const proc = spawn(
      process.execPath,
      akbpChildArgv(['serve', '--source', source, '--apply', '--listen', '127.0.0.1:0', '--server', front.url, '--token', TOKEN, '--state', stateFile]),
      {
        cwd: scratch.dir,
        env: { PATH: process.env.PATH, HOME: scratch.dir, CI: 'true', AKBP_CACHE_DIR: join(scratch.dir, 'cache'), AKBP_WEBHOOK_SECRET: 'restart-hook-secret' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    procs.push(proc);
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const base = await waitFor('serving on', () => /serving on (http:\/\/\S+)/.exec(err)?.[1], 30_000);
    const status = async () => ((await (await fetch(`${base}/status`)).json()) as { sources: { [s: string]: SourceStatus } }).sources[source]!;
    const stop = async () => {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    };
    return { proc, status, stop };
  };

  const old = await world.commit({ 'groups.yaml': groups(false) }, 'old');
  await world.push();
  const tip = await world.commit({ 'groups.yaml': groups(true) }, 'tip');
  await world.push();

  const first = await serve();
  const applied = await waitFor(
    'the start-up apply',
    async () => {
      const s = await first.status();
      return s.lastRun?.revision === tip && s;
    },
    30_000,
  );
  assert.equal(applied.lastRun!.result, 'succeeded');
  assert.equal(applied.lastRun!.applied, 1);
  assert.equal(applied.lastApplied?.revision, tip, '/status shows the applied revision');
  await first.stop();
  const stored = JSON.parse(readFileSync(stateFile, 'utf8')) as { applied?: { [s: string]: { revision: string; at: string } } };
  assert.deepEqual(stored.applied?.[source], applied.lastApplied, 'kept in the ownership state, under the source name');
  const writesAfterApply = writes.length;

  // Restart at the unchanged tip: the first run is measured against the stored revision.
  const second = await serve();
  const again = await waitFor(
    'the first run after the restart',
    async () => {
      const s = await second.status();
      return s.lastRun ? s : undefined;
    },
    30_000,
  );
  assert.equal(again.lastRun!.result, 'succeeded');
  assert.equal(again.lastRun!.revision, tip);
  assert.equal(again.lastRun!.applied, 0);
  assert.deepEqual(again.lastApplied, applied.lastApplied, 'the same apply: the unchanged tip is not applied anew');
  assert.equal(writes.length, writesAfterApply, `nothing written: ${writes.slice(writesAfterApply).join(', ')}`);
  await second.stop();

  // While the daemon is down, the ref is moved back to the older commit.
  await git(world.work, 'push', '-q', '--force', 'origin', `${old}:refs/heads/main`);
  const third = await serve();
  const refused = await waitFor(
    'the run at the older commit',
    async () => {
      const s = await third.status();
      return s.lastRun ? s : undefined;
    },
    30_000,
  );
  assert.equal(refused.lastRun!.result, 'skipped');
  assert.equal(refused.lastRun!.revision, old);
  assert.equal(refused.lastApplied?.revision, tip);
  assert.equal(writes.length, writesAfterApply, `the older commit is not applied: ${writes.slice(writesAfterApply).join(', ')}`);
  const admins = (await (await fetch(`${front.url}/api/v3/core/groups/?name=restart-admins`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
    results: { name: string; is_superuser: boolean }[];
  };
  assert.deepEqual(
    admins.results.filter((g) => g.name === 'restart-admins').map((g) => g.is_superuser),
    [true],
    'the server keeps what the tip says',
  );
});
