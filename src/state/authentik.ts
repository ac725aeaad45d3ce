// The `authentik` backend: the ownership record lives on the target server itself, so a fresh CI
// runner with only AUTHENTIK_URL, AUTHENTIK_TOKEN and AKBP_STATE_KEY sees what the last run did.
//
// Where: a blueprint instance (`/managed/blueprints/`), `enabled: false`, named
// `akbp-state:<workspace>:v<version>`, whose `context` holds the signed record and whose `content`
// is an empty blueprint labelled as akbp's. Both 2023.6 and 2026.5 accept an arbitrary object in
// `context` and a unique `name` (the sandbox emulates both); an administrator sees it under
// System → Blueprints, recognisable by name and labels, and a disabled instance is never applied.
// A group's attributes would also hold JSON but appear among the users' groups and can be
// assigned to people; a disabled blueprint instance does nothing.
//
// Compare-and-swap without server-side transactions: version n+1 is a new instance whose name
// is unique, so of two writers that read version n exactly one can create `…:v<n+1>`; the other
// gets the uniqueness error and a StateError (AKB9203). After writing, the record is re-read to
// confirm it is ours; older versions are deleted afterwards (a crash in between leaves an old
// version that the next read ignores). The apply lock is another instance, `akbp-lock:<workspace>`,
// created the same way, with a lease renewed while held so a crashed holder's lock expires.
//
// Never stored: plaintext secrets (the digests are salted, keyed scrypt) and AKBP_STATE_KEY. The
// record is signed with an HMAC of that key, so an edit in the UI is detected, not obeyed.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Json, JsonObject, LiveObject, OwnershipState, ServerClient } from '../model/index.js';
import { ApiError } from '../model/errors.js';
import { STATE_CODES } from './codes.js';
import { emptyState, isObj, parseState, sortState, stateMac, StateError } from './index.js';
import type { AcquireResult, LockInfo } from './lock.js';
import type { StateLockOptions, StateSnapshot, StateStore } from './store.js';
import { msg } from '../diag/index.js';

const MODEL = 'authentik_blueprints.blueprintinstance';

export interface AuthentikStoreOptions {
  client: ServerClient;
  workspace: string;
  key: string;
  /** Lease of the apply lock; a holder that stops renewing loses it after this long. */
  leaseMs?: number;
}

interface Versioned {
  obj: LiveObject;
  version: number;
}

export class AuthentikStateStore implements StateStore {
  readonly kind = 'authentik' as const;
  readonly workspace: string;
  readonly description: string;
  private readonly client: ServerClient;
  private readonly key: string;
  private readonly leaseMs: number;

