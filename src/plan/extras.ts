// Blueprint-only and secret fields (user password, token key, icon, background, write-only
// secrets): the server cannot be diffed for most of them, so akbp remembers an HMAC digest of
// what it set and sets again only when the blueprint's value (or the server's own change date)
// moved. The plan carries the digest, never the value.
import type { CompiledEntry, Diagnostic, FieldChange, Json, LiveObject, OwnershipState, RbacSnapshot } from '../model/types.js';
import type { ModelInfo } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { resolveDeferred, type DeferredResolver } from '../values/index.js';
import { PLAN_CODES } from './codes.js';
import { looseEqual, type ObjectIndex } from '../live/index.js';
import { planPermissions } from './permissions.js';

export type PasswordPolicy = 'on-create' | 'on-change' | 'always';

/** A sensitive FieldChange also carries the HMAC digest apply checks the re-read secret against. */
export interface SensitiveFieldChange extends FieldChange {
  digest?: string;
}

type ExtraVia = 'set_password' | 'set_key' | 'set_icon_url' | 'set_background_url' | 'body';

export interface ExtraSpec {
  field: string;
  via: ExtraVia;
  /** Body field carrying it when via is 'body'. */
  bodyField: string;
  secret: boolean;
  /** Read-only field showing the current value when the server exposes it (`meta_icon`, `background`). */
  visibleAs?: string;
}

/** How a blueprint-only or secret field of a model is performed over REST. */
export function extraSpec(info: ModelInfo | undefined, field: string, secretHint: boolean): ExtraSpec | 'unsupported' {
  const bo = info?.blueprintOnlyFields?.[field];
  // RBAC fields are no field write: their grants are FieldChanges of their own (permissions.ts).
  if (bo?.via === 'unsupported' || bo?.via === 'rbac') return 'unsupported';
  const via: ExtraVia = bo?.via ?? 'body';
  const secret = secretHint || bo?.secret === true || (info?.secretFields.includes(field) ?? false);
  const spec: ExtraSpec = { field, via, bodyField: bo?.field ?? field, secret };
  if (!secret) {
    const candidates = via === 'set_icon_url' ? ['meta_icon', 'icon'] : via === 'set_background_url' ? ['background'] : [spec.bodyField];
    const seen = candidates.find((c) => info?.fields[c] !== undefined);
    if (seen) spec.visibleAs = seen;
  } else if (via === 'body' && info?.fields[spec.bodyField] && !info.writeOnlyFields.includes(spec.bodyField)) {
    // Echoed secrets (OAuth2 client_secret) can be compared by digest without printing them.
    spec.visibleAs = spec.bodyField;
  }
  return spec;
}

