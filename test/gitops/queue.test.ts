import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createQueue } from '../../src/gitops/queue.js';
import type { Trigger } from '../../src/gitops/types.js';

const t = (source: string, revision?: string, kind: Trigger['kind'] = 'webhook'): Trigger => ({ kind, source, at: 0, ...(revision ? { revision } : {}) });

function gatedJob() {
  const runs: { source: string; revision?: string; folded: number }[] = [];
  const gates: (() => void)[] = [];
  let inFlight = new Map<string, number>();
  let overlap = false;
  const job = async (trigger: Trigger, folded: number) => {
    const n = (inFlight.get(trigger.source) ?? 0) + 1;
    inFlight.set(trigger.source, n);
    if (n > 1) overlap = true;
    runs.push({ source: trigger.source, ...(trigger.revision ? { revision: trigger.revision } : {}), folded });
    await new Promise<void>((r) => gates.push(r));
    inFlight.set(trigger.source, n - 1);
    return trigger.revision ?? '';
  };
  const openNext = async () => {
    for (let i = 0; i < 100 && gates.length === 0; i++) await new Promise((r) => setImmediate(r));
    gates.shift()?.();
  };
  return { job, runs, openNext, overlap: () => overlap, gates };
}

test('a burst during a run folds into one follow-up run at the last revision', async () => {
  const g = gatedJob();
  const q = createQueue(g.job);
  const first = q.enqueue(t('repo', 'a'));
  const second = q.enqueue(t('repo', 'b'));
  const third = q.enqueue(t('repo', 'c'));
  const fourth = q.enqueue(t('repo', undefined, 'timer'));
  assert.equal(q.busy('repo'), true);
  assert.equal(q.pending('repo')?.revision, 'c', 'a trigger without revision keeps the newest revision');
  await g.openNext();
  assert.deepEqual(await first, { ok: true, value: 'a' });
  await g.openNext();
  const settled = await Promise.all([second, third, fourth]);
  assert.deepEqual(
    settled.map((s) => s.ok && s.value),
    ['c', 'c', 'c'],
  );
  assert.deepEqual(g.runs, [
    { source: 'repo', revision: 'a', folded: 1 },
    { source: 'repo', revision: 'c', folded: 3 },
  ]);
  assert.equal(g.overlap(), false);
  await q.idle();
});

test('sources run side by side; one source never overlaps itself', async () => {
  const g = gatedJob();
  const q = createQueue(g.job);
  const a = q.enqueue(t('A', '1'));
  const b = q.enqueue(t('B', '1'));
  await new Promise((r) => setImmediate(r));
  assert.equal(g.runs.length, 2, 'both lanes started');
  g.gates.splice(0).forEach((r) => r());
  await Promise.all([a, b]);
  await q.idle();
  assert.equal(g.overlap(), false);
});

test('a run that throws settles its waiters with the error and the lane goes on', async () => {
  let n = 0;
  const q = createQueue(async () => {
    n += 1;
    if (n === 1) throw new Error('boom');
    return n;
  });
  const r1 = await q.enqueue(t('x'));
  assert.equal(r1.ok, false);
  assert.deepEqual(await q.enqueue(t('x')), { ok: true, value: 2 });
});

test('close lets the running job finish, drops the pending one and refuses new triggers', async () => {
  const g = gatedJob();
  const q = createQueue(g.job);
  const running = q.enqueue(t('x', '1'));
  const pending = q.enqueue(t('x', '2'));
  const closing = q.close();
  await g.openNext();
  await closing;
  assert.deepEqual(await running, { ok: true, value: '1' });
  assert.equal((await pending).ok, false);
  assert.equal((await q.enqueue(t('x', '3'))).ok, false);
  assert.equal(g.runs.length, 1);
});
