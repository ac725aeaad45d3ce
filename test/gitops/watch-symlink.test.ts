// `akbp watch` on a directory holding symbolic links out of it (`loop -> ..`, `share ->
// /usr/share`, a blueprint linked from elsewhere): the first plan comes at once, only the
// directory's own blueprints are planned, and changes outside it never trigger a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { memoryLogger } from '../../src/gitops/log.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { startWatchLoop } from '../../src/gitops/watch-loop.js';
import type { ReconcileOutcome } from '../../src/pipeline/types.js';
import { readSources } from '../../src/sources/index.js';
import { tempDir, waitFor } from './helpers.js';

const bp = (name: string) => `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: ${name}}\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('watch does not follow symlinks out of its directory: quick first plan, own files only, no runs for outside changes', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const bps = join(dir, 'bp');
  const outside = join(dir, 'outside');
  await mkdir(bps);
  await mkdir(outside);
  await writeFile(join(bps, 'a.yaml'), bp('a'));
  await writeFile(join(outside, 'x.yaml'), bp('x'));
  await symlink('..', join(bps, 'loop'));
  if (existsSync('/usr/share')) await symlink('/usr/share', join(bps, 'share'));
  await symlink(join(outside, 'x.yaml'), join(bps, 'ext.yaml'));

  const seen: string[][] = [];
  const records: RunRecord[] = [];
  const started = Date.now();
  const loop = await startWatchLoop({
    dir: bps,
    cwd: dir,
    mode: 'compile',
    logger: memoryLogger(),
    debounceMs: 80,
    onRecord: (r) => records.push(r),
    reconcile: async (spec): Promise<ReconcileOutcome> => {
      const r = await readSources(spec.sources, { cwd: dir, cacheDir: join(dir, 'cache'), env: {} });
      seen.push(r.files.map((f) => f.path));
      return { diagnostics: r.diagnostics, texts: new Map(), ok: true };
    },
  });
  t.after(() => loop.close());
  await loop.ready;
  const firstPlanMs = Date.now() - started;
  assert.ok(firstPlanMs < 5000, `first plan after ${firstPlanMs} ms`);
  assert.deepEqual(seen[0], ['a.yaml'], "only the directory's own blueprints are read");

  const runs = records.length;
  await writeFile(join(outside, 'x.yaml'), bp('x2'));
  await writeFile(join(outside, 'y.yaml'), bp('y'));
  await writeFile(join(bps, 'notes.txt'), 'not a blueprint');
  await sleep(800);
  assert.equal(
    records.length,
    runs,
    `no run for changes outside the directory or to non-blueprints: ${records
      .slice(runs)
      .map((r) => r.trigger.paths?.join(','))
      .join(' | ')}`,
  );

  await writeFile(join(bps, 'a.yaml'), bp('a2'));
  await waitFor('a run for the own blueprint', () => records.length > runs);
  assert.deepEqual(records.at(-1)!.trigger.paths, [join(bps, 'a.yaml')]);
  console.log(`# watch with links out of the directory: first plan after ${firstPlanMs} ms`);
});
