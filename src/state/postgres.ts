// The `postgres` backend: one row per workspace in `akbp_state` with a version column for
// compare-and-swap, a session-level advisory lock as the apply lock, another as the leadership of
// `akbp serve` replicas. The schema is created on first use; later changes run with
// `akbp state migrate` (a store refuses to work on a schema older than it knows).
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import type { OwnershipState } from '../model/types.js';
import { STATE_CODES } from './codes.js';
import { emptyState, parseState, sortState, StateError } from './index.js';
import type { AcquireResult, LockInfo } from './lock.js';
import type { LeaderHandle, StateLockOptions, StateSnapshot, StateStore } from './store.js';
import { msg } from '../diag/index.js';

/** Schema changes in order; index + 1 is the schema version they lead to. */
const MIGRATIONS: string[] = [
  `CREATE TABLE IF NOT EXISTS akbp_state (
     workspace text PRIMARY KEY,
     version bigint NOT NULL,
     state jsonb NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now())`,
];
const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** 'akbp' as an int4: the first half of every advisory lock key akbp takes. */
const LOCK_CLASS = 0x616b6270;

export interface PostgresStoreOptions {
  url: string;
  workspace: string;
  key: string;
}

export class PostgresStateStore implements StateStore {
  readonly kind = 'postgres' as const;
  readonly workspace: string;
  readonly description: string;
  private client: pg.Client | undefined;
  private connecting: Promise<pg.Client> | undefined;
  private readonly sessions = new Set<pg.Client>();

  constructor(private readonly opts: PostgresStoreOptions) {
    if (!opts.key) throw new StateError(STATE_CODES.keyMissing, msg(STATE_CODES.keyMissing, 'postgresKey', {}));
    this.workspace = opts.workspace;
    this.description = `${redactUrl(opts.url)} (workspace ${opts.workspace})`;
  }

  private async connect(applicationName = 'akbp'): Promise<pg.Client> {
    // The driver loads on first connect: validate, compile and the other backends never need it.
    const { default: driver } = await import('pg');
    const c = new driver.Client({ connectionString: this.opts.url, application_name: applicationName.slice(0, 63), connectionTimeoutMillis: 10_000 });
    // An error on an idle session must not crash the process; the next query reports it.
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (e) {
      throw this.error(e);
    }
    return c;
  }

  private async db(): Promise<pg.Client> {
    if (this.client) return this.client;
    this.connecting ??= (async () => {
      const c = await this.connect();
      try {
        await this.checkSchema(c, false);
      } catch (e) {
        await c.end().catch(() => undefined);
        throw e;
      }
      this.client = c;
      return c;
    })();
    try {
      return await this.connecting;
    } finally {
      this.connecting = undefined;
    }
  }

