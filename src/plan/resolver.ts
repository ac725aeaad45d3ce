// Finishes Deferred values at plan time from what observe read. A value that waits for an object
// this run will create stays Deferred ("known after apply") and records which entry it waits for.
import type { CompiledEntry, Json, JsonObject, LiveObject } from '../model/types.js';
import type { Registry } from '../authentik/registry.js';
import { canonicalModel, findCovers, findModel } from '../authentik/registry.js';
import { findQueryKey } from '../values/index.js';
import { bodyMatchesQuery, IndexResolver, pkKey, type EntryTable, type FindQueryArg, type ObjectIndex } from '../live/index.js';
import type { Outcomes } from './outcomes.js';

/** What the plan decided for an earlier entry, as later entries' references see it. */
export interface Outcome {
  entry: CompiledEntry;
  /** Object that exists now and will still exist after apply. */
  live: LiveObject | null;
  /** The entry's object is created by this run. */
  creates: boolean;
  /** Desired body so far (resolved fields only), to tell whether a later `!Find` will see it. */
  body: JsonObject;
}

export class PlanResolver extends IndexResolver {
  /** Entry keys the last resolved value waits for. */
  pendingOn = new Set<string>();
  /** Reasons a reference can never resolve (absent or skipped target). */
  hard: string[] = [];
  /** Canonical keys of finds that answered "nothing". */
  nullFinds = new Set<string>();
  /** `model|pk` of every live object a `!Find` of this plan answered, across all entries. */
  readonly found = new Set<string>();
  /** While set, every object a `!Find` answers is also appended here (one entry's share of `found`). */
  log: string[] | undefined;

  constructor(
    reg: Registry,
    index: ObjectIndex,
    private readonly finds: Map<string, Json>,
    table: EntryTable,
    private readonly outcomes: Outcomes,
    private readonly fromOrder: () => number,
  ) {
    super(reg, index, table);
  }

  reset(): void {
    this.pendingOn = new Set();
    this.hard = [];
    this.nullFinds = new Set();
  }

  protected objectOfEntry(e: CompiledEntry): LiveObject | null | undefined {
    return this.outcomes.get(e.key)?.live;
  }

  // No object yet: the value waits for the first entry this run creates, or can never resolve.
  protected override keyOfMissing(id: string, candidates: CompiledEntry[]): undefined {
    const pending = candidates.map((e) => this.outcomes.get(e.key)).find((o) => o?.creates);
    if (pending) {
      this.pendingOn.add(pending.entry.key);
      return undefined;
    }
    this.hard.push(
      candidates.length === 0
        ? `!KeyOf ${id}: no entry with id ${JSON.stringify(id)} in this blueprint`
        : `!KeyOf ${id}: the entry has no object (absent, skipped by its conditions, or not processed yet)`,
    );
    return undefined;
  }

  protected override lookup(q: FindQueryArg): LiveObject | null | undefined {
    const key = findQueryKey(q);
    const known = this.finds.get(key);
    if (known !== undefined && known !== null) return this.saw(this.answered(q.model, known));
    const hit: LiveObject | null | 'unknown' = known === undefined ? this.query(q) : null;
    if (hit !== null && hit !== 'unknown') return this.saw(hit);
    // Like the importer's !Find, a query sees objects earlier entries of this run create.
    const model = canonicalModel(this.reg, q.model);
    const order = this.fromOrder();
    const info = findModel(this.reg, model);
    // A base model's query (authentik_policies.policy) sees creates of every model of its family:
    // those scan; a concrete model's query narrows through the index of creates by field.
    const candidates =
      info?.kind === 'base'
        ? [...this.outcomes.values()].filter((o) => o.creates && findCovers(this.reg, model, o.entry.model))
        : this.outcomes.createsMatching(model, q.query, (f: string): boolean => f !== 'pk' && !f.includes('__') && !info?.references?.[f]?.policyBindingTarget);
    for (const o of candidates) {
      if (o.entry.order >= order) continue;
      if (bodyMatchesQuery(this.reg, this.index, model, o.body, q.query)) {
        this.pendingOn.add(o.entry.key);
        return undefined;
      }
    }
    if (hit === 'unknown') {
      this.hard.push(`${describeQuery(q)}: the server was not asked and the objects read cannot answer it`);
      return undefined;
    }
    this.nullFinds.add(key);
    return null;
  }

  private saw(o: LiveObject | null): LiveObject | null {
    if (o) {
      const k = `${o.model}|${pkKey(o.pk)}`;
      this.found.add(k);
      this.log?.push(k);
    }
    return o;
  }
}

function describeQuery(q: { model: string; query: [string, Json][] }): string {
  return `!Find [${q.model}, ${q.query.map(([k, v]) => `[${k}, ${JSON.stringify(v)}]`).join(', ')}]`;
}
