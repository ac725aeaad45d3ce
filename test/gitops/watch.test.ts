// `akbp watch` driver on a real chokidar watcher over a temp directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { cachedReadSources, parseCache } from '../../src/gitops/cache.js';
import { memoryLogger } from '../../src/gitops/log.js';
import type { SourceFile } from '../../src/model/index.js';
import type { ReconcileOutcome, ReconcileSpec } from '../../src/pipeline/types.js';
import type { RunRecord } from '../../src/gitops/types.js';
import { startWatchLoop } from '../../src/gitops/watch-loop.js';
import { fakeCompile, fakePlan, tempDir, waitFor } from './helpers.js';

const bp = (...names: string[]) => `version: 1\nentries:\n${names.map((n) => `  - model: authentik_core.group\n    identifiers: {name: ${n}}\n`).join('')}`;

/** Reads the directory as SourceFiles (a stand-in for the sources adapter) and "compiles" through a parse cache. */
function world(dir: string) {
  const parses = parseCache((f: SourceFile) => fakeCompile([{ path: f.path, text: Buffer.from(f.bytes).toString('utf8') }]));
  const reader = cachedReadSources(
    async (specs) => {
      const files: SourceFile[] = [];
      for (const name of (await readdir(specs[0]!)).sort()) {
        if (!/\.ya?ml$/.test(name)) continue;
        const bytes = new Uint8Array(await readFile(join(specs[0]!, name)));
        files.push({ uri: name, path: name, bytes, origin: { kind: 'file', uri: specs[0]!, local: true } });
      }
      return { files, origins: [], diagnostics: [] };
    },
    { cwd: dir, cacheLocal: true },
  );
  const reconcile = async (spec: ReconcileSpec): Promise<ReconcileOutcome> => {
    const { files } = await reader.readSources(spec.sources);
    parses.retain(files.map((f) => f.uri));
    const results = files.map((f) => parses.load(f));
    const diagnostics = results.flatMap((r) => r.diagnostics);
    const texts = new Map(results.flatMap((r) => [...r.texts]));
    if (diagnostics.length) return { diagnostics, texts, ok: false };
    return { diagnostics, texts, ok: true, plan: fakePlan(results.flatMap((r) => r.entries)) };
  };
  return { reader, parses, reconcile };
}

const names = (r: RunRecord | undefined) => r?.outcome?.plan?.changes.map((c) => `${c.key.split('#')[0]}:${c.identifiers.name}`);

