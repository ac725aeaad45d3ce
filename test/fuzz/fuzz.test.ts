// 1,000 mutated blueprints with a fixed seed on every `npm test`; `npm run fuzz -- --runs N` for
// long campaigns (test/fuzz/run.ts). See campaign.ts for the mutations and the properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { caseArbitrary, describeCase, loadSeeds, runCase, startWorld } from './campaign.js';

const RUNS = Number(process.env.AKBP_FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.AKBP_FUZZ_SEED ?? 20261203);

test(`fuzz: ${RUNS} mutated blueprints through load, validate, compile and plan (seed ${SEED})`, { timeout: 600_000 }, async (t) => {
  const { seeds, skipped } = loadSeeds();
  if (skipped) t.diagnostic(skipped);
  const world = await startWorld();
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(caseArbitrary(seeds.length), async (c) => {
      ran++;
      const { problems } = await runCase(world, seeds, c);
      assert.deepEqual(problems, [], describeCase(seeds, c));
    }),
    { numRuns: RUNS, seed: SEED, endOnFailure: true },
  );
  t.diagnostic(`${ran} cases from ${seeds.length} seed files`);
});
