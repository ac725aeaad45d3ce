// Prune: delete what akbp's own record says it created and no entry declares any more (DESIGN
// habit 6). Adopted objects, objects authentik manages and objects a current `!Find` answers are
// never pruned (adopted ones only with --prune-adopted); a cap protects against a blueprint
// directory that vanished by mistake. `--adopt` lists what entries match but state does not own.
import type {
  Adoption,
  Change,
  CompiledEntry,
  Diagnostic,
  DroppedEntry,
  Json,
  LiveObject,
  ModelName,
  OwnedObject,
  OwnershipState,
  SourceRange,
} from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { canonicalModel, findModel, modelLiteral } from '../authentik/registry.js';
import { diag, diagnose, msg } from '../diag/index.js';
import { PLAN_CODES } from './codes.js';
import { EntryTable, redactBody } from '../live/index.js';
import { pkKey, type ObjectIndex } from '../live/index.js';
import { formatIdentity } from '../values/index.js';

export interface PruneInput {
  state: OwnershipState;
  entries: CompiledEntry[];
  dropped: DroppedEntry[];
  index: ObjectIndex;
  registry: Registry;
  prune: boolean;
  /** `--prune-adopted`: adopted objects no entry declares are pruned like created ones. */
  pruneAdopted?: boolean;
  maxDeletes: number;
  /** `model|pk` of every live object a current entry matched: declared, whatever its old key. */
  claimed: { has(id: string): boolean };
  /** `model|pkKey` of every live object a current `!Find` answered: deleting it would break (or cascade into) that entry. */
  found: Set<string>;
}

const identityOf = (rec: OwnedObject): string => formatIdentity(rec.model, rec.identifiers, rec.pk);

/** An ownership record's model as the registry spells it: records are data from disk, possibly older akbp's. */
const modelOf = (reg: Registry, rec: OwnedObject): ModelName => canonicalModel(reg, rec.model);

export function planPrune(x: PruneInput): { changes: Change[]; diagnostics: Diagnostic[]; live: Map<string, LiveObject> } {
  // Entries dropped by their conditions are still declared: a false condition is not a removal.
  // Asked only for the keys of the state's records: the entry table answers without a set of every key.
  const table = EntryTable.of(x.entries);
  const droppedKeys = new Set(x.dropped.map((d) => d.key));
  const declared = { has: (k: string) => table.get(k) !== undefined || droppedKeys.has(k) };
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const live = new Map<string, LiveObject>();
  // A record whose object a current entry matches moved to another key (a renamed file): apply
  // re-keys it; it is never an orphan.
  const orphans = Object.keys(x.state.objects)
    .filter((k) => {
      const rec = x.state.objects[k]!;
      return !declared.has(k) && (!rec.adopted || (x.prune && x.pruneAdopted === true)) && !x.claimed.has(`${modelOf(x.registry, rec)}|${String(rec.pk)}`);
    })
    .sort();
  const foundByEntry = (rec: OwnedObject): boolean => x.found.has(`${modelOf(x.registry, rec)}|${pkKey(rec.pk)}`);
  if (!x.prune) {
    const existing = orphans.filter((k) => {
      const rec = x.state.objects[k]!;
      return x.index.byPk(modelOf(x.registry, rec), rec.pk) !== undefined && !foundByEntry(rec);
    });
    if (existing.length) {
      diagnostics.push(
        diag(PLAN_CODES.orphansKept, msg(PLAN_CODES.orphansKept, 'objectSAkbp', { length: existing.length }), {
          detail:
            existing
              .slice(0, 10)
              .map((k) => identityOf(x.state.objects[k]!))
              .join('\n') + (existing.length > 10 ? `\n… and ${existing.length - 10} more` : ''),
        }),
      );
    }
    return { changes, diagnostics, live };
  }
  let order = 1_000_000;
  // Records of models observe did not read, by model: one warning each, however many records.
  const unread = new Map<string, string[]>();
  for (const key of orphans) {
    const rec = x.state.objects[key]!;
    const model = modelOf(x.registry, rec);
    const info = findModel(x.registry, model);
    const obj = x.index.byPk(model, rec.pk);
    const base = { key, model, identifiers: rec.identifiers, pk: rec.pk, order: order++, wave: 0, dependsOn: [] as string[] };
    if (!x.index.has(model)) {
      // Never guess: an object whose model was not read is neither deleted nor forgotten.
      const keys = unread.get(model);
      if (keys) keys.push(key);
      else unread.set(model, [key]);
      continue;
    }
    if (!obj) {
      // Lets apply forget the record.
      changes.push({ ...base, action: 'noop', reason: 'recorded in state but already gone from the server', patch: [] });
      continue;
    }
    if (foundByEntry(rec)) {
      diagnostics.push(diag(PLAN_CODES.foundNotPruned, msg(PLAN_CODES.foundNotPruned, 'whatCurrentEntry', { object: identityOf(rec) }), { entry: key }));
      continue;
    }
    const managed = obj.body.managed;
    if (managed !== undefined && managed !== null && managed !== '') {
      diagnostics.push(
        diag(PLAN_CODES.managedNotPruned, msg(PLAN_CODES.managedNotPruned, 'managedAuthentikNot', { object: identityOf(rec), managed: String(managed) }), {
          entry: key,
        }),
      );
      continue;
    }
    changes.push({
      ...base,
      action: 'delete',
      reason: rec.adopted ? 'pruned (--prune-adopted): adopted, and no entry declares it any more' : 'pruned: no entry declares it any more',
      patch: [],
      before: redactBody(info, obj.body),
    });
    live.set(key, obj);
  }
  for (const [model, keys] of unread) {
    const only = keys.length === 1 ? x.state.objects[keys[0]!]! : undefined;
    diagnostics.push(
      only
        ? diagnose(PLAN_CODES.pruneUnobserved, 'wasNotRead', { object: identityOf(only), model }, { entry: keys[0]! })
        : diagnose(
            PLAN_CODES.pruneUnobserved,
            'manyNotRead',
            { count: keys.length, model },
            {
              detail:
                keys
                  .slice(0, 10)
                  .map((k) => identityOf(x.state.objects[k]!))
                  .join('\n') + (keys.length > 10 ? `\n… and ${keys.length - 10} more` : ''),
            },
          ),
    );
  }
  const deletes = changes.filter((c) => c.action === 'delete').length;
  if (deletes > x.maxDeletes) {
    diagnostics.push(
      diag(PLAN_CODES.tooManyDeletes, msg(PLAN_CODES.tooManyDeletes, 'pruneWouldDelete', { deletes, maxDeletes: x.maxDeletes }), {
        detail: msg(PLAN_CODES.tooManyDeletes, 'pruneWouldDeleteDetail', {}),
      }),
    );
  }
  return { changes, diagnostics, live };
}

