// npm run bench -- --watch-split [--watch-files 1000]: where one save's time goes at 1,000 files /
// 20k entries against the sandbox over HTTP, run the way `akbp watch` runs it (parse cache,
// incremental hooks), stage by stage: load+validate, compile, observe, plan, print. Median of 7
// edits of one file, after the corpus is applied (the usual state of a watched directory).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Session } from 'node:inspector';
import { ENTRIES_PER_BLOCK, scaleBlock } from './scale-corpus.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { startThreadSandbox } from './sandbox-thread.js';
import { createClient, undiciTransport } from '../../src/server/index.js';
import { readSources } from '../../src/sources/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import { cachedReadSources, parseCache } from '../../src/gitops/index.js';
import { createIncremental, reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import { compileBlueprints } from '../../src/compile/index.js';
import { renderPlan } from '../../src/report/index.js';
import { FileStateStore } from '../../src/state/file.js';

const i = process.argv.indexOf('--watch-files');
const files = i >= 0 ? Number(process.argv[i + 1]) : 1000;
const header = (n: number) => `version: 1\nmetadata:\n  name: scale ${n}\ncontext:\n  prefix: scale\n  production: false\nentries:\n`;
const fileName = (n: number) => `scale-${String(n).padStart(5, '0')}.yaml`;

const registry = bundledRegistry('2026.5');
const token = 'watch-split-token';
// The sandbox answers from a thread of its own, as authentik answers from another process: its
// CPU and its 20k records stay out of akbp's event loop and heap.
const threaded = await startThreadSandbox({ version: '2026.5', token, latencyMs: 0 });
const server = { url: threaded.url, close: () => threaded.close() };
const dir = mkdtempSync(join(tmpdir(), 'akbp-watch-split-'));
const client = createClient({ baseUrl: server.url, token, registry, transport: undiciTransport(server.url, {}) });
try {
  for (let n = 0; n < files; n++) writeFileSync(join(dir, fileName(n)), header(n) + scaleBlock(n));
  // AKBP_SPLIT_STATE=1: with an ownership state of every object, as `akbp watch --state` has.
  const state = process.env.AKBP_SPLIT_STATE ? new FileStateStore(join(dir, '.state.json'), { env: {} }) : undefined;
  const base: ReconcileDeps = {
    ...(state ? { state } : {}),
    readSources: (specs) => readSources(specs, { cwd: dir, cacheDir: join(dir, '.cache'), env: {} }),
    registry,
    client,
    env: {},
    now: () => new Date(),
    concurrency: 8,
  };
  // The corpus goes in without a state file (its journal rewrites the record after every write).
  const direct = createClient({ baseUrl: server.url, token, registry, transport: undiciTransport(server.url, {}) });
  const t = performance.now();
  const applied = await reconcileOnce({ sources: ['.'], mode: 'apply', keepPartial: true }, { ...base, client: direct });
  await direct.close();
  if (!applied.ok)
    throw new Error(
      `watch split: applying the corpus failed: ${applied.diagnostics
        .filter((d) => d.severity === 'error')
        .slice(0, 2)
        .map((d) => `${d.code} ${d.summary}`)
        .join('; ')}`,
    );
  console.log(`  applied ${files} files in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  const measure = async (mode: 'before' | 'after'): Promise<void> => {
    const reader = cachedReadSources(base.readSources, { cwd: dir, cacheLocal: true });
    const incremental = createIncremental({ registry });
    // before: only validation and lists kept (the previous round); after: compile and plan too.
    const keep = mode === 'after';
    const marks: { [k: string]: number } = {};
    const mark = (k: string) => void (marks[k] = performance.now());
    const deps: ReconcileDeps = {
      ...base,
      readSources: reader.readSources,
      loadBlueprint: parseCache(loadBlueprint).load,
      validate: (bps, o) => {
        mark('loaded');
        const r = incremental.validate(bps, o);
        mark('validated');
        return r;
      },
      compile: async (bps, o) => {
        mark('compileStart');
        const r = keep ? await incremental.compile(bps, o) : compileBlueprints(bps, o);
        mark('compiled');
        return r;
      },
      snapshot: {
        prepare: (entries, bps) => {
          mark('observeStart');
          return incremental.snapshot.prepare(entries, bps);
        },
        ...(keep ? { planMemo: incremental.snapshot.planMemo!, observeMemo: incremental.snapshot.observeMemo! } : {}),
      },
      client: new Proxy(client, {
        get(t, p, r) {
          if (p === 'version')
            return () => {
              mark('observed');
              return t.version();
            };
          return Reflect.get(t, p, r) as unknown;
        },
      }),
    };
    // AKBP_PROFILE=FILE: a CPU profile of the edits alone (set-up left out), for chrome://inspect.
    const profile = keep ? process.env.AKBP_PROFILE : undefined;
    const session = profile ? new Session() : undefined;
    const post = (m: string, p?: object) => new Promise<unknown>((res, rej) => session!.post(m, p ?? {}, (e, r) => (e ? rej(e) : res(r))));
    const rows: { [k: string]: number }[] = [];
    let lastSummary = '';
    for (let k = -1; k < 7; k++) {
      if (k >= 0) {
        writeFileSync(join(dir, fileName(3)), header(3) + scaleBlock(3).replace('Scale flow 3"', `Scale flow 3 ${mode} ${k}"`));
        reader.invalidate([join(dir, fileName(3))]);
      }
      const t0 = performance.now();
      const out = await incremental.run((s) => reconcileOnce(s, deps), { sources: ['.'], mode: 'plan' });
      const t1 = performance.now();
      const text = renderPlan(out.plan!, { format: 'text', color: false, texts: (u) => out.texts.get(u) });
      const t2 = performance.now();
      lastSummary = JSON.stringify(out.plan?.summary ?? out.diagnostics.slice(0, 2));
      if (k < 0 && session) {
        session.connect();
        await post('Profiler.enable');
        await post('Profiler.start');
      }
      if (k < 0) {
        console.log(`  first plan: ${(t1 - t0).toFixed(0)} ms, ${out.plan?.summary.update} to update, ${text.length} chars`);
        continue;
      }
      rows.push({
        read: marks.loaded! - t0,
        validate: marks.validated! - marks.loaded!,
        toCompile: marks.compileStart! - marks.validated!,
        compile: marks.compiled! - marks.compileStart!,
        toObserve: marks.observeStart! - marks.compiled!,
        observe: marks.observed! - marks.observeStart!,
        plan: t1 - marks.observed!,
        print: t2 - t1,
        total: t2 - t0,
      });
    }
    if (session) {
      const { profile: p } = (await post('Profiler.stop')) as { profile: object };
      writeFileSync(profile!, JSON.stringify(p));
      session.disconnect();
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(
      `  ${mode}: ${files} files / ${files * ENTRIES_PER_BLOCK} entries, median of ${rows.length} edits (ms), load ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}:`,
    );
    console.log(`  last plan: ${lastSummary}; kept between saves: ${JSON.stringify(incremental.stats())}`);
    for (const key of Object.keys(rows[0]!)) console.log(`    ${key.padEnd(10)} ${med(rows.map((r) => r[key]!)).toFixed(1)}`);
  };
  // AKBP_SPLIT=after: only the current behaviour (with AKBP_PROFILE, a shorter run).
  if (process.env.AKBP_SPLIT !== 'after') await measure('before');
  await measure('after');
} finally {
  await client.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
