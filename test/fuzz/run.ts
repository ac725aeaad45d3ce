// Long fuzz campaigns: `npm run fuzz -- --runs 100000 [--seed N] [--version 2023.6]`. Unlike the
// test it keeps going after a failure, printing each failing case (replayable from its JSON) and
// a tally at the end; the exit code is 1 when any case failed.
import fc from 'fast-check';
import { caseArbitrary, describeCase, loadSeeds, runCase, startWorld } from './campaign.js';

function arg(name: string, dflt: number | string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : String(dflt);
}

const runs = Number(arg('runs', 10000));
const seed = Number(arg('seed', Date.now() % 2 ** 31));
const version = arg('version', '2026.5');

const { seeds, skipped } = loadSeeds();
if (skipped) console.log(`# ${skipped}`);
const world = await startWorld(version);
const samples = fc.sample(caseArbitrary(seeds.length), { numRuns: runs, seed });
let failures = 0;
const kinds = new Map<string, number>();
const reached = new Map<string, number>();
const t0 = Date.now();
for (let i = 0; i < samples.length; i++) {
  const c = samples[i]!;
  const { problems, reach } = await runCase(world, seeds, c);
  reached.set(reach, (reached.get(reach) ?? 0) + 1);
  if (problems.length > 0) {
    failures++;
    for (const p of problems) {
      const kind = p.replace(/\d+/g, 'N').slice(0, 120);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    console.log(`FAIL ${i}: ${problems.join(' ; ')}\n  case ${describeCase(seeds, c)}`);
  }
  if ((i + 1) % 1000 === 0) console.log(`# ${i + 1}/${runs} cases, ${failures} failing, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
console.log(`# done: ${samples.length} cases (seed ${seed}, authentik ${version}), ${failures} failing, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`# reached: ${[...reached].map(([k, n]) => `${k} ${n}`).join(', ')}`);
for (const [k, n] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`#   ${n} × ${k}`);
process.exit(failures > 0 ? 1 : 0);