test('edits re-plan, an invalid save reports and recovers, deletes and renames drop entries', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  const bps = join(dir, 'blueprints');
  await mkdir(bps);
  await writeFile(join(bps, 'a.yaml'), bp('a1'));
  await writeFile(join(bps, 'b.yaml'), bp('b1'));
  const w = world(dir);
  const records: RunRecord[] = [];
  const logger = memoryLogger();
  const loop = await startWatchLoop({
    dir: bps,
    cwd: dir,
    mode: 'plan',
    reconcile: w.reconcile,
    logger,
    debounceMs: 80,
    invalidate: (paths) => w.reader.invalidate(paths),
    onRecord: (r) => records.push(r),
  });
  t.after(() => loop.close());
  await loop.ready;
  assert.deepEqual(names(records.at(-1)), ['a.yaml:a1', 'b.yaml:b1']);

  const latencies: number[] = [];
  const save = async (file: string, text: string, expect: (r: RunRecord) => boolean, what: string) => {
    const before = records.length;
    const at = Date.now();
    await writeFile(join(bps, file), text);
    const r = await waitFor(what, () => records.length > before && expect(records.at(-1)!) && records.at(-1)!);
    latencies.push(r.finishedAt - at);
    return r;
  };

  await save('a.yaml', bp('a2', 'a3'), (r) => names(r)?.join() === 'a.yaml:a2,a.yaml:a3,b.yaml:b1', 'the edit to be planned');
  const parsedBefore = w.parses.stats().parsed;
  await save('a.yaml', bp('a4'), (r) => names(r)?.join() === 'a.yaml:a4,b.yaml:b1', 'a second edit');
  assert.equal(w.parses.stats().parsed - parsedBefore, 1, 'only the changed file was parsed again');

  const bad = await save('a.yaml', 'version: 1\nentries:\n  - model: [unclosed\n', (r) => r.result === 'invalid', 'the invalid save to be reported');
  assert.equal(bad.outcome?.diagnostics[0]?.severity, 'error');
  assert.equal(bad.outcome?.plan, undefined);
  const fixed = await save('a.yaml', bp('a5'), (r) => r.result === 'succeeded', 'recovery');
  assert.deepEqual(names(fixed), ['a.yaml:a5', 'b.yaml:b1']);

  const before = records.length;
  await rename(join(bps, 'b.yaml'), join(bps, 'c.yaml'));
  await waitFor('the rename', () => records.length > before && names(records.at(-1))?.join() === 'a.yaml:a5,c.yaml:b1');
  const beforeDelete = records.length;
  await unlink(join(bps, 'c.yaml'));
  await waitFor('the delete', () => records.length > beforeDelete && names(records.at(-1))?.join() === 'a.yaml:a5');
  assert.equal(w.parses.stats().size, 1, 'parse cache forgot the deleted file');

  // Dot-directories (state, .git) never trigger a run; a later real save shows the watcher is still live.
  await mkdir(join(bps, '.akbp'));
  await writeFile(join(bps, '.akbp', 'state.json'), '{}');
  await save('a.yaml', bp('a6'), (r) => names(r)?.join() === 'a.yaml:a6', 'a save after the dot-dir write');
  await loop.queue.idle();
  assert.ok(
    records.every((r) => !(r.trigger.paths ?? []).some((p) => p.includes(`${sep}.akbp`))),
    'no run for .akbp',
  );

  assert.ok(records.every((r) => r.trigger.kind === 'file' || r.trigger.kind === 'startup'));
  assert.ok(records.slice(1).every((r) => r.trigger.paths?.every((p) => !relative(bps, p).startsWith('..'))));
  latencies.sort((a, b) => a - b);
  console.log(
    `# latency file save → plan ready (debounce 80 ms): median ${latencies[latencies.length >> 1]} ms, max ${latencies.at(-1)} ms (n=${latencies.length})`,
  );
});

test('saves during a run fold into one follow-up run that sees the newest bytes', async (t) => {
  const { dir, cleanup } = await tempDir();
  t.after(cleanup);
  await writeFile(join(dir, 'a.yaml'), bp('v0'));
  const w = world(dir);
  let release: (() => void) | undefined;
  const gate = new Promise<void>((r) => (release = r));
  let first = true;
  const records: RunRecord[] = [];
  const loop = await startWatchLoop({
    dir,
    cwd: dir,
    mode: 'plan',
    logger: memoryLogger(),
    debounceMs: 30,
    initialRun: false,
    invalidate: (p) => w.reader.invalidate(p),
    onRecord: (r) => records.push(r),
    reconcile: async (spec, trigger) => {
      if (first) {
        first = false;
        await gate;
      }
      return w.reconcile(spec);
    },
  });
  t.after(() => loop.close());
  await writeFile(join(dir, 'a.yaml'), bp('v1'));
  await waitFor('the first run to start', () => loop.queue.busy(dir));
  for (const v of ['v2', 'v3', 'v4']) {
    await writeFile(join(dir, 'a.yaml'), bp(v));
    await new Promise((r) => setTimeout(r, 60));
  }
  await waitFor('the follow-up to queue', () => loop.queue.pending(dir));
  release!();
  await waitFor('two runs', () => records.length >= 2);
  await loop.queue.idle();
  assert.equal(records.length, 2);
  assert.deepEqual(names(records[1]), ['a.yaml:v4']);
});
