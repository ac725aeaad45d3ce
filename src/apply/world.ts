// What apply knows while it writes: the objects of the plan's entries (matched, then created),
// and fresh lists of the models a pending `!Find` queries, re-read after writes to that model.
// Values the plan left as "known after apply" are finished here.
import type { Change, CompiledEntry, DesiredValue, Json, JsonObject, LiveObject, ModelName, ServerClient } from '../model/index.js';
import type { Registry } from '../authentik/registry.js';
import { canonicalModel, findCovers, findModel } from '../authentik/registry.js';
import { resolveDeferred } from '../values/index.js';
import { allFinds, EntryTable, IndexResolver, matchIdentifiers, ObjectIndex, type FindQueryArg } from '../live/index.js';

export class ApplyWorld extends IndexResolver {
  private readonly objs = new Map<string, LiveObject>();
  private readonly fresh = new Set<ModelName>();
  /** Finds that matched nothing at apply time: a value the plan expected to exist by now. */
  failedFinds: string[] = [];

  constructor(
    reg: Registry,
    private readonly client: ServerClient,
    entries: readonly CompiledEntry[],
    plan: { changes: Change[] },
  ) {
    super(reg, new ObjectIndex(reg), new EntryTable(entries));
    for (const c of plan.changes) {
      if (c.pk !== undefined && c.action !== 'delete' && c.action !== 'create') this.objs.set(c.key, { model: c.model, pk: c.pk, body: c.before ?? {} });
    }
  }

  entry(key: string): CompiledEntry | undefined {
    return this.table.get(key);
  }

  /** The object the entry's change created or re-read so far in this run. */
  objectOf(key: string): LiveObject | undefined {
    return this.objs.get(key);
  }

  /** The entry's object now exists (created or re-read); later references see it. */
  record(key: string, obj: LiveObject): void {
    this.objs.set(key, obj);
    this.written(obj.model);
  }

  forget(key: string, model: ModelName): void {
    this.objs.delete(key);
    this.written(model);
  }

  written(model: ModelName): void {
    this.fresh.delete(model);
    // A !Find on the family's base model lists the subclass objects too.
    for (const m of this.fresh) if (findCovers(this.reg, m, model)) this.fresh.delete(m);
  }

  /** Reads the models the value's finds query, unless read since the last write to them. */
  async prepare(v: DesiredValue): Promise<void> {
    const models = new Set<ModelName>();
    for (const q of allFinds(v)) {
      const info = findModel(this.reg, q.model);
      models.add(canonicalModel(this.reg, q.model));
      // `flow__slug` walks into the flow: its model is needed too.
      for (const [k] of q.query) {
        const ref = info?.references?.[k.split('__')[0]!];
        if (k.includes('__') && ref?.targets.length === 1) models.add(ref.targets[0]!);
      }
    }
    for (const m of models) {
      if (this.fresh.has(m)) continue;
      this.index.set(m, await this.client.list(m));
      this.fresh.add(m);
    }
  }

  /**
   * The object a create whose answer was lost would have made, by the entry's identifiers on a
   * fresh list: null = it did not land, undefined = cannot tell (the read failed, or the
   * identifiers are not decidable from the objects).
   */
  async lookFor(c: Change, identifiers: JsonObject): Promise<LiveObject | null | undefined> {
    const info = findModel(this.reg, c.model);
    if (!info || Object.keys(identifiers).length < Object.keys(c.identifiers).length) return undefined;
    try {
      this.index.set(info.model, await this.client.list(info.model));
    } catch {
      return undefined;
    }
    this.fresh.add(info.model);
    const r = matchIdentifiers(this.reg, this.index, info.model, identifiers);
    return r === 'unknown' ? undefined : r.match;
  }

  resolve(v: DesiredValue, fromKey: string): { ok: true; value: Json } | { ok: false; why: string } {
    this.failedFinds = [];
    const r = resolveDeferred(v, this, fromKey);
    if (r.ok) return r;
    return { ok: false, why: [...r.missing, ...(r.errors ?? []), ...this.failedFinds].join('; ') };
  }

  protected objectOfEntry(e: CompiledEntry): LiveObject | undefined {
    return this.objs.get(e.key);
  }

  // At apply time a find that matches nothing is a value the plan expected to exist by now.
  protected override lookup(q: FindQueryArg): LiveObject | undefined {
    const hit = this.query(q);
    if (hit === 'unknown' || hit === null) {
      this.failedFinds.push(`!Find [${q.model}, …] ${hit === 'unknown' ? 'cannot be evaluated' : 'matched nothing at apply time'}`);
      return undefined;
    }
    return hit;
  }
}
