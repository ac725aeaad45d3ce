import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { acquireLock, readLock, withLock } from '../../src/gitops/lock.js';
import { tempDir } from './helpers.js';

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid!;
  await new Promise((r) => child.once('exit', r));
  return pid;
}

test('the lock file names its holder; a second taker skips or waits until release', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const path = join(dir, '.akbp', 'apply.lock');
  const first = await acquireLock(path, { purpose: 'test one' });
  assert.ok(first.ok);
  const info = await readLock(path);
  assert.equal(info?.pid, process.pid);
  assert.equal(info?.host, hostname());
  assert.equal(info?.purpose, 'test one');
  assert.ok(info && !Number.isNaN(Date.parse(info.startedAt)));

  const skipped = await acquireLock(path, { onBusy: 'skip' });
  assert.equal(skipped.ok, false);
  assert.equal(!skipped.ok && skipped.reason, 'busy');
  assert.equal(!skipped.ok && skipped.holder?.token, first.lock.info.token);

  const timedOut = await acquireLock(path, { onBusy: 'wait', timeoutMs: 100, pollMs: 20 });
  assert.equal(!timedOut.ok && timedOut.reason, 'timeout');

  let waiterGotIt = false;
  const waiting = acquireLock(path, { onBusy: 'wait', timeoutMs: 10_000, pollMs: 10 }).then((r) => {
    waiterGotIt = r.ok;
    return r;
  });
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(waiterGotIt, false, 'waits while held');
  await first.lock.release();
  const second = await waiting;
  assert.ok(second.ok);
  await second.lock.release();
  assert.equal(await readLock(path), undefined);
});

test('a lock left by a dead process on this host is taken over; one from another host is not', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const path = join(dir, 'apply.lock');
  const pid = await deadPid();
  await writeFile(path, JSON.stringify({ pid, host: hostname(), startedAt: '2020-01-01T00:00:00Z', token: 'stale' }));
  const got = await acquireLock(path, { onBusy: 'skip' });
  assert.ok(got.ok);
  assert.equal(got.tookOverFrom?.pid, pid);
  assert.equal((await readLock(path))?.token, got.lock.info.token);
  await got.lock.release();

  await writeFile(path, JSON.stringify({ pid, host: 'elsewhere.example', startedAt: '2020-01-01T00:00:00Z', token: 'remote' }));
  const refused = await acquireLock(path, { onBusy: 'skip' });
  assert.equal(!refused.ok && refused.reason, 'busy');
  assert.equal(JSON.parse(await readFile(path, 'utf8')).token, 'remote', 'foreign lock left alone');
});

test('two stale takeovers racing: exactly one wins', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const path = join(dir, 'apply.lock');
  await writeFile(path, JSON.stringify({ pid: await deadPid(), host: hostname(), startedAt: '2020-01-01T00:00:00Z', token: 'stale' }));
  const results = await Promise.all([1, 2, 3, 4].map(() => acquireLock(path, { onBusy: 'skip' })));
  assert.equal(results.filter((r) => r.ok).length, 1);
});

test('withLock releases even when the work throws', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const path = join(dir, 'apply.lock');
  await assert.rejects(
    withLock(path, {}, async () => {
      throw new Error('apply failed');
    }),
    /apply failed/,
  );
  assert.equal(await readLock(path), undefined);
});
