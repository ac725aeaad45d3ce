import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../src/gitops/log.js';
import { createRunner } from '../../src/gitops/runner.js';
import type { ReconcileOutcome } from '../../src/pipeline/types.js';
import { fakePlan } from './helpers.js';

function outcome(digest: string, pending: number): ReconcileOutcome {
  const plan = fakePlan(Array.from({ length: pending }, (_, i) => ({ file: 'a.yaml', model: 'authentik_core.group', name: `g${i}` })));
  plan.source.digest = digest;
  return { diagnostics: [], texts: new Map(), ok: true, plan };
}

test('drift: pending changes at an unchanged revision or content digest; logged, never for a new revision', async () => {
  const answers = [outcome('sha256:a', 1), outcome('sha256:a', 1), outcome('sha256:b', 1), outcome('sha256:b', 0)];
  const logger = memoryLogger();
  const run = createRunner({ mode: 'plan', logger, reconcile: async () => answers.shift()! });
  const drift: boolean[] = [];
  for (let i = 0; i < 4; i++) drift.push((await run({ kind: 'timer', source: './bp', at: Date.now() }, 1)).drift);
  assert.deepEqual(drift, [false, true, false, false]);
  assert.equal(logger.lines.filter((l) => l.msg === 'drift detected').length, 1);
});

test('a reconcile that throws becomes a failed run with code AKB8001, and a thrown spec is pinned to the revision', async () => {
  const logger = memoryLogger();
  let seen = '';
  const run = createRunner({ mode: 'plan', logger, reconcile: async (spec) => { seen = spec.sources[0]!; throw new Error('server down'); } });
  const r = await run({ kind: 'webhook', source: 'git::https://h/r.git?ref=main', revision: 'f'.repeat(40), at: 0 }, 1);
  assert.equal(seen, `git::https://h/r.git?ref=${'f'.repeat(40)}`);
  assert.deepEqual([r.result, r.code, r.error], ['failed', 'AKB8001', 'server down']);
  assert.equal(logger.lines.at(-1)!.level, 'error');
});
