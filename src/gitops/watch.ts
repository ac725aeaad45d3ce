// The file-change driver: chokidar on a directory, events debounced into batches so one editor
// save (write + rename + chmod) becomes one trigger. Renames arrive as unlink + add and land in the
// same batch; directories coming and going count too.
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { relative, resolve, sep } from 'node:path';

export type FileEvent = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

export interface FileChange {
  event: FileEvent;
  /** Absolute path. */
  path: string;
}

export interface DirWatchOptions {
  dir: string;
  /** Quiet time after the last event before a batch is delivered. */
  debounceMs?: number;
  onBatch: (changes: FileChange[]) => void;
  onError?: (err: Error) => void;
  /** Polling for file systems without inotify (network mounts, some containers). */
  usePolling?: boolean;
}

export interface DirWatcher {
  close(): Promise<void>;
}

/** Dot-directories (.git, .akbp state), editor swap and backup files never trigger a run. */
export function ignoredPath(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (!rel || rel.startsWith('..')) return false;
  return rel.split(sep).some((part) => part.startsWith('.') || part.endsWith('~') || /\.(swp|swx|tmp)$/.test(part) || part === '4913');
}

export async function watchDir(opts: DirWatchOptions): Promise<DirWatcher> {
  const root = resolve(opts.dir);
  const debounceMs = opts.debounceMs ?? 150;
  let batch: FileChange[] = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const b = batch;
    batch = [];
    if (b.length) opts.onBatch(b);
  };
  const watcher: FSWatcher = chokidarWatch(root, {
    ignoreInitial: true,
    ignored: (p: string) => ignoredPath(root, p),
    usePolling: opts.usePolling ?? false,
    ...(opts.usePolling ? { interval: 100 } : {}),
  });
  watcher.on('all', (event, path) => {
    if (event !== 'add' && event !== 'change' && event !== 'unlink' && event !== 'addDir' && event !== 'unlinkDir') return;
    batch.push({ event, path: resolve(path) });
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  watcher.on('error', (err) => opts.onError?.(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((res) => watcher.once('ready', () => res()));
  return {
    async close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      batch = [];
      await watcher.close();
    },
  };
}
