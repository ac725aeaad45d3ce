// akbp's ownership record (`.akbp/state.json`): which objects akbp created or adopted, and the
// HMAC digests of secrets it set. The only module of the core that touches the file system, so
// the reconciler stays testable with an in-memory state everywhere else.
import { createHmac, randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonObject, OwnershipState, SecretRecord } from '../model/types.js';

export type { OwnedObject, OwnershipState, SecretRecord } from '../model/types.js';

export function emptyState(): OwnershipState {
  return { formatVersion: 1, objects: {}, secrets: {} };
}

/** A fresh random HMAC key for a new state file. */
export function generateStateKey(): string {
  return randomBytes(32).toString('hex');
}

export class StateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateError';
  }
}

/** Reads the state file; a missing file is an empty state, a corrupt one is an error (never silently reset). */
export function readState(path: string): OwnershipState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new StateError(`${path}: not valid JSON; refusing to overwrite akbp's ownership record`);
  }
  return parseState(raw, path);
}

export function parseState(raw: unknown, where = 'state'): OwnershipState {
  if (!isObj(raw) || raw.formatVersion !== 1) {
    throw new StateError(`${where}: unsupported state format (expected formatVersion 1)`);
  }
  const objects = isObj(raw.objects) ? raw.objects : {};
  const secrets = isObj(raw.secrets) ? raw.secrets : {};
  const out: OwnershipState = { formatVersion: 1, objects: {}, secrets: {} };
  if (typeof raw.key === 'string' && raw.key) out.key = raw.key;
  for (const [k, v] of Object.entries(objects)) {
    if (!isObj(v) || typeof v.model !== 'string' || (typeof v.pk !== 'string' && typeof v.pk !== 'number')) {
      throw new StateError(`${where}: object record ${JSON.stringify(k)} is malformed`);
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
        throw new StateError(`${where}: secret record ${JSON.stringify(k)}/${f} is malformed`);
      }
      rec[f] = { digest: s.digest, setAt: s.setAt };
      if (typeof s.serverChangeDate === 'string') rec[f]!.serverChangeDate = s.serverChangeDate;
    }
    out.secrets[k] = rec;
  }
  return out;
}

/**
 * Write-then-rename in the same directory, so a crash leaves either the old or the new file and
 * never a truncated one; mode 0600 because the HMAC key lives inside.
 */
export function writeStateAtomic(path: string, s: OwnershipState): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  const sorted = sortState(s);
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(sorted, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Stable key order so the file diffs cleanly between runs. */
function sortState(s: OwnershipState): OwnershipState {
  const objects: OwnershipState['objects'] = {};
  for (const k of Object.keys(s.objects).sort()) objects[k] = s.objects[k]!;
  const secrets: OwnershipState['secrets'] = {};
  for (const k of Object.keys(s.secrets).sort()) {
    const inner: { [f: string]: SecretRecord } = {};
    for (const f of Object.keys(s.secrets[k]!).sort()) inner[f] = s.secrets[k]![f]!;
    secrets[k] = inner;
  }
  const out: OwnershipState = { formatVersion: 1, objects, secrets };
  if (s.key !== undefined) out.key = s.key;
  return out;
}

/**
 * HMAC-SHA256 over entry key, field and value, so equal passwords of two users give different
 * digests and a digest reveals nothing without the key.
 */
export function makeSecretDigest(key: string): (entryKey: string, field: string, value: string) => string {
  if (!key) throw new StateError('a secret digest needs a non-empty key');
  return (entryKey, field, value) =>
    createHmac('sha256', key).update(entryKey).update('\0').update(field).update('\0').update(value).digest('hex');
}

/** The key to digest with: AKBP_STATE_KEY when given, else the state's own (generated on first use). */
export function ensureStateKey(s: OwnershipState, envKey?: string): { state: OwnershipState; key: string } {
  if (envKey) return { state: s, key: envKey };
  if (s.key) return { state: s, key: s.key };
  const key = generateStateKey();
  return { state: { ...s, key }, key };
}

function isObj(v: unknown): v is { [k: string]: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
