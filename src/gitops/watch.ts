// The file-change driver: chokidar on a directory, events debounced into batches so one editor
// save (write + rename + chmod) becomes one trigger. Renames arrive as unlink + add and land in the
// same batch; directories coming and going count too.
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';

type FileEvent = 'add' | 'change' | 'unlink' | 'addDir' | 'unlinkDir';

interface FileChange {
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
function ignoredPath(root: string, path: string): boolean {
  const rel = relative(root, path);
  if (!rel || rel.startsWith('..')) return false;
  return rel.split(sep).some((part) => part.startsWith('.') || part.endsWith('~') || /\.(swp|swx|tmp)$/.test(part) || part === '4913');
}

/** True when `real` (a resolved path) is `top` or below it. */
function within(real: string, top: string): boolean {
  return real === top || real.startsWith(top.endsWith(sep) ? top : top + sep);
}

/**
 * Whether an event concerns the directory's own blueprints: files must be `*.yaml`/`*.yml` and
 * resolve inside the directory (a link to elsewhere is not followed, so is not watched either).
 * A deleted path can no longer be resolved; it was inside when it was added.
 */
async function ownEvent(event: FileEvent, path: string, realRoot: string): Promise<boolean> {
  if ((event === 'add' || event === 'change' || event === 'unlink') && !/\.ya?ml$/.test(path)) return false;
  if (event === 'unlink' || event === 'unlinkDir') return true;
  const real = await realpath(path).catch(() => undefined);
  return real !== undefined && within(real, realRoot);
}

export async function watchDir(opts: DirWatchOptions): Promise<DirWatcher> {
  const root = resolve(opts.dir);
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    realRoot = root;
  }
  const debounceMs = opts.debounceMs ?? 150;
  let batch: FileChange[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    const b = batch;
    batch = [];
    if (b.length) opts.onBatch(b);
  };
  const watcher: FSWatcher = chokidarWatch(root, {
    ignoreInitial: true,
    ignored: (p: string) => ignoredPath(root, p),
    // Following links walks wherever they lead (`loop -> ..`, `-> /usr/share`): the first plan
    // waited on the whole tree, memory grew, and unrelated files triggered runs.
    followSymlinks: false,
    usePolling: opts.usePolling ?? false,
    ...(opts.usePolling ? { interval: 100 } : {}),
  });
  watcher.on('all', (event, path) => {
    if (event !== 'add' && event !== 'change' && event !== 'unlink' && event !== 'addDir' && event !== 'unlinkDir') return;
    const abs = resolve(path);
    void ownEvent(event, abs, realRoot).then((own) => {
      if (!own || closed) return;
      batch.push({ event, path: abs });
      if (timer) clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    });
  });
  watcher.on('error', (err) => opts.onError?.(err instanceof Error ? err : new Error(String(err))));
  await new Promise<void>((res) => watcher.once('ready', () => res()));
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      batch = [];
      await watcher.close();
    },
  };
}
