// CompiledEntry[] + ServerClient → LiveSnapshot, reading as little as the API allows: one list
// per model (all pages, fetched in parallel by the client), one in-memory index per model, and
// every identifier match and `!Find` answered from those indexes. Reads only.
import type { CompiledEntry, Diagnostic, Json, JsonObject, ListQuery, LiveObject, LiveSnapshot, ServerClient, OwnershipState } from '../model/index.js';
import { ApiError } from '../model/index.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { diag, sortDiagnostics } from '../diag/index.js';
import { findQueryKey, resolveDeferred, type DeferredResolver } from '../values/index.js';
import { answeredObject, evalLookup, evalQuery, keyOfValue, matchIdentifiers, ObjectIndex, EntryTable } from '../live/index.js';
import { mapLimit } from '../values/index.js';
import { OBSERVE_CODES } from './codes.js';
import { chooseReads } from './strategy.js';

export { chooseReads, type ModelRead } from './strategy.js';

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
  const ordered = [...entries].sort((a, b) => a.order - b.order);
  const reads = chooseReads(ordered, registry, opts);
  for (const [model, why] of reads.unreadable) {
    diagnostics.push(diag(OBSERVE_CODES.noListEndpoint, `cannot observe ${model}: ${why}`));
  }

  const index = new ObjectIndex(registry);
  await mapLimit(reads.reads, opts.concurrency ?? 4, async (r) => {
    try {
      if (r.filters.length === 0) {
        const objects = opts.lists?.get(r.model) ?? (await client.list(r.model));
        opts.lists?.set(r.model, objects);
        index.set(r.model, objects);
        return;
      }
      const seen = new Map<string, LiveObject>();
      for (const f of r.filters) for (const o of await client.list(r.model, f)) seen.set(String(o.pk), o);
      index.set(r.model, [...seen.values()]);
    } catch (e) {
      diagnostics.push(diag(OBSERVE_CODES.listFailed, `reading ${r.model} failed: ${errorText(e)}`));
    }
  });

  const finds = new Map<string, Json>();
  const byKey = new Map<string, LiveObject | null>();
  const table = new EntryTable(ordered);
  const fallback = new ServerFallback(client, registry, index, diagnostics);
  const resolver = new ObserveResolver(registry, index, table, byKey, finds, fallback);

  // Pass over the entries in order (later identifiers may !KeyOf earlier matches). Finds only the
  // server can answer are asked after a pass, once each, then the pass runs again with them.
  for (let pass = 0; pass < 4; pass++) {
    byKey.clear();
    for (const e of ordered) {
      const info = findModel(registry, e.model);
      if (!info || !info.apiPath || !index.has(info.model)) continue;
      const unknownBefore = resolver.unknowns;
      const ids = resolveDeferred(e.identifiers, resolver, e.key);
      if (!ids.ok) {
        // Waiting for the server's answer to a find: unknown for now. Otherwise an identifier
        // waits for an object this run creates, so the entry's own object cannot exist yet.
        if (resolver.unknowns === unknownBefore) byKey.set(e.key, null);
        continue;
      }
      const match = await matchEntry(info, ids.value as JsonObject, index, registry, fallback, e);
      // Unanswerable stays unknown: plan refuses the entry rather than guess "create".
      if (match !== undefined) byKey.set(e.key, match);
      // Answers for finds nested anywhere in the entry, from the indexes already read.
      for (const v of [e.attrs, ...Object.values(e.secrets).map((x) => x.value), ...e.conditions]) resolveDeferred(v, resolver, e.key);
    }
    if (fallback.pending.size === 0) break;
    await fallback.flush(finds);
  }

  const objects = new Map<string, LiveObject[]>();
  for (const m of index.models()) objects.set(m, [...(index.objects(m) ?? [])]);
  return {
    snapshot: {
      observedAt: (opts.now ? opts.now() : new Date()).toISOString(),
      byKey,
      finds,
      objects,
      requests: client.requestCount() - start,
    },
    diagnostics: sortDiagnostics(diagnostics),
  };
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

class ObserveResolver implements DeferredResolver {
  /** Finds answered "cannot tell (yet)": an entry depending on one is not known to be absent. */
  unknowns = 0;

  constructor(
    private readonly reg: Registry,
    private readonly index: ObjectIndex,
    private readonly table: EntryTable,
    private readonly byKey: Map<string, LiveObject | null>,
    private readonly finds: Map<string, Json>,
    private readonly fallback: ServerFallback,
  ) {}

  keyOf(id: string, pbm: boolean, fromKey: string): Json | undefined {
    for (const e of this.table.withId(id, fromKey)) {
      const o = this.byKey.get(e.key);
      if (o) return keyOfValue(this.reg, o, pbm);
    }
    return undefined;
  }

  find(q: { model: string; query: [string, Json][] }): Json | undefined {
    const o = this.lookup(q);
    return o === undefined ? undefined : o === null ? null : o.pk;
  }

  findObject(q: { model: string; query: [string, Json][] }): Json | undefined {
    const o = this.lookup(q);
    return o === undefined ? undefined : o === null ? null : o.body;
  }

  private lookup(q: { model: string; query: [string, Json][] }): LiveObject | null | undefined {
    const key = findQueryKey(q);
    if (this.finds.has(key)) return answeredObject(this.reg, this.index, q.model, this.finds.get(key)!);
    const r = evalQuery(this.reg, this.index, q.model, q.query);
    if (r === 'unknown') {
      this.unknowns++;
      this.fallback.queue(q, key);
      return undefined;
    }
    this.finds.set(key, r.match ? r.match.pk : null);
    return r.match;
  }
}

/** Server-side filtering for lookups the indexes cannot decide; each distinct query asked once. */
class ServerFallback {
  readonly pending = new Map<string, { model: string; query: [string, Json][] }>();
  /** undefined = could not be answered. */
  private readonly asked = new Map<string, LiveObject | null | undefined>();

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
        this.diagnostics.push(
          diag(
            OBSERVE_CODES.lookupUnanswerable,
            `${model}: lookup \`${k}\` can be evaluated neither from the objects read nor by a list filter`,
            entryKey ? { entry: entryKey } : {},
          ),
        );
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
      this.diagnostics.push(diag(OBSERVE_CODES.listFailed, `filtering ${model} failed: ${errorText(e)}`, entryKey ? { entry: entryKey } : {}));
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