  /** Creates the schema on first use; with `migrate`, brings an older one up to date. */
  private async checkSchema(c: pg.Client, migrate: boolean): Promise<{ from: number; to: number }> {
    try {
      await c.query('BEGIN');
      // Two first users at once: one creates, the other waits and finds it done.
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [LOCK_CLASS]);
      await c.query('CREATE TABLE IF NOT EXISTS akbp_schema (version integer NOT NULL)');
      const r = await c.query<{ version: number }>('SELECT version FROM akbp_schema');
      const from = r.rows[0]?.version ?? 0;
      if (from > POSTGRES_SCHEMA_VERSION) {
        throw new StateError(
          STATE_CODES.unsupported,
          msg(STATE_CODES.unsupported, 'newerSchema', { store: this.description, from, known: POSTGRES_SCHEMA_VERSION }),
        );
      }
      if (from > 0 && from < POSTGRES_SCHEMA_VERSION && !migrate) {
        throw new StateError(
          STATE_CODES.unsupported,
          msg(STATE_CODES.unsupported, 'olderSchema', { store: this.description, from, known: POSTGRES_SCHEMA_VERSION }),
        );
      }
      for (let v = from; v < POSTGRES_SCHEMA_VERSION; v++) await c.query(MIGRATIONS[v]!);
      if (from === 0) await c.query('INSERT INTO akbp_schema (version) VALUES ($1)', [POSTGRES_SCHEMA_VERSION]);
      else await c.query('UPDATE akbp_schema SET version = $1', [POSTGRES_SCHEMA_VERSION]);
      await c.query('COMMIT');
      return { from, to: POSTGRES_SCHEMA_VERSION };
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw this.error(e);
    }
  }

  async migrate(): Promise<{ from: number; to: number }> {
    const c = await this.connect();
    try {
      return await this.checkSchema(c, true);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async read(): Promise<StateSnapshot> {
    const c = await this.db();
    const r = await this.q(() => c.query<{ version: string; state: unknown }>('SELECT version, state FROM akbp_state WHERE workspace = $1', [this.workspace]));
    const row = r.rows[0];
    if (!row) return { state: emptyState(), version: 0 };
    const parsed = parseState(row.state, `${this.description}`);
    const snap: StateSnapshot = { state: parsed.state, version: Number(row.version) };
    if (parsed.migrated.length) snap.migrated = parsed.migrated;
    return snap;
  }

  async write(state: OwnershipState, expectedVersion: number): Promise<number> {
    const c = await this.db();
    const json = JSON.stringify(sortState(state));
    const r =
      expectedVersion === 0
        ? await this.q(() =>
            c.query('INSERT INTO akbp_state (workspace, version, state) VALUES ($1, 1, $2::jsonb) ON CONFLICT (workspace) DO NOTHING', [this.workspace, json]),
          )
        : await this.q(() =>
            c.query('UPDATE akbp_state SET version = version + 1, state = $3::jsonb, updated_at = now() WHERE workspace = $1 AND version = $2', [
              this.workspace,
              expectedVersion,
              json,
            ]),
          );
    if (r.rowCount !== 1) {
      throw new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'changedSinceNewer', { store: this.description, expectedVersion }));
    }
    return expectedVersion + 1;
  }

  private lockKey(kind: 'apply' | 'leader'): [number, number] {
    const h = createHash('sha256').update(`${kind}\0${this.workspace}`).digest();
    // Non-negative, so the same number reads back from pg_locks.objid (an oid).
    return [LOCK_CLASS, h.readUInt32BE(0) & 0x7fffffff];
  }

  /** A session that holds an advisory lock for as long as it lives; its application_name names the holder. */
  private async lockSession(
    kind: 'apply' | 'leader',
    info: LockInfo,
    opts: StateLockOptions,
  ): Promise<{ client: pg.Client } | { holder?: LockInfo; reason: 'busy' | 'timeout' | 'aborted' }> {
    const [k1, k2] = this.lockKey(kind);
    const c = await this.connect(`akbp ${info.pid}@${info.host} ${info.token.slice(0, 8)} ${info.purpose ?? kind}`);
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    for (;;) {
      const r = await this.q(() => c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [k1, k2])).catch(async (e: unknown) => {
        await c.end().catch(() => undefined);
        throw e;
      });
      if (r.rows[0]?.ok) {
        this.sessions.add(c);
        return { client: c };
      }
      const reason = opts.signal?.aborted ? 'aborted' : opts.onBusy === 'skip' ? 'busy' : Date.now() >= deadline ? 'timeout' : undefined;
      if (reason) {
        const holder = await this.holder(c, k1, k2).catch(() => undefined);
        await c.end().catch(() => undefined);
        return holder ? { reason, holder } : { reason };
      }
      await new Promise((res) => setTimeout(res, opts.pollMs ?? 200));
    }
  }

  private async holder(c: pg.Client, k1: number, k2: number): Promise<LockInfo | undefined> {
    const r = await c.query<{ application_name: string; backend_start: Date }>(
      `SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = $1::int::oid AND l.objid = $2::int::oid AND l.granted LIMIT 1`,
      [k1, k2],
    );
    const row = r.rows[0];
    const m = row ? /^akbp (\d+)@(\S+) (\S+) (.*)$/.exec(row.application_name) : null;
    if (!row || !m) return undefined;
    return { pid: Number(m[1]), host: m[2]!, token: m[3]!, startedAt: new Date(row.backend_start).toISOString(), purpose: m[4]! };
  }

  async lock(opts: StateLockOptions = {}): Promise<AcquireResult> {
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
    if (opts.purpose) info.purpose = opts.purpose;
    const got = await this.lockSession('apply', info, opts);
    if (!('client' in got)) return got.holder ? { ok: false, reason: got.reason, holder: got.holder } : { ok: false, reason: got.reason };
    let released = false;
    return {
      ok: true,
      lock: {
        info,
        path: this.description,
        release: async () => {
          if (released) return;
          released = true;
          this.sessions.delete(got.client);
          // Ending the session releases its advisory locks.
          await got.client.end().catch(() => undefined);
        },
      },
    };
  }

  /**
   * Waits until this process leads the workspace (an advisory lock held by a session of its own)
   * and returns the handle; leadership ends when that session dies, fails a health check or is
   * released. `isLeader()` is false from the first failed check on, so no write follows it.
   */
  async leadership(opts: { purpose?: string; pollMs?: number; signal?: AbortSignal; onWaiting?: () => void } = {}): Promise<LeaderHandle | undefined> {
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID(), purpose: opts.purpose ?? 'leader' };
    const pollMs = opts.pollMs ?? 1000;
    for (;;) {
      if (opts.signal?.aborted) return undefined;
      let got: Awaited<ReturnType<PostgresStateStore['lockSession']>>;
      try {
        got = await this.lockSession('leader', info, { onBusy: 'skip' });
      } catch {
        got = { reason: 'busy' };
      }
      if ('client' in got) return this.leaderHandle(got.client, pollMs);
      opts.onWaiting?.();
      await new Promise((res) => setTimeout(res, pollMs));
    }
  }

  private leaderHandle(c: pg.Client, pollMs: number): LeaderHandle {
    let leading = true;
    let resolveLost!: (why: string) => void;
    const lost = new Promise<string>((r) => (resolveLost = r));
    const [k1, k2] = this.lockKey('leader');
    const give = (why: string) => {
      if (!leading) return;
      leading = false;
      clearInterval(timer);
      this.sessions.delete(c);
      void c.end().catch(() => undefined);
      resolveLost(why);
    };
    c.on('error', (e: Error) => give(`connection lost: ${e.message}`));
    c.on('end', () => give('connection closed'));
    const check = async () => {
      try {
        const r = await c.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' AND classid = $1::int::oid AND objid = $2::int::oid AND granted`,
          [k1, k2],
        );
        if (Number(r.rows[0]?.n) < 1) give('the advisory lock is no longer held');
      } catch (e) {
        give(`health check failed: ${(e as Error).message}`);
      }
    };
    const timer = setInterval(() => void check(), Math.max(100, Math.floor(pollMs / 2)));
    timer.unref();
    return {
      lost,
      isLeader: () => leading,
      confirm: async () => {
        if (leading) await check();
        return leading;
      },
      release: async () => give('released'),
    };
  }

  async digestKey(): Promise<string> {
    return this.opts.key;
  }

  async workspaces(): Promise<string[]> {
    const c = await this.db();
    const r = await this.q(() => c.query<{ workspace: string }>('SELECT workspace FROM akbp_state ORDER BY workspace'));
    return r.rows.map((x) => x.workspace);
  }

  async close(): Promise<void> {
    const all = [...this.sessions, ...(this.client ? [this.client] : [])];
    this.sessions.clear();
    this.client = undefined;
    await Promise.all(all.map((c) => c.end().catch(() => undefined)));
  }

  private async q<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.error(e);
    }
  }

  private error(e: unknown): StateError {
    if (e instanceof StateError) return e;
    const message = e instanceof Error ? e.message : String(e);
    return new StateError(
      STATE_CODES.backend,
      msg(STATE_CODES.backend, 'failed', { store: this.description, why: message.replaceAll(this.opts.url, redactUrl(this.opts.url)) }),
    );
  }
}

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
