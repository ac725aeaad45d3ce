// Watch latency: a file write → the new plan printed, with the real watcher (chokidar), pipeline
// and sandbox. Median of 7 edits.
//   watchBench: a 200-entry directory (10 corpus files), embedded sandbox.
//   watchScaleBench: 1,000 files / 20,000 entries (scale corpus) against the sandbox over HTTP,
//   with the objects already applied (the usual state of a watched directory), every save re-read
//   in full (--no-incremental) and incrementally, side by side.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpusFile } from './corpus.js';
import { ENTRIES_PER_BLOCK, scaleBlock } from './scale-corpus.js';
import { runWatch, type WatchCliOptions } from '../../src/cli/commands/watch.js';
import type { CliContext } from '../../src/cli/context.js';
import { Command } from 'commander';
import * as applyCmd from '../../src/cli/commands/apply.js';
import { startThreadSandbox } from './sandbox-thread.js';

export type Report = (name: string, value: string, target: string, ok: boolean) => void;

interface EditRun {
  samples: number[];
  out: string;
}

/** Starts `akbp watch` in-process on dir, waits for the first plan, then times 7 edits of one file. */
async function timeEdits(dir: string, opts: Partial<WatchCliOptions>, env: CliContext['env'], edit: (k: number) => void): Promise<EditRun> {
  let out = '';
  let printed: (() => void) | undefined;
  const ctx: CliContext = {
    io: {
      stdout: (t) => {
        out += t;
        // The line after each run's plan: a no-op plan has no "Plan:" summary line.
        if (t.startsWith('Watching for changes')) printed?.();
      },
      stderr: () => undefined,
      isTTY: false,
    },
    env: { PATH: process.env.PATH, ...env },
    cwd: dir,
    exitCode: 0,
  };
  const plans = () =>
    new Promise<void>((res) => {
      printed = res;
    });
  const stop = new AbortController();
  const first = plans();
  const running = runWatch(
    '.',
    {
      authentikVersion: '2026.5',
      format: 'text',
      debounce: '50',
      maxDeletes: '10',
      passwordPolicy: 'on-change',
      state: join(dir, '.state.json'),
      ...opts,
    } as WatchCliOptions,
    ctx,
    stop.signal,
  );
  try {
    await first;
    const samples: number[] = [];
    for (let k = 0; k < 7; k++) {
      const next = plans();
      const t = performance.now();
      edit(k);
      await next;
      samples.push(performance.now() - t);
    }
    return { samples: samples.sort((a, b) => a - b), out };
  } finally {
    stop.abort();
    await running;
  }
}

const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;

export async function watchBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-watch-bench-'));
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, `bench-${i}.yaml`), corpusFile(i));
  try {
    const { samples, out } = await timeEdits(dir, { sandbox: true }, {}, (k) =>
      writeFileSync(join(dir, 'bench-3.yaml'), corpusFile(3).replace('Bench flow 3', `Bench flow 3 edit ${k}`)),
    );
    const entries = /Plan: (\d+) to create/.exec(out)?.[1];
    report(
      'watch: file write → plan printed (200 entries)',
      `median ${median(samples).toFixed(0)} ms, max ${samples[samples.length - 1]!.toFixed(0)} ms (${entries} creates planned)`,
      '≤ 300 ms',
      median(samples) <= 300,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const header = (i: number) => `version: 1\nmetadata:\n  name: scale ${i}\ncontext:\n  prefix: scale\n  production: false\nentries:\n`;
const fileName = (i: number) => `scale-${String(i).padStart(5, '0')}.yaml`;

/** 1,000 files / 20k entries over HTTP: full re-plan vs incremental, after an apply of everything. */
export async function watchScaleBench(report: Report, files = 1000): Promise<void> {
  const token = 'watch-bench-token';
  // In a thread of its own, as authentik is another process: the sandbox's CPU and its 20k records
  // would otherwise share akbp's event loop and heap.
  const threaded = await startThreadSandbox({ version: '2026.5', token, latencyMs: 0 });
  const server = { url: threaded.url, close: () => threaded.close() };
  const dir = mkdtempSync(join(tmpdir(), 'akbp-watch-scale-'));
  try {
    for (let i = 0; i < files; i++) writeFileSync(join(dir, fileName(i)), header(i) + scaleBlock(i));
    const env = { AUTHENTIK_URL: server.url, AUTHENTIK_TOKEN: token };
    let said = '';
    const ctx: CliContext = { io: { stdout: (t) => void (said += t), stderr: (t) => void (said += t), isTTY: false }, env, cwd: dir, exitCode: 0 };
    // Applied whole files stay applied (--no-rollback): on a loaded machine a write can fail
    // (ECONNRESET), and the next attempt only creates what is missing. Stop when one makes no progress.
    let left = Number.POSITIVE_INFINITY;
    for (;;) {
      said = '';
      ctx.exitCode = 0;
      const program = new Command('akbp').exitOverride();
      applyCmd.register(program, ctx);
      await program.parseAsync(['apply', '--yes', '--no-rollback', '--state', join(dir, '.state.json'), '.'], { from: 'user' });
      if (ctx.exitCode === 0) break;
      const why = said
        .split('\n')
        .filter((l) => /AKB\d{4}/.test(l))
        .slice(0, 3)
        .join('\n');
      const now = Number(/(\d+) not-attempted/.exec(said)?.[1] ?? Number.POSITIVE_INFINITY);
      if (!(now < left)) throw new Error(`watch bench: applying the corpus makes no progress:\n${why}`);
      left = now;
      console.log(`  apply stopped with ${now} writes left, again:\n${why}`);
    }
    console.log(`  applied ${files} files to the sandbox at ${server.url}`);
    const edit = (k: number) => writeFileSync(join(dir, fileName(3)), header(3) + scaleBlock(3).replace('Scale flow 3"', `Scale flow 3 edit ${k}"`));
    const full = await timeEdits(dir, { incremental: false }, env, edit);
    const incr = await timeEdits(dir, {}, env, edit);
    const updates = /Plan: \d+ to create, (\d+) to update/.exec(incr.out)?.[1];
    // The run itself (the watch header says how long each took), without debounce and file events.
    const runs = (r: EditRun) =>
      [...r.out.matchAll(/\((\d+) ms\) ──/g)]
        .slice(1)
        .map((m) => Number(m[1]))
        .sort((a, b) => a - b);
    const show = (r: EditRun) =>
      `median ${median(r.samples).toFixed(0)} ms, max ${r.samples[r.samples.length - 1]!.toFixed(0)} ms (run alone: median ${median(runs(r)).toFixed(0)} ms)`;
    console.log(
      `  ${files} files / ${files * ENTRIES_PER_BLOCK} entries over HTTP: full re-plan ${show(full)}; incremental ${show(incr)} (${updates} to update)`,
    );
    report(
      `watch: file write → plan printed (${files} files / ${files * ENTRIES_PER_BLOCK} entries, HTTP, incremental)`,
      `${show(incr)} (full re-plan: median ${median(full.samples).toFixed(0)} ms)`,
      '≤ 300 ms',
      median(incr.samples) <= 300,
    );
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
