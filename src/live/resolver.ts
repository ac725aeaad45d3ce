// The one base of every stage's DeferredResolver: `!KeyOf` through the entry table to the object
// an entry stands for, `!Find`/`!FindObject` as the pk or body of a looked-up object, and
// authentik's query evaluated on the objects read. Observe, plan and apply supply only where an
// entry's object comes from and what a lookup may consult besides the index.
import type { CompiledEntry, Json, LiveObject } from '../model/types.js';
import { canonicalModel, type Registry } from '../authentik/registry.js';
import type { DeferredResolver } from '../values/deferred.js';
import type { EntryTable } from './entries.js';
import { answeredObject } from './finds.js';
import { evalQuery } from './match.js';
import { keyOfValue, type ObjectIndex } from './objects.js';

export type FindQueryArg = { model: string; query: [string, Json][] };

export abstract class IndexResolver implements DeferredResolver {
  constructor(
    protected readonly reg: Registry,
    protected readonly index: ObjectIndex,
    protected readonly table: EntryTable,
  ) {}

  /** The object entry `e` stands for at this stage; undefined = none (yet). */
  protected abstract objectOfEntry(e: CompiledEntry): LiveObject | null | undefined;

  /**
   * The answer to a `!Find`: the object, null = nothing matches, undefined = not known (yet).
   * The default asks the index only.
   */
  protected lookup(q: FindQueryArg): LiveObject | null | undefined {
    const hit = this.query(q);
    return hit === 'unknown' ? undefined : hit;
  }

  /** No entry with that id has an object: the stage may note why (plan waits or refuses). */
  protected keyOfMissing(_id: string, _candidates: CompiledEntry[]): undefined {
    return undefined;
  }

  keyOf(id: string, pbm: boolean, fromKey: string): Json | undefined {
    const candidates = this.table.withId(id, fromKey);
    for (const e of candidates) {
      // Newer importers record the object an absent entry deleted; Django has cleared its pk by
      // the time a later entry reads it, whether or not the object existed: the reference is null.
      if (e.state === 'absent') {
        if (this.reg.keyOfAbsent) return null;
        continue;
      }
      const o = this.objectOfEntry(e);
      if (o) return keyOfValue(this.reg, o, pbm);
    }
    return this.keyOfMissing(id, candidates);
  }

  find(q: FindQueryArg): Json | undefined {
    const o = this.lookup(q);
    return o === undefined ? undefined : o === null ? null : o.pk;
  }

  findObject(q: FindQueryArg): Json | undefined {
    const o = this.lookup(q);
    return o === undefined ? undefined : o === null ? null : o.body;
  }

  /** authentik's query on the objects read: the first match, null, or 'unknown' when they cannot tell. */
  protected query(q: FindQueryArg): LiveObject | null | 'unknown' {
    const r = evalQuery(this.reg, this.index, canonicalModel(this.reg, q.model), q.query);
    return r === 'unknown' ? 'unknown' : r.match;
  }

  /** A recorded answer (a pk or a body) as the object it names; `model` as the `!Find` wrote it. */
  protected answered(model: string, known: Json): LiveObject | null {
    return answeredObject(this.reg, this.index, canonicalModel(this.reg, model), known);
  }
}
