import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../src/gitops/log.js';
import { createRunner } from '../../src/gitops/runner.js';
import type { ReconcileOutcome } from '../../src/pipeline/types.js';
import { fakePlan } from './helpers.js';
import { modelName } from '../helpers/model.js';

function outcome(digest: string, pending: number): ReconcileOutcome {
  const plan = fakePlan(Array.from({ length: pending }, (_, i) => ({ file: 'a.yaml', model: 'authentik_core.group', name: `g${i}` })));
  plan.source.digest = digest;
  return { diagnostics: [], texts: new Map(), ok: true, plan };
}

test('drift: in plan mode, only a change that appears at an unchanged revision; named with its fields', async () => {
  const withUpdate = outcome('sha256:a', 1);
  withUpdate.plan!.changes.push({
    key: 'b.yaml#0',
    model: modelName('authentik_core.group'),
    action: 'update',
    reason: 'differs',
    identifiers: { name: 'admins' },
    patch: [{ path: '/is_superuser', op: 'replace', before: false, after: true }],
    order: 1,
    wave: 0,
    dependsOn: [],
  });
  const answers = [outcome('sha256:a', 1), outcome('sha256:a', 1), withUpdate, outcome('sha256:b', 1), outcome('sha256:b', 0)];
  const logger = memoryLogger();
  const run = createRunner({ mode: 'plan', logger, reconcile: async () => answers.shift()! });
  const records = [];
  for (let i = 0; i < 5; i++) records.push(await run({ kind: 'timer', source: './bp', at: Date.now() }, 1));
  assert.deepEqual(
    records.map((r) => r.drift),
    [false, false, true, false, false],
    'the pending first create is not drift',
  );
  assert.deepEqual(records[2]!.drifted, [{ model: 'authentik_core.group', identity: 'name=admins', action: 'update', fields: ['is_superuser'] }]);
  const logged = logger.lines.filter((l) => l.msg === 'drift detected');
  assert.equal(logged.length, 1);
  assert.deepEqual(logged[0]!.objects, [{ model: 'authentik_core.group', identity: 'name=admins', action: 'update', fields: ['is_superuser'] }]);
});

test('drift: in apply mode, anything pending after a successful apply at the same revision', async () => {
  const applied = (digest: string, pending: number): ReconcileOutcome => ({
    ...outcome(digest, pending),
    apply: { phase: 'succeeded', results: [], diagnostics: [], writes: 0 } as never,
  });
  const answers = [applied('sha256:a', 1), applied('sha256:a', 1)];
  const run = createRunner({ mode: 'apply', logger: memoryLogger(), reconcile: async () => answers.shift()! });
  const r1 = await run({ kind: 'timer', source: './bp', at: 0 }, 1);
  const r2 = await run({ kind: 'timer', source: './bp', at: 0 }, 1);
  assert.deepEqual([r1.drift, r2.drift], [false, true]);
  assert.equal(r2.drifted![0]!.identity, 'name=g0');
});

test('a reconcile that throws becomes a failed run with code AKB8001, and a thrown spec is pinned to the revision', async () => {
  const logger = memoryLogger();
  let seen = '';
  const run = createRunner({
    mode: 'plan',
    logger,
    reconcile: async (spec) => {
      seen = spec.sources[0]!;
      throw new Error('server down');
    },
  });
  const r = await run({ kind: 'webhook', source: 'git::https://h/r.git?ref=main', revision: 'f'.repeat(40), at: 0 }, 1);
  assert.equal(seen, `git::https://h/r.git?ref=${'f'.repeat(40)}`);
  assert.deepEqual([r.result, r.code, r.error], ['failed', 'AKB8001', 'server down']);
  assert.equal(logger.lines.at(-1)!.level, 'error');
});