/**
 * `--adopt`: every live object a present entry matches (an update or a noop) that no state
 * record owns, neither under this key nor under another (apply re-keys those). An entry skipped
 * by its condition declares nothing, so it adopts nothing.
 */
export function planAdoptions(x: {
  state: OwnershipState;
  changes: readonly Change[];
  entries: readonly CompiledEntry[];
  skipped: ReadonlySet<string>;
  registry: Registry;
}): Adoption[] {
  const present = new Set(x.entries.filter((e) => e.state !== 'absent').map((e) => e.key));
  const owned = new Set(Object.values(x.state.objects).map((r) => `${modelOf(x.registry, r)}|${pkKey(r.pk)}`));
  const out: Adoption[] = [];
  const seen = new Set<string>();
  for (const c of x.changes) {
    if ((c.action !== 'noop' && c.action !== 'update') || c.pk === undefined || c.sameObjectAs || !present.has(c.key) || x.skipped.has(c.key)) continue;
    const id = `${c.model}|${pkKey(c.pk)}`;
    if (owned.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push({ key: c.key, model: c.model, pk: c.pk, identity: formatIdentity(c.model, c.identifiers, c.pk) });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export const META_CLEAN = modelLiteral('authentik_blueprints.metacleanblueprint');

export interface MetaCleanInput {
  /** The run's `metacleanblueprint` entries. */
  entries: CompiledEntry[];
  state: OwnershipState;
  index: ObjectIndex;
  registry: Registry;
  maxDeletes: number;
  /** `model|pk` of every live object a current entry matched: the run declares (recreates) it. */
  claimed: { has(id: string): boolean };
  /** `model|pkKey` of every live object a current `!Find` answered. */
  found: Set<string>;
  /** `model|pk` of objects other changes of this run delete already. */
  deleted: Set<string>;
  /** Keys of every entry of this run: a delete never takes the key of a change already planned. */
  declared: Set<string>;
  /** Line of a source range, for the changes' origin. */
  line: (r: SourceRange) => number;
}

/**
 * `metacleanblueprint` (2026.5): authentik deletes every object of `model_name` (`objects.all().delete()`
 * in blueprints/v1/meta/clean_blueprint.py), not only what an instance created before. akbp plans
 * those deletes, minus the objects entries of this run declare (authentik would recreate them)
 * other than the ones its own file declares before it (written, then cleaned: not `claimed`), and
 * the ones a current `!Find` answers, under the same --max-deletes cap as prune.
 */
export function planMetaClean(x: MetaCleanInput): { changes: Change[]; diagnostics: Diagnostic[]; live: Map<string, LiveObject> } {
  const changes: Change[] = [];
  const diagnostics: Diagnostic[] = [];
  const live = new Map<string, LiveObject>();
  const ownerOf = new Map<string, string>();
  for (const [k, rec] of Object.entries(x.state.objects)) ownerOf.set(`${modelOf(x.registry, rec)}|${String(rec.pk)}`, k);
  for (const e of x.entries) {
    const subject = e.origin.fields.model_name ?? e.origin.range;
    const at = { entry: e.key, subject };
    if (e.state === 'absent') continue;
    if (e.conditions.length) {
      diagnostics.push(
        diag(PLAN_CODES.conditionUndecided, msg(PLAN_CODES.conditionUndecided, 'conditionCannotDecided', { key: e.key }), {
          entry: e.key,
          subject: e.origin.range,
        }),
      );
      continue;
    }
    const name = e.attrs.model_name;
    const info = typeof name === 'string' ? findModel(x.registry, name) : undefined;
    if (info?.kind !== 'model' || !info.apiPath) {
      diagnostics.push(
        diag(
          PLAN_CODES.unknownModel,
          msg(PLAN_CODES.unknownModel, 'metacleanblueprintModelName', { name: JSON.stringify(name ?? null), version: x.registry.version }),
          {
            ...at,
            detail: msg(PLAN_CODES.unknownModel, 'metacleanblueprintModelNameDetail', {}),
          },
        ),
      );
      continue;
    }
    if (!x.index.has(info.model)) {
      diagnostics.push(diag(PLAN_CODES.pruneUnobserved, msg(PLAN_CODES.pruneUnobserved, 'metacleanblueprintWasNot', { model: info.model }), at));
      continue;
    }
    const origin = { uri: e.origin.uri, line: x.line(e.origin.range), range: e.origin.range };
    const mine: Change[] = [];
    for (const obj of x.index.objects(info.model) ?? []) {
      const id = `${info.model}|${String(obj.pk)}`;
      if (x.claimed.has(id) || x.deleted.has(id)) continue;
      if (x.found.has(`${info.model}|${pkKey(obj.pk)}`)) {
        diagnostics.push(
          diag(PLAN_CODES.foundNotPruned, msg(PLAN_CODES.foundNotPruned, 'metacleanblueprintWhatCurrent', { model: info.model, pk: String(obj.pk) }), at),
        );
        continue;
      }
      x.deleted.add(id);
      // An object akbp recorded under an entry no longer declared: deleting it under that key drops the record too.
      const owner = ownerOf.get(id);
      const key = owner && !x.declared.has(owner) ? owner : `${e.key}#clean:${String(obj.pk)}`;
      mine.push({
        key,
        model: info.model,
        identifiers: identity(info, obj),
        pk: obj.pk,
        order: e.order,
        wave: 0,
        dependsOn: [],
        origin,
        action: 'delete',
        reason: `metacleanblueprint deletes every ${info.model}`,
        patch: [],
        before: redactBody(info, obj.body),
      });
      live.set(key, obj);
    }
    if (mine.length > x.maxDeletes) {
      diagnostics.push(
        diag(
          PLAN_CODES.tooManyDeletes,
          msg(PLAN_CODES.tooManyDeletes, 'metacleanblueprintWouldDelete', { length: mine.length, model: info.model, maxDeletes: x.maxDeletes }),
          {
            ...at,
            detail: msg(PLAN_CODES.tooManyDeletes, 'metacleanblueprintWouldDeleteDetail', {}),
          },
        ),
      );
    }
    changes.push(...mine);
  }
  return { changes, diagnostics, live };
}

/** A readable natural key of a live object (`slug`, `name`, …), else its pk. */
function identity(info: NonNullable<ReturnType<typeof findModel>>, obj: LiveObject): { [k: string]: Json } {
  for (const f of [...info.uniqueFields, 'slug', 'name', 'username', 'identifier']) {
    const v = obj.body[f];
    if (f !== info.pkField && (typeof v === 'string' || typeof v === 'number')) return { [f]: v };
  }
  return { pk: obj.pk };
}