  constructor(opts: AuthentikStoreOptions) {
    if (!opts.key) throw new StateError(STATE_CODES.keyMissing, msg(STATE_CODES.keyMissing, 'authentikKey', {}));
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(opts.workspace))
      throw new StateError(STATE_CODES.badUrl, msg(STATE_CODES.badUrl, 'badWorkspace', { workspace: JSON.stringify(opts.workspace) }));
    this.client = opts.client;
    this.workspace = opts.workspace;
    this.key = opts.key;
    this.leaseMs = opts.leaseMs ?? 5 * 60_000;
    this.description = `authentik ${opts.client.baseUrl} (blueprint instance akbp-state:${opts.workspace})`;
  }

  private prefix(ws = this.workspace): string {
    return `akbp-state:${ws}:v`;
  }

  private async versions(): Promise<Versioned[]> {
    const all = await this.call(() => this.client.list(MODEL));
    const p = this.prefix();
    return all
      .map((obj) => ({ obj, name: String(obj.body.name ?? '') }))
      .filter((x) => x.name.startsWith(p) && /^\d+$/.test(x.name.slice(p.length)))
      .map((x) => ({ obj: x.obj, version: Number(x.name.slice(p.length)) }))
      .sort((a, b) => b.version - a.version);
  }

  async read(): Promise<StateSnapshot> {
    const [head] = await this.versions();
    if (!head) return { state: emptyState(), version: 0 };
    return { ...this.decode(head), version: head.version };
  }

  private decode(v: Versioned): Omit<StateSnapshot, 'version'> {
    const where = `blueprint instance ${String(v.obj.body.name)}`;
    const ctx = v.obj.body.context;
    const rec = isObj(ctx) ? ctx.akbp_state : undefined;
    if (!isObj(rec) || typeof rec.mac !== 'string' || !isObj(rec.state)) {
      throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'noRecord', { where }));
    }
    const signed = JSON.stringify({ workspace: this.workspace, version: v.version, state: rec.state });
    if (stateMac(this.key, signed) !== rec.mac) {
      throw new StateError(STATE_CODES.tampered, msg(STATE_CODES.tampered, 'badSignature', { where }));
    }
    const parsed = parseState(rec.state, where);
    return parsed.migrated.length ? { state: parsed.state, migrated: parsed.migrated } : { state: parsed.state };
  }

  async write(state: OwnershipState, expectedVersion: number): Promise<number> {
    const next = expectedVersion + 1;
    const name = `${this.prefix()}${next}`;
    const nonce = randomUUID();
    const record = sortState(state) as unknown as JsonObject;
    const signed = JSON.stringify({ workspace: this.workspace, version: next, state: record });
    const body: JsonObject = {
      name,
      path: '',
      enabled: false,
      content: blueprintText(this.workspace, next),
      context: {
        akbp_state: {
          format: 2,
          workspace: this.workspace,
          version: next,
          writtenAt: new Date().toISOString(),
          nonce,
          mac: stateMac(this.key, signed),
          state: record,
        },
      },
    };
    const conflict = () => new StateError(STATE_CODES.conflict, msg(STATE_CODES.conflict, 'changedSinceNewer', { store: this.description, expectedVersion }));
    let created: LiveObject | undefined;
    try {
      created = await this.client.create(MODEL, body);
    } catch (e) {
      if (e instanceof ApiError && e.status === 400 && Object.keys(e.fieldErrors()).some((f) => f === 'name' || f === 'non_field_errors')) throw conflict();
      if (!(e instanceof ApiError && e.uncertain)) throw backendError(this.description, e);
    }
    // Re-read after the write: version `next` must be ours (an uncertain create is settled here too).
    const now = await this.versions();
    const mine = now.find((v) => v.version === next);
    const ctx = mine && isObj(mine.obj.body.context) && isObj(mine.obj.body.context.akbp_state) ? mine.obj.body.context.akbp_state : undefined;
    if (!mine || !ctx || ctx.nonce !== nonce || (created && String(mine.obj.pk) !== String(created.pk))) throw conflict();
    for (const old of now.filter((v) => v.version < next)) {
      await this.client.delete(MODEL, old.obj.pk).catch(() => undefined);
    }
    return next;
  }

  async lock(opts: StateLockOptions = {}): Promise<AcquireResult> {
    const name = `akbp-lock:${this.workspace}`;
    const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), token: randomUUID() };
    if (opts.purpose) info.purpose = opts.purpose;
    const deadline = Date.now() + (opts.timeoutMs ?? 10 * 60_000);
    const body = (): JsonObject => ({
      name,
      path: '',
      enabled: false,
      content: blueprintText(this.workspace, 0, 'lock'),
      context: { akbp_lock: { ...info, expiresAt: new Date(Date.now() + this.leaseMs).toISOString() } as unknown as Json },
    });
    let tookOverFrom: LockInfo | undefined;
    for (;;) {
      try {
        const obj = await this.client.create(MODEL, body());
        return { ok: true, lock: this.handle(obj.pk, info, name, body), ...(tookOverFrom ? { tookOverFrom } : {}) };
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 400)) throw backendError(this.description, e);
      }
      const [held] = (await this.call(() => this.client.list(MODEL))).filter((o) => o.body.name === name);
      const ctx = held && isObj(held.body.context) && isObj(held.body.context.akbp_lock) ? held.body.context.akbp_lock : undefined;
      const holder = ctx && typeof ctx.pid === 'number' && typeof ctx.host === 'string' ? (ctx as unknown as LockInfo) : undefined;
      const expires = ctx && typeof ctx.expiresAt === 'string' ? Date.parse(ctx.expiresAt) : NaN;
      if (held && (!ctx || (Number.isFinite(expires) && expires < Date.now()))) {
        // The holder stopped renewing its lease: it is gone. Take it over.
        await this.client.delete(MODEL, held.pk).catch(() => undefined);
        if (holder) tookOverFrom = holder;
        continue;
      }
      if (!held) continue;
      const fail = (reason: 'busy' | 'timeout' | 'aborted'): AcquireResult => (holder ? { ok: false, reason, holder } : { ok: false, reason });
      if (opts.signal?.aborted) return fail('aborted');
      if (opts.onBusy === 'skip') return fail('busy');
      if (Date.now() >= deadline) return fail('timeout');
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
    }
  }

  private handle(pk: string | number, info: LockInfo, name: string, body: () => JsonObject) {
    const renew = setInterval(
      () => {
        // content is sent along: a PATCH of context alone fails the "path or content" check on some versions.
        const b = body();
        void this.client.patch(MODEL, pk, { content: b.content!, context: b.context! }).catch(() => undefined);
      },
      Math.max(1000, Math.floor(this.leaseMs / 3)),
    );
    renew.unref();
    let released = false;
    return {
      info,
      path: name,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        const cur = await this.client.get(MODEL, pk).catch(() => null);
        const ctx = cur && isObj(cur.body.context) && isObj(cur.body.context.akbp_lock) ? cur.body.context.akbp_lock : undefined;
        if (ctx?.token === info.token) await this.client.delete(MODEL, pk).catch(() => undefined);
      },
    };
  }

  async digestKey(): Promise<string> {
    return this.key;
  }

  async workspaces(): Promise<string[]> {
    const all = await this.call(() => this.client.list(MODEL));
    const out = new Set<string>();
    for (const o of all) {
      const m = /^akbp-state:([A-Za-z0-9._-]+):v\d+$/.exec(String(o.body.name ?? ''));
      if (m) out.add(m[1]!);
    }
    return [...out].sort();
  }

  async close(): Promise<void> {}

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw backendError(this.description, e);
    }
  }
}

function backendError(where: string, e: unknown): StateError {
  if (e instanceof StateError) return e;
  const what =
    e instanceof ApiError
      ? `${e.message}${e.status === 403 ? ' (the token needs permission on blueprint instances)' : ''}`
      : e instanceof Error
        ? e.message
        : String(e);
  return new StateError(STATE_CODES.backend, msg(STATE_CODES.backend, 'failedAt', { where, what }));
}

/** An empty blueprint that says whose it is; never applied (the instance is disabled). */
function blueprintText(workspace: string, version: number, kind: 'state' | 'lock' = 'state'): string {
  const what = kind === 'state' ? `ownership record of akbp, workspace ${workspace}, version ${version}` : `apply lock of akbp, workspace ${workspace}`;
  return [
    `# The ${what}.`,
    '# Written by akbp (authentik blueprints reconciler); keep it disabled and do not edit its context:',
    '# the record is signed, and `akbp state` lists, shows and repairs it.',
    'version: 1',
    'metadata:',
    `  name: akbp ${kind} ${workspace}`,
    '  labels:',
    '    blueprints.goauthentik.io/instantiate: "false"',
    `    akbp.dev/${kind}: "${workspace}"`,
    'entries: []',
    '',
  ].join('\n');
}
