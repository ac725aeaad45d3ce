// A saved plan is applied only while the server still looks as the plan saw it: same server, the
// objects it updates unchanged in the fields it patches, the objects it creates still absent.
// One list per model involved, like observe, instead of one GET per change.
import type { Change, Diagnostic, FieldChange, Json, JsonObject, Plan, ServerClient } from '../model/index.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import { containsDeferred } from '../values/index.js';
import { extraSpec } from '../plan/index.js';
import { mapLimit } from '../values/index.js';
import { matchIdentifiers, ObjectIndex, sameField } from '../live/index.js';
import { APPLY_CODES } from './codes.js';
import { unescapePointer } from './extras.js';
import { who } from './diagnostics.js';

export async function checkPlanFresh(plan: Plan, client: ServerClient, registry: Registry): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  if (stripSlash(plan.server.url) !== stripSlash(client.baseUrl)) {
    out.push(diag(APPLY_CODES.serverMismatch, msg(APPLY_CODES.serverMismatch, 'otherServer', { planUrl: plan.server.url, url: client.baseUrl })));
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
      out.push(diag(APPLY_CODES.stale, msg(APPLY_CODES.stale, 'cannotCheck', { model: m, why: e instanceof Error ? e.message : String(e) })));
    }
  });
  for (const c of relevant) {
    if (failedReads.has(c.model)) continue;
    const info = findModel(registry, c.model);
    const where = c.origin?.range ? { entry: c.key, subject: c.origin.range } : { entry: c.key };
    if (c.action === 'update') {
      // Its object is created by an earlier change of the same plan.
      if (c.sameObjectAs) continue;
      const now = index.byPk(c.model, c.pk ?? null);
      if (!now) {
        out.push(diag(APPLY_CODES.gone, msg(APPLY_CODES.gone, 'deletedSincePlan', { who: who(c), model: c.model, pk: String(c.pk) }), where));
        continue;
      }
      const changed = changedSincePlan(info, c.patch, now.body);
      if (changed.length) out.push(diag(APPLY_CODES.stale, msg(APPLY_CODES.stale, 'changedSincePlan', { who: who(c), fields: changed.join(', ') }), where));
    } else if (c.action === 'create') {
      const ids = literalIdentifiers(c);
      if (!ids) continue;
      const r = matchIdentifiers(registry, index, c.model, ids);
      if (r !== 'unknown' && r.match) {
        out.push(diag(APPLY_CODES.appeared, msg(APPLY_CODES.appeared, 'nowMatches', { who: who(c), model: c.model, pk: String(r.match.pk) }), where));
      }
    }
    // A delete of an object already gone is what the plan wanted: not stale.
  }
  return out;
}

/**
 * Fields of the patch whose server value moved since the plan read it. A blueprint-only field is
 * compared where the server shows it (`meta_icon` for an application's `icon`), and not at all
 * when it cannot be read back (secrets, token keys).
 */
export function changedSincePlan(info: ModelInfo | undefined, patch: readonly FieldChange[], body: JsonObject): string[] {
  const out: string[] = [];
  for (const fc of patch) {
    const f = unescapePointer(fc.path.slice(1));
    let shown = f;
    if (fc.sensitive || info?.blueprintOnlyFields?.[f]) {
      const spec = fc.sensitive ? 'unsupported' : extraSpec(info, f, false);
      if (spec === 'unsupported' || !spec.visibleAs || fc.before === undefined) continue;
      shown = spec.visibleAs;
    }
    const now = body[shown];
    const unchanged = fc.op === 'add' ? now === undefined : now !== undefined && sameField(info, shown, fc.before ?? null, now, SERVER_SIDE);
    if (!unchanged) out.push(f);
  }
  return out;
}

/** Both sides of a stale check come from the server, so references need no translation. */
const SERVER_SIDE = { pkOfPbm: () => undefined };

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
