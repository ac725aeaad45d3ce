// `akbp watch` without the CLI: file batches → the queue → one run at a time. A save that
// arrives during a run folds into one follow-up run that sees the newest bytes.
import { relative, resolve } from 'node:path';
import type { Logger } from '../model/index.js';
import { createQueue, type ReconcileQueue } from './queue.js';
import { createRunner, type RunnerOptions } from './runner.js';
import type { RunRecord } from './types.js';
import { watchDir, type DirWatcher } from './watch.js';

export interface WatchLoopOptions extends Omit<RunnerOptions, 'onRecord'> {
  /** Directory as the user wrote it: also the source spec handed to the pipeline. */
  dir: string;
  cwd?: string;
  debounceMs?: number;
  usePolling?: boolean;
  logger: Logger;
  /** Called with changed absolute paths before the run is queued (drop cached reads). */
  invalidate?: (paths: string[]) => void;
  onRecord: (run: RunRecord) => void;
  /** Plan once at start, before any change (default true). */
  initialRun?: boolean;
}

export interface WatchLoop {
  queue: ReconcileQueue<RunRecord>;
  /** Resolves when the initial run (if any) finished. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export async function startWatchLoop(opts: WatchLoopOptions): Promise<WatchLoop> {
  const now = opts.now ?? Date.now;
  const cwd = opts.cwd ?? process.cwd();
  const queue = createQueue<RunRecord>(createRunner({ ...opts, now }));
  let watcher: DirWatcher | undefined;
  watcher = await watchDir({
    dir: resolve(cwd, opts.dir),
    ...(opts.debounceMs !== undefined ? { debounceMs: opts.debounceMs } : {}),
    ...(opts.usePolling !== undefined ? { usePolling: opts.usePolling } : {}),
    onBatch: (changes) => {
      const paths = [...new Set(changes.map((c) => c.path))];
      opts.invalidate?.(paths);
      const shown =
        paths
          .slice(0, 3)
          .map((p) => relative(cwd, p) || '.')
          .join(', ') + (paths.length > 3 ? ` (+${paths.length - 3})` : '');
      void queue.enqueue({ kind: 'file', source: opts.dir, paths, at: now(), reason: `changed: ${shown}` });
    },
    onError: (err) => opts.logger.log('error', 'watcher error', { code: 'AKB8004', error: err.message }),
  });
  const ready =
    opts.initialRun === false
      ? Promise.resolve()
      : queue.enqueue({ kind: 'startup', source: opts.dir, at: now(), reason: 'initial plan' }).then(() => undefined);
  return {
    queue,
    ready,
    async close() {
      await watcher?.close();
      watcher = undefined;
      await queue.close();
    },
  };
}