export function secretText(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export interface ExtrasInput {
  entry: CompiledEntry;
  info: ModelInfo | undefined;
  live: LiveObject | null;
  creating: boolean;
  state: OwnershipState;
  policy: PasswordPolicy;
  digest: (entryKey: string, field: string, value: string) => string;
  resolver: DeferredResolver;
  subject: (field: string) => Diagnostic['subject'];
  /** The target authentik version (`2023.6`), for fields whose null handling changed. */
  version?: string;
  /** What the server grants now, for user/role and entry `permissions`. */
  rbac?: RbacSnapshot;
  index?: ObjectIndex;
}

export interface ExtrasResult {
  changes: SensitiveFieldChange[];
  reasons: string[];
  diagnostics: Diagnostic[];
}

/** FieldChanges for the entry's secrets (and other blueprint-only fields) that need a write this run. */
export function planExtras(x: ExtrasInput): ExtrasResult {
  const out: ExtrasResult = { changes: [], reasons: [], diagnostics: [] };
  for (const field of Object.keys(x.entry.secrets).sort()) {
    if (x.info?.blueprintOnlyFields[field]?.via === 'rbac') continue;
    const extra = x.entry.secrets[field]!;
    const spec = extraSpec(x.info, field, extra.secret);
    const subject = x.subject(field);
    if (spec === 'unsupported') {
      out.diagnostics.push(
        diag(PLAN_CODES.extraUnsupported, msg(PLAN_CODES.extraUnsupported, 'cannotSetThrough', { model: x.entry.model, field }), {
          entry: x.entry.key,
          ...(subject ? { subject } : {}),
        }),
      );
      continue;
    }
    const res = resolveDeferred(extra.value, x.resolver, x.entry.key);
    const value = res.ok ? res.value : undefined;
    if (value === null) {
      // Before 2023.8 the blueprint `password` field does not accept null: the entry is invalid.
      if (field === 'password' && x.entry.model === 'authentik_core.user' && x.version !== undefined && olderThan(x.version, [2023, 8])) {
        out.diagnostics.push(
          diag(PLAN_CODES.nullPassword, msg(PLAN_CODES.nullPassword, 'passwordNullWhich', { version: x.version }), {
            entry: x.entry.key,
            ...(subject ? { subject } : {}),
            detail: msg(PLAN_CODES.nullPassword, 'passwordNullWhichDetail', {}),
          }),
        );
        continue;
      }
      out.diagnostics.push(
        diag(PLAN_CODES.nullSecret, msg(PLAN_CODES.nullSecret, 'nullAkbpLeaves', { field }), { entry: x.entry.key, ...(subject ? { subject } : {}) }),
      );
      continue;
    }
    const path = `/${field}`;
    const op: FieldChange['op'] = x.creating ? 'add' : 'replace';
    if (!spec.secret) {
      const before = x.live && spec.visibleAs ? x.live.body[spec.visibleAs] : undefined;
      if (!x.creating && value !== undefined && before !== undefined && looseEqual(before, value)) continue;
      if (!x.creating && value !== undefined && before === undefined) {
        const rec = x.state.secrets[x.entry.key]?.[field];
        if (rec && rec.digest === x.digest(x.entry.key, field, secretText(value))) continue;
      }
      const fc: SensitiveFieldChange = { path, op, after: value ?? extra.value };
      if (before !== undefined) fc.before = before;
      out.changes.push(fc);
      if (!x.creating) out.reasons.push(`${field} changed`);
      continue;
    }
    const digest = value === undefined ? undefined : x.digest(x.entry.key, field, secretText(value));
    const fc: SensitiveFieldChange = { path, op, sensitive: true };
    if (digest) fc.digest = digest;
    if (x.creating) {
      out.changes.push(fc);
      continue;
    }
    const why = secretReason(x, spec, field, digest);
    if (why) {
      out.changes.push(fc);
      out.reasons.push(why);
    }
  }
  if (x.info) {
    const grants = planPermissions({ ...x, info: x.info, rbac: x.rbac });
    out.changes.push(...grants.changes);
    out.reasons.push(...grants.reasons);
    out.diagnostics.push(...grants.diagnostics);
  }
  return out;
}

function secretReason(x: ExtrasInput, spec: ExtraSpec, field: string, digest: string | undefined): string | undefined {
  // --password-policy is about passwords; other secrets (token keys, client secrets) follow on-change.
  const policy = field === 'password' ? x.policy : 'on-change';
  if (policy === 'always') return `${field} set on every apply (--password-policy always)`;
  if (policy === 'on-create') return undefined;
  if (digest === undefined) return `${field} depends on a value known after apply`;
  if (spec.visibleAs && x.live && typeof x.live.body[spec.visibleAs] === 'string') {
    const liveDigest = x.digest(x.entry.key, field, x.live.body[spec.visibleAs] as string);
    return liveDigest === digest ? undefined : `${field} differs on the server`;
  }
  const rec = x.state.secrets[x.entry.key]?.[field];
  if (!rec) return `${field} was never set by akbp`;
  if (rec.digest !== digest) return `${field} changed in the blueprint`;
  const serverDate = x.live?.body.password_change_date;
  if (field === 'password' && typeof serverDate === 'string' && rec.serverChangeDate && serverDate !== rec.serverChangeDate) {
    return 'password was changed on the server since akbp set it';
  }
  return undefined;
}

function olderThan(version: string, than: [number, number]): boolean {
  const [y = 0, m = 0] = version.split('.').map((p) => Number.parseInt(p, 10));
  return y < than[0] || (y === than[0] && m < than[1]);
}
