// Apply's diagnostics: a server's field message lands on the YAML line of that field.
import type { Change, CompiledEntry, Diagnostic } from '../model/index.js';
import { ApiError } from '../model/index.js';
import { diag } from '../diag/index.js';
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
  return diag(APPLY_CODES.unresolved, `${who(c)}: \`${field}\` could not be computed at apply time: ${why}`, at(c, entry, field));
}

/** The server's field message, on the YAML line of that field when the entry maps it. */
export function errorDiag(e: unknown, c: Change, entry: CompiledEntry | undefined): Diagnostic {
  if (e instanceof ApiError) {
    const fields = e.fieldErrors();
    const names = Object.keys(fields).filter((f) => f !== 'detail');
    const first = names.find((f) => entry?.origin.fields[f]) ?? names[0];
    const msgs = names.map((f) => `${f}: ${fields[f]!.join(' ')}`).join('; ');
    const detailMsg = typeof e.body === 'object' && e.body && !Array.isArray(e.body) && typeof e.body.detail === 'string' ? e.body.detail : '';
    const summary = `${who(c)}: ${e.method} ${e.path} → ${e.status}${msgs ? `: ${msgs}` : detailMsg ? `: ${detailMsg}` : ''}`;
    if (mayHaveLanded(e)) {
      return diag(APPLY_CODES.uncertain, summary, {
        ...at(c, entry, first),
        severity: 'error',
        detail: `${
          e.status === 0 ? 'The connection failed mid-request' : `authentik answered ${e.status}, which it can do after making the change`
        }: the write may or may not have happened. Plan again before retrying.`,
      });
    }
    return diag(APPLY_CODES.serverRejected, summary, at(c, entry, first));
  }
  return diag(APPLY_CODES.serverRejected, `${who(c)}: ${e instanceof Error ? e.message : String(e)}`, at(c, entry));
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
