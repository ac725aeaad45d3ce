// CompiledEntry[] + ServerClient → LiveSnapshot, reading as little as the API allows: one list
// per model (all pages, fetched in parallel by the client), one in-memory index per model, and
// every identifier match and `!Find` answered from those indexes. Reads only.
import type { CompiledEntry, Diagnostic, Json, JsonObject, ListQuery, LiveObject, LiveSnapshot, ServerClient, OwnershipState } from '../model/index.js';
import { ApiError } from '../model/index.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { canonicalModel, findModel } from '../authentik/registry.js';
import { diagnose, sortDiagnostics } from '../diag/index.js';
import { findQueryKey, formatIdentity, resolveDeferred } from '../values/index.js';
import { byOrder, evalLookup, matchIdentifiers, ObjectIndex, EntryTable, IndexResolver, sortedEntries, type FindQueryArg } from '../live/index.js';
import { mapLimit } from '../values/index.js';
import { OBSERVE_CODES } from './codes.js';
import { chooseReads, modelsOf } from './strategy.js';
import { observeRbac } from './rbac.js';
import type { ObserveMemo } from './memo.js';

export { chooseReads, type ModelRead } from './strategy.js';
export { ObserveMemo } from './memo.js';

export interface ObserveOptions {
  /** Models listed at once (each list's pages are parallelised by the client). Default 4. */
  concurrency?: number;
  /** Models of objects akbp recorded but no entry declares are read too, so plan can prune them. */
  state?: OwnershipState;
  /**
   * A model with at most this many entries, all identified by literal values that are exact
   * list filters, is read with one filtered list per entry instead of the whole collection.
   * Default 1: a single filtered request never costs more than the whole list.
   */
  filteredMax?: number;
  now?: () => Date;
  /** Whole-collection lists kept between runs (akbp watch): a model it holds is not listed again. */
  lists?: ListCache;
  /** Matches kept between runs (akbp watch): unchanged entries over unchanged lists keep theirs. */
  memo?: ObserveMemo;
}

/** Lists of whole collections by model, as the server returned them. */
export interface ListCache {
  get(model: string): readonly LiveObject[] | undefined;
  set(model: string, objects: readonly LiveObject[]): void;
}

