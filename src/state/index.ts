// akbp's ownership record: which objects akbp created or adopted, and the salted, keyed digests of
// secrets it set. This file holds the format (parse, migrate, serialise) and the digest; the
// backends (file, authentik, postgres) sit behind the StateStore port in store.ts.
import { createHmac, scryptSync } from 'node:crypto';
import type { JsonObject, OwnershipState, PendingCreate, SecretRecord } from '../model/types.js';
import { STATE_CODES } from './codes.js';
import { msg } from '../diag/index.js';

export type { OwnershipState } from '../model/types.js';
export { STATE_CODES } from './codes.js';
export type { StateStore } from './store.js';
export { StateJournal } from './journal.js';

const STATE_FORMAT = 2;

export function emptyState(): OwnershipState {
  return { formatVersion: 2, objects: {}, secrets: {} };
}

/** Every failure of a state backend: carries a stable AKB92xx code and never a secret. */
export class StateError extends Error {
  readonly code: string;
  constructor(def: { code: string }, message: string) {
    super(message);
    this.name = 'StateError';
    this.code = def.code;
  }
}

export interface ParsedState {
  state: OwnershipState;
  /** What migration changed, for a one-time note; empty when the record was current. */
  migrated: string[];
  /** The HMAC key format 1 kept inside the record; the file backend moves it to its key file. */
  legacyKey?: string;
}

/**
 * Reads a record of any supported format. Format 1 kept the digest key inside and named id-less
 * entries by position (`file#3`); those keys stay as they are (apply re-keys a record when the
 * entry that now matches its object has another key), the key is handed back for the caller to move.
 */
export function parseState(raw: unknown, where = 'state'): ParsedState {
  if (!isObj(raw) || (raw.formatVersion !== 1 && raw.formatVersion !== 2)) {
    const v = isObj(raw) ? raw.formatVersion : undefined;
    if (typeof v === 'number' && v > STATE_FORMAT) {
      throw new StateError(STATE_CODES.unsupported, msg(STATE_CODES.unsupported, 'newerFormat', { where, v }));
    }
    throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'unknownFormat', { where }));
  }
  const migrated: string[] = [];
  const objects = isObj(raw.objects) ? raw.objects : {};
  const secrets = isObj(raw.secrets) ? raw.secrets : {};
  const out: OwnershipState = emptyState();
  let legacyKey: string | undefined;
  if (raw.formatVersion === 1) {
    migrated.push('format 1 → 2');
    if (typeof raw.key === 'string' && raw.key) {
      legacyKey = raw.key;
      migrated.push('the digest key is no longer kept inside the record');
    }
  }
  for (const [k, v] of Object.entries(objects)) {
    if (!isObj(v) || typeof v.model !== 'string' || (typeof v.pk !== 'string' && typeof v.pk !== 'number')) {
      throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'objectRecordMalformed', { where, key: JSON.stringify(k) }));
    }
    out.objects[k] = {
      model: v.model,
      pk: v.pk,
      identifiers: isObj(v.identifiers) ? (v.identifiers as JsonObject) : {},
      adopted: v.adopted === true,
    };
  }
  for (const [k, fields] of Object.entries(secrets)) {
    if (!isObj(fields)) continue;
    const rec: { [field: string]: SecretRecord } = {};
    for (const [f, s] of Object.entries(fields)) {
      if (!isObj(s) || typeof s.digest !== 'string' || typeof s.setAt !== 'string') {
        throw new StateError(STATE_CODES.corrupt, msg(STATE_CODES.corrupt, 'secretRecordMalformed', { where, key: JSON.stringify(k), f }));
      }
      rec[f] = { digest: s.digest, setAt: s.setAt };
      if (typeof s.serverChangeDate === 'string') rec[f]!.serverChangeDate = s.serverChangeDate;
    }
    out.secrets[k] = rec;
  }
  if (isObj(raw.pending)) {
    const pending: { [k: string]: PendingCreate } = {};
    for (const [k, v] of Object.entries(raw.pending)) {
      if (isObj(v) && typeof v.model === 'string' && typeof v.at === 'string') pending[k] = { model: v.model, at: v.at };
    }
    if (Object.keys(pending).length) out.pending = pending;
  }
  if (isObj(raw.applied)) {
    const applied: NonNullable<OwnershipState['applied']> = {};
    for (const [k, v] of Object.entries(raw.applied)) {
      if (isObj(v) && typeof v.revision === 'string' && typeof v.at === 'string') applied[k] = { revision: v.revision, at: v.at };
    }
    if (Object.keys(applied).length) out.applied = applied;
  }
  const r: ParsedState = { state: out, migrated };
  if (legacyKey) r.legacyKey = legacyKey;
  return r;
}

/** Stable key order so a record diffs cleanly between runs. */
export function sortState(s: OwnershipState): OwnershipState {
  const objects: OwnershipState['objects'] = {};
  for (const k of Object.keys(s.objects).sort()) objects[k] = s.objects[k]!;
  const secrets: OwnershipState['secrets'] = {};
  for (const k of Object.keys(s.secrets).sort()) {
    const inner: { [f: string]: SecretRecord } = {};
    for (const f of Object.keys(s.secrets[k]!).sort()) inner[f] = s.secrets[k]![f]!;
    secrets[k] = inner;
  }
  const out: OwnershipState = { formatVersion: 2, objects, secrets };
  if (s.pending && Object.keys(s.pending).length) {
    out.pending = {};
    for (const k of Object.keys(s.pending).sort()) out.pending[k] = s.pending[k]!;
  }
  if (s.applied && Object.keys(s.applied).length) {
    out.applied = {};
    for (const k of Object.keys(s.applied).sort()) out.applied[k] = s.applied[k]!;
  }
  return out;
}

/**
 * The scrypt cost: ~20 ms a guess on one core, so a 1,000-word list against 41 salted records
 * costs minutes even with the key, instead of milliseconds; cheap enough for plans of 1,000 users.
 */
const SCRYPT = { N: 1 << 13, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
/** Digests already computed in this process (plan, then apply of the same values), by keyed HMAC. */
const MEMO = new Map<string, string>();
/** Digests of this scheme start with this tag; format-1 digests (bare HMAC hex) never match one. */
const SCHEME = 's1$';

/**
 * The digest of a secret akbp set: scrypt of the value with a salt per record (entry key and
 * field) that is itself keyed, so equal passwords of two users differ, nothing can be
 * precomputed without the key, and each guess against a leaked record costs a slow KDF run.
 * Results are memoised per process (keyed by an HMAC under the key, never the value) because plan
 * and apply digest the same value several times.
 */
export function makeSecretDigest(key: string): (entryKey: string, field: string, value: string) => string {
  if (!key) throw new StateError(STATE_CODES.keyMissing, msg(STATE_CODES.keyMissing, 'emptyKey', {}));
  return (entryKey, field, value) => {
    const id = createHmac('sha256', key).update(entryKey).update('\0').update(field).update('\0').update(value).digest('base64');
    const hit = MEMO.get(id);
    if (hit) return hit;
    const salt = createHmac('sha256', key).update('akbp-salt\0').update(entryKey).update('\0').update(field).digest();
    const out = SCHEME + scryptSync(value, salt, 32, SCRYPT).toString('hex');
    if (MEMO.size > 100_000) MEMO.clear();
    MEMO.set(id, out);
    return out;
  };
}

/** HMAC over a record's canonical text: a backend an administrator can edit (authentik) signs it. */
export function stateMac(key: string, text: string): string {
  return createHmac('sha256', key).update('akbp-state\0').update(text).digest('hex');
}

export function isObj(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
