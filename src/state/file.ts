// The file backend (the default): one JSON record on disk, written atomically (temp + fsync +
// rename in the resolved directory, so a symlinked state file stays a symlink and both names see
// the same record), with a `serial` for compare-and-swap and a lock file for apply.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OwnershipState } from '../model/types.js';
import { STATE_CODES } from './codes.js';
import { emptyState, isObj, parseState, sortState, StateError } from './index.js';
import { acquireLock, resolveStatePath, type AcquireResult } from './lock.js';
import type { StateLockOptions, StateSnapshot, StateStore } from './store.js';
import { msg } from '../diag/index.js';

export interface FileStoreOptions {
  env: { [name: string]: string | undefined };
}

export class FileStateStore implements StateStore {
  readonly kind = 'file' as const;
  readonly workspace: string;
  readonly description: string;
  /** The real file: every lock and write goes through this, whatever name the user gave. */
  readonly path: string;
  private legacyKey: string | undefined;
  /** Apply locks this store holds now: while one is held, no other process writes this record. */
  private applyLocks = 0;

  constructor(
    path: string,
    private readonly opts: FileStoreOptions,
  ) {
    this.path = resolveStatePath(path);
    this.workspace = 'default';
    this.description = path === this.path ? path : `${path} (→ ${this.path})`;
  }

  async read(): Promise<StateSnapshot> {
    return this.readSync();
  }

  async readShared(): Promise<StateSnapshot> {
    const stamp = this.stamp();
    if (stamp !== undefined && this.cached?.stamp === stamp) return this.cached.snap;
    const snap = this.readSync();
    this.cached = stamp !== undefined && !snap.migrated ? { stamp, snap: freezeSnapshot(snap) } : undefined;
    return snap;
  }

  /** The file's identity and times; undefined when it cannot be read. */
  private stamp(): string | undefined {
    try {
      const st = statSync(this.path, { bigint: true });
      return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    } catch {
      return undefined;
    }
  }

  /**
   * The last record `readShared` read, by the file's identity and times: akbp watch reads the
   * state on every save, and parsing 20k records took ~100 ms of a 300 ms budget. Every write
   * replaces the file (rename), so a changed record is a changed inode or ctime. Frozen, since it
   * is handed out again: an apply works on its own copy.
   */
  private cached: { stamp: string; snap: StateSnapshot } | undefined;

  private readSync(): StateSnapshot {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { state: emptyState(), version: 0 };
      throw new StateError(STATE_CODES.backend, msg(STATE_CODES.backend, 'cannotReadFile', { path: this.path, why: (e as Error).message }));
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'notValidJson', { path: this.path, why: (e as Error).message }));
    }
    const parsed = parseState(raw, this.path);
    if (parsed.legacyKey) this.legacyKey = parsed.legacyKey;
    const version = isObj(raw) && typeof raw.serial === 'number' ? raw.serial : 0;
    const snap: StateSnapshot = { state: parsed.state, version };
    if (parsed.migrated.length) snap.migrated = parsed.migrated;
    return snap;
  }

  async write(state: OwnershipState, expectedVersion: number): Promise<number> {
    // Every writer that holds the apply lock is alone; others (a plan writing back a migrated
    // record) take a short lock around read-compare-write, so the serial is a real compare-and-swap.
    const got =
      this.applyLocks > 0 ? undefined : await acquireLock(`${this.path}.write-lock`, { onBusy: 'wait', timeoutMs: 30_000, pollMs: 5, purpose: 'state write' });
    if (got && !got.ok) throw new StateError(STATE_CODES.locked, msg(STATE_CODES.locked, 'fileLocked', { path: this.path, reason: got.reason }));
    try {
      const cur = this.currentSerial();
      if (cur !== expectedVersion) {
        throw new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'changedSince', { path: this.path, expectedVersion, cur }));
      }
      const next = cur + 1;
      // `serial` first, so the next write's version check reads a few bytes, not the whole record.
      const { formatVersion, ...body } = sortState(state);
      writeAtomic(this.path, `${JSON.stringify({ formatVersion, serial: next, ...body }, null, 2)}\n`);
      return next;
    } finally {
      if (got?.ok) await got.lock.release();
    }
  }

  /** The version on disk; a record written by this backend names it in its first bytes. */
  private currentSerial(): number {
    let head = '';
    try {
      const fd = openSync(this.path, 'r');
      try {
        const buf = Buffer.alloc(128);
        head = buf.subarray(0, readSync(fd, buf, 0, 128, 0)).toString('utf8');
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    }
    const m = /^\{\s*"formatVersion":\s*2,\s*"serial":\s*(\d+),/.exec(head);
    return m ? Number(m[1]) : this.readSync().version;
  }

  async lock(opts: StateLockOptions = {}): Promise<AcquireResult> {
    const got = await acquireLock(`${this.path}.lock`, opts);
    if (!got.ok) return got;
    this.applyLocks++;
    const inner = got.lock;
    let released = false;
    const lock = {
      info: inner.info,
      path: inner.path,
      release: async () => {
        if (!released) this.applyLocks--;
        released = true;
        await inner.release();
      },
    };
    return got.tookOverFrom ? { ok: true, lock, tookOverFrom: got.tookOverFrom } : { ok: true, lock };
  }

  /**
   * AKBP_STATE_KEY when set; else a key file beside the record (`<state>.key`, 0600), created
   * once. The key is never inside the record, so a copied state file alone digests nothing.
   */
  async digestKey(): Promise<string> {
    if (this.opts.env.AKBP_STATE_KEY) return this.opts.env.AKBP_STATE_KEY;
    const file = `${this.path}.key`;
    try {
      const k = readFileSync(file, 'utf8').trim();
      if (k) return k;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new StateError(STATE_CODES.backend, msg(STATE_CODES.backend, 'cannotReadKey', { file, errno: (e as NodeJS.ErrnoException).code ?? 'error' }));
    }
    if (this.legacyKey === undefined) this.readSync();
    const key = this.legacyKey ?? randomBytes(32).toString('hex');
    mkdirSync(dirname(file), { recursive: true });
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, `${key}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      return key;
    } catch (e) {
      // Another process created it first: use theirs.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
      throw new StateError(STATE_CODES.backend, msg(STATE_CODES.backend, 'cannotCreateKey', { file, errno: (e as NodeJS.ErrnoException).code ?? 'error' }));
    }
  }

  async workspaces(): Promise<string[]> {
    return [this.workspace];
  }

  async close(): Promise<void> {}
}

/** Write-then-rename in the same directory, so a crash leaves either the old or the new file; 0600. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
}

function freezeSnapshot(snap: StateSnapshot): StateSnapshot {
  for (const rec of Object.values(snap.state.objects)) Object.freeze(rec);
  Object.freeze(snap.state.objects);
  Object.freeze(snap.state);
  return Object.freeze(snap);
}