export async function observe(
  entries: CompiledEntry[],
  client: ServerClient,
  registry: Registry,
  opts: ObserveOptions = {},
): Promise<{ snapshot: LiveSnapshot; diagnostics: Diagnostic[] }> {
  const start = client.requestCount();
  const diagnostics: Diagnostic[] = [];
  const ordered = sortedEntries(entries, byOrder);
  const reads = opts.memo ? opts.memo.reads(ordered, registry, opts) : chooseReads(ordered, registry, opts);
  for (const [model, why] of reads.unreadable) {
    diagnostics.push(diagnose(OBSERVE_CODES.noListEndpoint, 'cannotObserve', { model, why }));
  }

  const index = new ObjectIndex(registry);
  const failed = new Map<string, string>();
  await mapLimit(reads.reads, opts.concurrency ?? 4, async (r) => {
    try {
      if (r.filters.length === 0) {
        let objects = opts.lists?.get(r.model);
        if (!objects) {
          const fresh = await client.list(r.model);
          objects = opts.memo ? opts.memo.canonical(r.model, fresh) : fresh;
          opts.lists?.set(r.model, objects);
        }
        index.set(r.model, objects);
        return;
      }
      const seen = new Map<string, LiveObject>();
      for (const f of r.filters) for (const o of await client.list(r.model, f)) seen.set(String(o.pk), o);
      const objects = [...seen.values()];
      index.set(r.model, opts.memo?.canonical(r.model, objects) ?? objects);
    } catch (e) {
      failed.set(r.model, errorText(e));
    }
  });
  const blocked = blockedEntries(ordered, registry, failed);
  for (const [model, why] of [...failed].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    diagnostics.push(diagnose(OBSERVE_CODES.listFailed, 'readFailed', { what: model, why }, blockedDetail(ordered, blocked, model)));
  }

  const objects: LiveSnapshot['objects'] = new Map();
  for (const m of index.models()) objects.set(m, index.objects(m) ?? []);
  // akbp watch: the kept matches of unchanged entries, and only the others to match (memo.ts).
  const begun = opts.memo?.start(ordered, objects, failed.size > 0) ?? {
    byKey: new Map<string, LiveObject | null>(),
    finds: new Map<string, Json>(),
    rematch: ordered,
  };
  const { byKey, finds, rematch } = begun;
  /** Per entry matched this run: the entries whose objects its `!KeyOf`s read (the memo's dependencies). */
  const consulted = new Map<string, string[]>();
  const table = EntryTable.of(ordered);
  const fallback = new ServerFallback(client, registry, index, diagnostics);
  const resolver = new ObserveResolver(registry, index, table, byKey, finds, fallback);

  // Pass over the entries in order (later identifiers may !KeyOf earlier matches). Finds only the
  // server can answer are asked after a pass, once each, then the pass runs again with them.
  for (let pass = 0; pass < 4; pass++) {
    for (const e of rematch) byKey.delete(e.key);
    for (const e of rematch) {
      const info = findModel(registry, e.model);
      if (!info || !info.apiPath || !index.has(info.model) || blocked.has(e.key)) continue;
      const reads: string[] = [];
      consulted.set(e.key, reads);
      resolver.consulted = reads;
      // Kept matches of later entries are in byKey already: hide them as a full pass would.
      if (rematch !== ordered) resolver.current = e;
      const unknownBefore = resolver.unknowns;
      const ids = resolveDeferred(e.identifiers, resolver, e.key);
      if (!ids.ok) {
        // Waiting for the server's answer to a find: unknown for now. Otherwise an identifier
        // waits for an object this run creates, so the entry's own object cannot exist yet.
        if (resolver.unknowns === unknownBefore) byKey.set(e.key, null);
        continue;
      }
      let match = await matchEntry(info, ids.value as JsonObject, index, registry, fallback, e);
      // An exported entry (identified by pk) that akbp created got a pk of the server's choosing:
      // the ownership record finds it again, as authentik finds the object it created with that pk.
      if (match === null && 'pk' in e.identifiers) match = recordedObject(registry, opts.state, e, info, index) ?? null;
      // Unanswerable stays unknown: plan refuses the entry rather than guess "create".
      if (match !== undefined) byKey.set(e.key, match);
      // Answers for finds nested anywhere in the entry, from the indexes already read.
      for (const v of [e.attrs, ...Object.values(e.secrets).map((x) => x.value), ...e.conditions]) resolveDeferred(v, resolver, e.key);
    }
    if (fallback.pending.size === 0) break;
    await fallback.flush(finds);
  }

  resolver.consulted = [];
  resolver.current = undefined;
  const rbac = await observeRbac(
    opts.memo ? opts.memo.grants() : ordered,
    client,
    registry,
    byKey,
    (v, k) => resolveDeferred(v, resolver, k) as { ok: true; value: Json } | { ok: false },
    diagnostics,
  );
  opts.memo?.finish(ordered, objects, byKey, finds, consulted, fallback.asked.size > 0);
  return {
    snapshot: {
      observedAt: (opts.now ? opts.now() : new Date()).toISOString(),
      byKey,
      finds,
      objects,
      requests: client.requestCount() - start,
      ...(blocked.size ? { blocked } : {}),
      ...(rbac ? { rbac } : {}),
    },
    diagnostics: sortDiagnostics(diagnostics),
  };
}

function recordedObject(reg: Registry, state: OwnershipState | undefined, e: CompiledEntry, info: ModelInfo, index: ObjectIndex): LiveObject | undefined {
  const rec = state?.objects[e.key];
  if (!rec || canonicalModel(reg, rec.model) !== info.model) return undefined;
  return index.byPk(info.model, rec.pk);
}

/**
 * Entries a failed read leaves undecidable, each with the model that blocks it: those that need
 * the model's objects (modelsOf), then, transitively, those that depend on a blocked entry. Their
 * failure is the read's, reported once; every further error about them would only repeat it.
 */
function blockedEntries(ordered: readonly CompiledEntry[], registry: Registry, failed: ReadonlyMap<string, string>): Map<string, string> {
  const blocked = new Map<string, string>();
  if (failed.size === 0) return blocked;
  for (const e of ordered) {
    const model = [...modelsOf(e, registry)].find((m) => failed.has(m));
    if (model) blocked.set(e.key, model);
  }
  // Dependencies usually come first in apply order; repeat until nothing changes for the rest.
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of ordered) {
      if (blocked.has(e.key)) continue;
      const dep = e.dependsOn.find((d) => blocked.has(d));
      if (dep === undefined) continue;
      blocked.set(e.key, blocked.get(dep)!);
      changed = true;
    }
  }
  return blocked;
}

function blockedDetail(ordered: readonly CompiledEntry[], blocked: ReadonlyMap<string, string>, model: string): { detail: string } | Record<string, never> {
  const names = ordered.filter((e) => blocked.get(e.key) === model).map((e) => `${formatIdentity(e.model, e.identifiers)} (${e.origin.uri})`);
  if (names.length === 0) return {};
  const shown = names.slice(0, 10).join('\n') + (names.length > 10 ? `\n… and ${names.length - 10} more` : '');
  return { detail: `expected a successful answer; until the server gives one, these ${names.length} entries cannot be planned:\n${shown}` };
}

