// Watch latency: a file write → the new plan printed, for a 200-entry directory (10 corpus files),
// with the real watcher (chokidar), pipeline and embedded sandbox. Median of several edits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { corpusFile } from './corpus.js';
import { runWatch } from '../../src/cli/commands/watch.js';
import type { CliContext } from '../../src/cli/context.js';

export type Report = (name: string, value: string, target: string, ok: boolean) => void;

export async function watchBench(report: Report): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-watch-bench-'));
  for (let i = 0; i < 10; i++) writeFileSync(join(dir, `bench-${i}.yaml`), corpusFile(i));
  let out = '';
  let printed: (() => void) | undefined;
  const ctx: CliContext = {
    io: {
      stdout: (t) => {
        out += t;
        if (/Plan: \d+ to create/.test(t)) printed?.();
      },
      stderr: () => undefined,
      isTTY: false,
    },
    env: { PATH: process.env.PATH },
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
      sandbox: true,
      authentikVersion: '2026.5',
      format: 'text',
      debounce: '50',
      maxDeletes: '10',
      passwordPolicy: 'on-change',
      state: join(dir, '.state.json'),
    } as never,
    ctx,
    stop.signal,
  );
  try {
    await first;
    const samples: number[] = [];
    for (let k = 0; k < 7; k++) {
      const next = plans();
      const t = performance.now();
      writeFileSync(join(dir, 'bench-3.yaml'), corpusFile(3).replace('Bench flow 3', `Bench flow 3 edit ${k}`));
      await next;
      samples.push(performance.now() - t);
    }
    samples.sort((a, b) => a - b);
    const median = samples[Math.floor(samples.length / 2)]!;
    const entries = /Plan: (\d+) to create/.exec(out)?.[1];
    report(
      'watch: file write → plan printed (200 entries)',
      `median ${median.toFixed(0)} ms, max ${samples[samples.length - 1]!.toFixed(0)} ms (${entries} creates planned)`,
      '≤ 300 ms',
      median <= 300,
    );
  } finally {
    stop.abort();
    await running;
    rmSync(dir, { recursive: true, force: true });
  }
}
