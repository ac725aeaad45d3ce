// Apply's diagnostics: a server's field message lands on the YAML line of that field.
import type { Change, CompiledEntry, Diagnostic } from '../model/index.js';
import { ApiError } from '../model/index.js';
import { diag, msg } from '../diag/index.js';
import { formatIdentity } from '../values/index.js';
import { APPLY_CODES } from './codes.js';

export function at(c: Change, entry: CompiledEntry | undefined, field?: string): { entry: string; subject?: Diagnostic['subject'] } {
  const subject = (field && entry?.origin.fields[field]) || entry?.origin.range || c.origin?.range;
  return subject ? { entry: c.key, subject } : { entry: c.key };
}

/** The readable identity a diagnostic about this change starts with (`group name=x`). */
export function who(c: Change): string {
  return formatIdentity(c.model, c.identifiers, c.pk);
}

export function unresolvedDiag(c: Change, entry: CompiledEntry | undefined, field: string, why: string): Diagnostic {
  return diag(APPLY_CODES.unresolved, msg(APPLY_CODES.unresolved, 'atApplyTime', { who: who(c), field, why }), at(c, entry, field));
}

/** The server's field message, on the YAML line of that field when the entry maps it. */
export function errorDiag(e: unknown, c: Change, entry: CompiledEntry | undefined): Diagnostic {
  if (e instanceof ApiError) {
    const fields = e.fieldErrors();
    const names = Object.keys(fields).filter((f) => f !== 'detail');
    const first = names.find((f) => entry?.origin.fields[f]) ?? names[0];
    const msgs = names.map((f) => `${f}: ${fields[f]!.join(' ')}`).join('; ');
    const detailMsg = typeof e.body === 'object' && e.body && !Array.isArray(e.body) && typeof e.body.detail === 'string' ? e.body.detail : '';
    const request = { who: who(c), method: e.method, path: e.path, status: e.status };
    const reason = msgs || detailMsg;
    if (mayHaveLanded(e)) {
      const summary = reason ? msg(APPLY_CODES.uncertain, 'requestReason', { ...request, reason }) : msg(APPLY_CODES.uncertain, 'request', request);
      return diag(APPLY_CODES.uncertain, summary, {
        ...at(c, entry, first),
        severity: 'error',
        detail: e.status === 0 ? msg(APPLY_CODES.uncertain, 'connectionFailedDetail', {}) : msg(APPLY_CODES.uncertain, 'answeredDetail', { status: e.status }),
      });
    }
    const summary = reason ? msg(APPLY_CODES.serverRejected, 'requestReason', { ...request, reason }) : msg(APPLY_CODES.serverRejected, 'request', request);
    return diag(APPLY_CODES.serverRejected, summary, at(c, entry, first));
  }
  const why = e instanceof Error ? e.message : String(e);
  return diag(APPLY_CODES.serverRejected, msg(APPLY_CODES.serverRejected, 'failed', { who: who(c), why }), at(c, entry));
}

/**
 * A write whose answer was lost or was a server error may have been made all the same (only a
 * create is flagged uncertain by the client, but a PATCH or DELETE can land before a 500 too).
 */
export function mayHaveLanded(e: unknown): boolean {
  if (!(e instanceof ApiError)) return false;
  if (e.uncertain) return true;
  return e.method !== 'GET' && e.method !== 'HEAD' && (e.status === 0 || e.status >= 500);
}