async function matchEntry(
  info: ModelInfo,
  ids: JsonObject,
  index: ObjectIndex,
  reg: Registry,
  fallback: ServerFallback,
  e: CompiledEntry,
): Promise<LiveObject | null | undefined> {
  const r = matchIdentifiers(reg, index, info.model, ids);
  if (r !== 'unknown') return r.match;
  // A lookup the objects read cannot answer (`stage__name` over a polymorphic family): let the
  // server filter, then trust only results that still agree on everything decidable.
  const query = Object.entries(ids).filter(([k]) => k !== 'pk') as [string, Json][];
  return fallback.ask(info.model, query, e.key);
}

class ObserveResolver extends IndexResolver {
  /** Finds answered "cannot tell (yet)": an entry depending on one is not known to be absent. */
  unknowns = 0;

  constructor(
    reg: Registry,
    index: ObjectIndex,
    table: EntryTable,
    private readonly byKey: Map<string, LiveObject | null>,
    private readonly finds: Map<string, Json>,
    private readonly fallback: ServerFallback,
  ) {
    super(reg, index, table);
  }

  /** Where the entry being matched records whose objects it read. */
  consulted: string[] = [];
  /**
   * The entry being matched: only entries before it have their match yet, as in a pass over
   * every entry in order (akbp watch starts from kept matches of later entries too).
   */
  current: CompiledEntry | undefined;

  protected objectOfEntry(e: CompiledEntry): LiveObject | null | undefined {
    this.consulted.push(e.key);
    if (this.current && e !== this.current && e.order >= this.current.order) return undefined;
    return this.byKey.get(e.key);
  }

  // Answers are recorded for plan; what the objects read cannot tell is asked of the server.
  protected override lookup(q: FindQueryArg): LiveObject | null | undefined {
    const key = findQueryKey(q);
    if (this.finds.has(key)) return this.answered(q.model, this.finds.get(key)!);
    const hit = this.query(q);
    if (hit === 'unknown') {
      this.unknowns++;
      this.fallback.queue(q, key);
      return undefined;
    }
    this.finds.set(key, hit ? hit.pk : null);
    return hit;
  }
}

/** Server-side filtering for lookups the indexes cannot decide; each distinct query asked once. */
class ServerFallback {
  readonly pending = new Map<string, { model: string; query: [string, Json][] }>();
  /** Queries asked of the server; undefined = could not be answered. */
  readonly asked = new Map<string, LiveObject | null | undefined>();

  constructor(
    private readonly client: ServerClient,
    private readonly reg: Registry,
    private readonly index: ObjectIndex,
    private readonly diagnostics: Diagnostic[],
  ) {}

  queue(q: { model: string; query: [string, Json][] }, key: string): void {
    if (!this.asked.has(key)) this.pending.set(key, q);
  }

  async ask(model: string, query: [string, Json][], entryKey?: string): Promise<LiveObject | null | undefined> {
    const key = findQueryKey({ model, query });
    if (this.asked.has(key)) return this.asked.get(key);
    const info = findModel(this.reg, model);
    const filters: ListQuery['filters'] = {};
    const names = new Set((info?.listFilters ?? []).filter((f) => !f.generic).map((f) => f.name));
    for (const [k, v] of query) {
      if (!names.has(k) || v === null || typeof v === 'object') {
        this.diagnostics.push(diagnose(OBSERVE_CODES.lookupUnanswerable, 'noFilter', { model, lookup: k }, entryKey ? { entry: entryKey } : {}));
        this.asked.set(key, undefined);
        return undefined;
      }
      filters[k] = v as string | number | boolean;
    }
    try {
      // The server may ignore a filter or compare differently: keep the first result that does
      // not contradict anything the objects read can decide.
      const res = await this.client.list(model, { filters });
      const hit = res.find((o) => query.every(([k, v]) => evalLookup(this.reg, this.index, o, k, v) !== false)) ?? null;
      this.asked.set(key, hit);
      return hit;
    } catch (e) {
      this.diagnostics.push(diagnose(OBSERVE_CODES.listFailed, 'filterFailed', { model, why: errorText(e) }, entryKey ? { entry: entryKey } : {}));
      this.asked.set(key, undefined);
      return undefined;
    }
  }

  async flush(finds: Map<string, Json>): Promise<void> {
    const jobs = [...this.pending.entries()];
    this.pending.clear();
    await mapLimit(jobs, 4, async ([key, q]) => {
      const hit = await this.ask(q.model, q.query);
      if (hit === undefined) return;
      finds.set(key, hit ? hit.pk : null);
    });
  }
}

function errorText(e: unknown): string {
  if (e instanceof ApiError)
    return `${e.message}${typeof e.body === 'object' && e.body && 'detail' in e.body ? `: ${String((e.body as JsonObject).detail)}` : ''}`;
  return e instanceof Error ? e.message : String(e);
}
