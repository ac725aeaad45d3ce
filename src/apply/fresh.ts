// A saved plan is applied only while the server still looks as the plan saw it: same server, the
// objects it updates unchanged in the fields it patches, the objects it creates still absent.
// One list per model involved, like observe, instead of one GET per change.
import type { Change, Diagnostic, Json, JsonObject, Plan, ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag } from '../diag/index.js';
import { containsDeferred } from '../compile/index.js';
import { mapLimit, matchIdentifiers, ObjectIndex, sameField } from '../plan/index.js';
import { APPLY_CODES } from './codes.js';
import { isExtraChange, unescapePointer } from './extras.js';

export async function checkPlanFresh(plan: Plan, client: ServerClient, registry: Registry): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  if (stripSlash(plan.server.url) !== stripSlash(client.baseUrl)) {
    out.push(diag(APPLY_CODES.serverMismatch, `the plan was made for ${plan.server.url}, not ${client.baseUrl}`));
    return out;
  }
  const relevant = plan.changes.filter((c) => c.action === 'update' || c.action === 'create' || c.action === 'delete');
  const models = [...new Set(relevant.map((c) => c.model))].sort();
  const index = new ObjectIndex(registry);
  const failedReads = new Set<string>();
  await mapLimit(models, 4, async (m) => {
    try {
      index.set(m, await client.list(m));
    } catch (e) {
      failedReads.add(m);
      out.push(diag(APPLY_CODES.stale, `cannot check ${m} against the server: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
  for (const c of relevant) {
    if (failedReads.has(c.model)) continue;
    const info = findModel(registry, c.model);
    const where = c.origin?.range ? { entry: c.key, subject: c.origin.range } : { entry: c.key };
    if (c.action === 'update') {
      const now = index.byPk(c.model, c.pk ?? null);
      if (!now) {
        out.push(diag(APPLY_CODES.gone, `${c.key}: ${c.model} ${String(c.pk)} was deleted since the plan`, where));
        continue;
      }
      const changed = c.patch
        .filter((fc) => !fc.sensitive && !isExtraChange(fc, undefined))
        .map((fc) => ({ fc, f: unescapePointer(fc.path.slice(1)) }))
        .filter(({ fc, f }) => {
          const v = now.body[f];
          return fc.op === 'add' ? v !== undefined : v === undefined || !sameField(info, f, fc.before ?? null, v, index);
        })
        .map(({ f }) => f);
      if (changed.length) out.push(diag(APPLY_CODES.stale, `${c.key}: ${changed.join(', ')} changed on the server since the plan`, where));
    } else if (c.action === 'create') {
      const ids = literalIdentifiers(c);
      if (!ids) continue;
      const r = matchIdentifiers(registry, index, c.model, ids);
      if (r !== 'unknown' && r.match) {
        out.push(diag(APPLY_CODES.appeared, `${c.key}: ${c.model} ${String(r.match.pk)} now matches this entry; the plan would create a duplicate`, where));
      }
    }
    // A delete of an object already gone is what the plan wanted: not stale.
  }
  return out;
}

function literalIdentifiers(c: Change): JsonObject | null {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(c.identifiers)) {
    if (containsDeferred(v)) return null;
    out[k] = v as Json;
  }
  return Object.keys(out).length ? out : null;
}

function stripSlash(u: string): string {
  return u.replace(/\/+$/, '');
}
