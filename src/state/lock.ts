// The file backend's apply lock, shared by daemons, watchers, hooks and manual applies. A lock file
// created with O_EXCL holds {pid, host, startedAt, token}; the token tells two holders inside one
// process apart. A lock whose pid is gone on this host is stale and may be taken over; a lock from
// another host is never judged stale, because we cannot see its processes.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  token: string;
  /** What the holder is doing, for the waiter's message: `serve apply git::…`. */
  purpose?: string;
}

export interface LockHandle {
  readonly info: LockInfo;
  readonly path: string;
  /** Removes the lock if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface AcquireOptions {
  purpose?: string;
  /** `skip` returns at once when busy; `wait` polls until free or timeoutMs passes. */
  onBusy?: 'wait' | 'skip';
  timeoutMs?: number;
  pollMs?: number;
  /** Injected for tests: pid liveness and host name. */
  isAlive?: (pid: number) => boolean;
  host?: string;
  signal?: AbortSignal;
}

export type AcquireResult = { ok: true; lock: LockHandle; tookOverFrom?: LockInfo } | { ok: false; reason: 'busy' | 'timeout' | 'aborted'; holder?: LockInfo };

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as LockInfo;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function isStale(holder: LockInfo | undefined, host: string, alive: (pid: number) => boolean): boolean {
  // An unreadable lock file is a holder caught between create and write; never stale.
  return holder !== undefined && holder.host === host && !alive(holder.pid);
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  try {
    await writeFile(path, JSON.stringify(info) + '\n', { flag: 'wx', mode: 0o644 });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Moves the stale file aside by rename (atomic), then checks it really moved the stale holder's
 * file and not a fresh lock someone created in between; if it did grab a fresh one it puts it back.
 */
async function takeOver(path: string, stale: LockInfo, token: string): Promise<boolean> {
  const aside = `${path}.stale-${token}`;
  try {
    await rename(path, aside);
  } catch {
    return false;
  }
  const moved = await readLock(aside);
  if (!moved || moved.token !== stale.token) {
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export async function acquireLock(path: string, opts: AcquireOptions = {}): Promise<AcquireResult> {
  const host = opts.host ?? hostname();
  const alive = opts.isAlive ?? pidAlive;
  const info: LockInfo = { pid: process.pid, host, startedAt: new Date().toISOString(), token: randomUUID() };
  if (opts.purpose) info.purpose = opts.purpose;
  await mkdir(dirname(path), { recursive: true });
  const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
  let tookOverFrom: LockInfo | undefined;
  for (;;) {
    if (await tryCreate(path, info)) {
      const handle = makeHandle(path, info);
      return tookOverFrom ? { ok: true, lock: handle, tookOverFrom } : { ok: true, lock: handle };
    }
    const holder = await readLock(path);
    if (holder && isStale(holder, host, alive) && (await takeOver(path, holder, info.token))) {
      tookOverFrom = holder;
      continue;
    }
    if (opts.signal?.aborted) return holder ? { ok: false, reason: 'aborted', holder } : { ok: false, reason: 'aborted' };
    if (opts.onBusy === 'skip') return holder ? { ok: false, reason: 'busy', holder } : { ok: false, reason: 'busy' };
    if (Date.now() >= deadline) return holder ? { ok: false, reason: 'timeout', holder } : { ok: false, reason: 'timeout' };
    await sleep(opts.pollMs ?? 100, opts.signal);
  }
}

function makeHandle(path: string, info: LockInfo): LockHandle {
  let released = false;
  return {
    info,
    path,
    async release() {
      if (released) return;
      released = true;
      const cur = await readLock(path);
      if (cur?.token === info.token) await unlink(path).catch(() => undefined);
    },
  };
}

/** Runs fn under the lock; `undefined` result when skipped/timed out (the reason is returned too). */
export async function withLock<T>(
  path: string,
  opts: AcquireOptions,
  fn: (lock: LockHandle) => Promise<T>,
): Promise<{ ran: true; value: T } | { ran: false; reason: 'busy' | 'timeout' | 'aborted'; holder?: LockInfo }> {
  const got = await acquireLock(path, opts);
  if (!got.ok) return { ran: false, reason: got.reason, ...(got.holder ? { holder: got.holder } : {}) };
  try {
    return { ran: true, value: await fn(got.lock) };
  } finally {
    await got.lock.release();
  }
}

/**
 * The apply lock beside an ownership state file: every writer of that state takes this one. Keyed
 * on the resolved path, so `--state a.json` and `--state link-to-a.json` take the same lock.
 */
export function lockPathFor(statePath: string): string {
  return `${resolveStatePath(statePath)}.lock`;
}

/**
 * The file a state path really names: symbolic links followed (also a dangling one, whose target
 * is created on first write), the directory canonicalised when it exists.
 */
export function resolveStatePath(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      break;
    }
    if (!st.isSymbolicLink()) break;
    p = resolve(dirname(p), readlinkSync(p));
  }
  try {
    return join(realpathSync(dirname(p)), basename(p));
  } catch {
    return p;
  }
}
