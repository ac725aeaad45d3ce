// Turns loaded blueprints into CompiledEntry values: one pass per blueprint in document order
// (as authentik's importer walks entries), metaapplyblueprint targets compiled in once, then one
// dependency graph over everything given together.
import { createHash } from 'node:crypto';
import { findCovers, findModel, isBlueprintModel, type ModelInfo, type Registry } from '../authentik/registry.js';
import { diag, LineIndex, msg, sortDiagnostics } from '../diag/index.js';
import type {
  CompiledEntry,
  CompileResult,
  DesiredValue,
  Diagnostic,
  DroppedEntry,
  EntryOrigin,
  EntryPermission,
  EntryState,
  Json,
  ParsedBlueprint,
  ParsedEntry,
  SourceRange,
  Value,
} from '../model/types.js';
import { C } from './codes.js';
import { buildContext, builtinContext, versionBefore } from './context.js';
import { containsDeferred, isDeferred } from '../values/index.js';
import { BlueprintEvaluator, isTag, type EvalLimits, type EvalRun, type Ref } from './evaluate.js';
import { analyseGraph, instanceOrder, type GraphNode } from './graph.js';
import { mergeMappings } from './merge.js';
import { stableStringify } from '../values/index.js';
import { escapePointer, pyTruthy } from '../values/index.js';
import type { FileReader } from './policy.js';
import { PkRewriteMap } from './pkmap.js';

export interface CompileOptions {
  registry: Registry;
  /** --context key=value overrides (already parsed, dotted keys allowed), merged over each blueprint's context. */
  contextOverrides?: { [key: string]: Json };
  /** Environment for !Env — the driver passes process.env here; compile never reads process.env. */
  env: { [name: string]: string | undefined };
  /** Patterns (glob-ish, e.g. `AK_*`) of env vars a blueprint NOT from local disk (origin.local=false) may read. */
  envAllow?: string[];
  /** Reads a file for !File (injected I/O); returns undefined when unreadable. */
  readFile?: FileReader;
  /** Extra directories !File may read besides each blueprint's origin.root (--file-root). */
  fileRoots?: string[];
  /** Blueprints available only as targets of metaapplyblueprint (e.g. instantiate=false files of a directory). */
  library?: ParsedBlueprint[];
  /** Bounds on what tag evaluation may build (see DEFAULT_EVAL_LIMITS). */
  limits?: Partial<EvalLimits>;
  /**
   * Told the uri of the file compile works on whenever that changes, undefined once it works
   * across files: a compile worker that dies can then name the file it died in.
   */
  onFile?: (uri: string | undefined) => void;
}

const POLICY_BINDING = 'authentik_policies.policybinding';
const META_APPLY = 'authentik_blueprints.metaapplyblueprint';
const ALL_STATES: EntryState[] = ['present', 'created', 'must_created', 'absent'];

type Status = 'kept' | 'dropped' | 'inlined' | 'failed';

interface Item {
  unit: Unit;
  parsed: ParsedEntry;
  key: string;
  status: Status;
  model?: string;
  state?: EntryState;
  info?: ModelInfo;
  compiled?: CompiledEntry;
  refs: Ref[];
  deps: Set<string>;
  /** Blueprints compiled in by a metaapplyblueprint earlier in this file. */
  includes: Unit[];
}

interface Unit {
  bp: ParsedBlueprint;
  items: Item[];
  /** Blueprints this one compiles in through metaapplyblueprint. */
  included: Unit[];
  state: 'pending' | 'active' | 'done';
  lines?: LineIndex;
  /** Items by entry id, in document order (built on the first `!KeyOf`). */
  byId?: Map<string, Item[]>;
}

/**
 * Entry keys name akbp's ownership records and password digests, so they must not change when
 * the same blueprints are read another way (`examples` vs `./examples`, an OCI tag vs its digest,
 * another git ref). A blueprint is named by its path inside its source, as authentik names
 * instances; only when two sources hold the same path is the full uri used for those files.
 */
function keyBases(bps: readonly ParsedBlueprint[]): Map<ParsedBlueprint, string> {
  const count = new Map<string, number>();
  for (const bp of bps) count.set(bp.path, (count.get(bp.path) ?? 0) + 1);
  return new Map(bps.map((bp) => [bp, bp.path && count.get(bp.path) === 1 ? bp.path : bp.uri]));
}

export class Compilation {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly run: EvalRun;
  private readonly units = new Map<ParsedBlueprint, Unit>();
  private readonly active: Unit[] = [];
  private readonly dropped: DroppedEntry[] = [];
  private readonly usedKeys = new Set<string>();
  /** How each blueprint is named in entry keys (see keyBase). */
  private readonly keyBases: Map<ParsedBlueprint, string>;
  private readonly registry: Registry;
  private readonly states: string[];
  private readonly builtins: { [key: string]: Value };

  constructor(
    private readonly bps: readonly ParsedBlueprint[],
    private readonly opts: CompileOptions,
  ) {
    this.registry = opts.registry;
    this.states = opts.registry.states && opts.registry.states.length > 0 ? opts.registry.states : ALL_STATES;
    this.builtins = builtinContext(opts.registry);
    this.keyBases = keyBases([...bps, ...(opts.library ?? [])]);
    this.run = {
      registry: opts.registry,
      env: opts.env,
      envAllow: opts.envAllow ?? [],
      readFile: opts.readFile,
      fileRoots: opts.fileRoots ?? [],
      diagnostics: this.diagnostics,
      ...(opts.limits ? { limits: opts.limits } : {}),
    };
  }

  compile(): CompileResult {
    for (const bp of this.bps) this.compileUnit(this.unitOf(bp));
    const items = [...this.units.values()].flatMap((u) => u.items).filter((i) => i.status === 'kept');
    const rank = this.rankInstances(items);
    this.findEdges(items, rank);
    this.includeEdges(items);
    this.sameObjectEdges(items, rank);
    const nodes: GraphNode[] = items.map((i) => ({ key: i.key, uri: i.unit.bp.uri, rank: rank.get(i.unit) ?? 0, index: i.parsed.index, deps: i.deps }));
    const graph = analyseGraph(nodes);
    const byKey = new Map(items.map((i) => [i.key, i]));
    for (const cycle of graph.cycles) {
      const first = byKey.get(cycle[0]!)!;
      const path = [...cycle, cycle[0]!].map((k) => `${k} (line ${this.line(byKey.get(k)!.unit, byKey.get(k)!.parsed.range)})`);
      this.diagnostics.push(
        diag(C.dependencyCycle, msg(C.dependencyCycle, 'cycle', { path: path.join(' → ') }), {
          subject: first.parsed.range,
          entry: first.key,
          detail: msg(C.dependencyCycle, 'cycleDetail', {}),
        }),
      );
    }
    const position = new Map(graph.order.map((k, i) => [k, i]));
    const entries: CompiledEntry[] = [];
    for (const key of graph.order) {
      const item = byKey.get(key)!;
      const c = item.compiled!;
      c.wave = graph.waves.get(key) ?? 0;
      c.order = position.get(key)!;
      c.dependsOn = [...item.deps].sort((a, b) => position.get(a)! - position.get(b)!);
      entries.push(c);
    }
    const dropped = [...this.dropped].sort((a, b) =>
      a.origin.uri !== b.origin.uri ? (a.origin.uri < b.origin.uri ? -1 : 1) : a.origin.range.start - b.origin.range.start,
    );
    return { entries, dropped, diagnostics: sortDiagnostics(this.diagnostics) };
  }

  private unitOf(bp: ParsedBlueprint): Unit {
    let u = this.units.get(bp);
    if (!u) this.units.set(bp, (u = { bp, items: [], included: [], state: 'pending' }));
    return u;
  }

  private line(unit: Unit, range: SourceRange): number {
    unit.lines ??= new LineIndex(unit.bp.text);
    return unit.lines.lineCol(range.start).line;
  }

  private range(unit: Unit, pointer: string, fallback: SourceRange): SourceRange {
    return unit.bp.pointers.get(pointer) ?? fallback;
  }

  /**
   * An entry's key must not depend on its position: inserting, removing or reordering other
   * entries would otherwise re-key it, and the object akbp created would be recorded as adopted
   * and never pruned. `<path>#<id>` when the entry has an id, else `<path>#<model><identifiers>`
   * from the identifiers as written (tags included, their source positions left out). Only true
   * duplicates get a counter, in document order among themselves.
   */
  private assignKey(bp: ParsedBlueprint, e: ParsedEntry, firstOfId: boolean): string {
    const base = this.keyBases.get(bp) ?? bp.uri;
    if (e.id !== undefined && firstOfId && !this.usedKeys.has(`${base}#${e.id}`)) {
      this.usedKeys.add(`${base}#${e.id}`);
      return `${base}#${e.id}`;
    }
    const model = typeof e.model === 'string' ? e.model.toLowerCase() : shortValue(e.model);
    const ids = Object.keys(e.identifiers)
      .sort()
      .map((k) => `${k}=${shortValue(e.identifiers[k]!)}`);
    // Entries without identifiers (metaapplyblueprint) are named by what they say instead.
    const content = `${base}#${model}[${ids.length ? ids.join(',') : `attrs=${shortValue(e.attrs)}`}]`;
    let key = content;
    for (let n = 2; this.usedKeys.has(key); n++) key = `${content}~${n}`;
    this.usedKeys.add(key);
    return key;
  }

  private compileUnit(unit: Unit): void {
    if (unit.state !== 'pending') return;
    unit.state = 'active';
    this.active.push(unit);
    this.opts.onFile?.(unit.bp.uri);
    const bp = unit.bp;
    const context = buildContext(bp.context, this.opts.contextOverrides, this.registry.dottedContext, this.builtins);
    const ev = new BlueprintEvaluator(this.run, bp, context);

    // A duplicate id is validate's error (AKB2006); here it only decides which entry keeps the id as its key.
    const seenIds = new Map<string, ParsedEntry>();
    for (const e of bp.entries) {
      const first = e.id === undefined || !seenIds.has(e.id);
      if (e.id !== undefined && first) seenIds.set(e.id, e);
      unit.items.push({ unit, parsed: e, key: this.assignKey(bp, e, first), status: 'failed', refs: [], deps: new Set(), includes: [] });
    }

    let includes: Unit[] = [];
    // A metaapplyblueprint left for apply runs the server's instance before the next entry.
    const barriers: string[] = [];
    const pks = new PkRewriteMap(this.registry, seenIds.keys());
    for (const item of unit.items) {
      item.includes = includes;
      this.compileItem(unit, item, ev);
      if (item.status === 'kept' && item.compiled && item.info?.kind !== 'meta') {
        for (const k of pks.rewrite(item.info!, item.compiled)) item.deps.add(k);
        pks.remember(item.compiled, 'pk' in item.parsed.identifiers && !isTag(item.parsed.identifiers.pk));
        if ('pk' in item.compiled.identifiers) this.elementRanges(unit, item);
      }
      if (item.status === 'kept' || item.status === 'inlined') this.checkKeyOfs(unit, item);
      if (item.status === 'inlined' && item.includes !== includes) includes = item.includes;
      if (item.status !== 'kept') continue;
      for (const b of barriers) item.deps.add(b);
      if (item.model === META_APPLY) barriers.push(item.key);
    }
    this.active.pop();
    this.opts.onFile?.(this.active.at(-1)?.bp.uri);
    unit.state = 'done';
  }

  /** `field/index` ranges of reference lists, so plan can point at the one raw pk that is wrong. */
  private elementRanges(unit: Unit, item: Item): void {
    const e = item.parsed;
    for (const f of Object.keys(item.info?.references ?? {})) {
      const v = e.attrs[f];
      if (!Array.isArray(v)) continue;
      for (let i = 0; i < v.length; i++) {
        const r = unit.bp.pointers.get(`${e.pointer}/attrs/${escapePointer(f)}/${i}`);
        if (r) item.compiled!.origin.fields[`${f}/${i}`] = r;
      }
    }
  }

  private compileItem(unit: Unit, item: Item, ev: BlueprintEvaluator): void {
    const e = item.parsed;
    const bp = unit.bp;
    ev.beginEntry(item.key, false);
    const modelRange = (): SourceRange => (isTag(e.model) ? e.model.range : this.range(unit, `${e.pointer}/model`, e.range));
    const modelValue = ev.eval(e.model);
    if (typeof modelValue !== 'string') {
      this.diagnostics.push(
        diag(C.modelNotString, msg(C.modelNotString, 'notString', {}), {
          subject: modelRange(),
          entry: item.key,
          detail: containsDeferred(modelValue)
            ? msg(C.modelNotString, 'dependsOnServerDetail', {})
            : modelValue === null
              ? msg(C.modelNotString, 'gotNullDetail', {})
              : Array.isArray(modelValue)
                ? msg(C.modelNotString, 'gotListDetail', {})
                : msg(C.modelNotString, 'gotTypeDetail', { type: typeof modelValue }),
        }),
      );
      return;
    }
    const found = findModel(this.registry, modelValue);
    // A polymorphic base model is only for !Find; authentik refuses it as an entry model.
    const info = found && isBlueprintModel(found) ? found : undefined;
    if (!info) {
      // A model written out is validate's to check (AKB2001); only one a tag computes is news here.
      if (!isTag(e.model)) return;
      this.diagnostics.push(
        diag(C.unknownModel, msg(C.unknownModel, 'unknown', { model: modelValue, version: this.registry.version }), {
          subject: modelRange(),
          entry: item.key,
          detail: msg(C.unknownModel, 'unknownDetail', {}),
        }),
      );
      return;
    }
    item.model = info.model;
    item.info = info;
    ev.pbm = modelValue.toLowerCase() === POLICY_BINDING;

    const pending: DesiredValue[] = [];
    for (let i = 0; i < e.conditions.length; i++) {
      const v = ev.eval(e.conditions[i]!);
      if (containsDeferred(v)) {
        pending.push(v);
        continue;
      }
      if (!pyTruthy(v as Json)) {
        const r = this.range(unit, `${e.pointer}/conditions/${i}`, e.range);
        item.status = 'dropped';
        this.dropped.push({
          key: item.key,
          model: info.model,
          reason: `condition ${i + 1} (line ${this.line(unit, r)}) is false`,
          origin: { uri: bp.uri, range: e.range, fields: {} },
        });
        return;
      }
    }

    const stateValue = e.state === null || e.state === undefined ? 'present' : ev.eval(e.state);
    if (typeof stateValue !== 'string' || !this.states.includes(stateValue)) {
      // A state written out is validate's to check (AKB2011); only one a tag computes is news here.
      if (!isTag(e.state)) return;
      this.diagnostics.push(
        diag(
          C.invalidState,
          msg(C.invalidState, 'notValid', {
            state: typeof stateValue === 'string' ? stateValue : JSON.stringify(stateValue),
            version: this.registry.version,
          }),
          {
            subject: isTag(e.state) ? e.state.range : this.range(unit, `${e.pointer}/state`, e.range),
            entry: item.key,
            detail: msg(C.invalidState, 'notValidDetail', { states: this.states.join(', ') }),
          },
        ),
      );
      return;
    }
    item.state = stateValue as EntryState;

    const identifiers = ev.eval(e.identifiers) as { [k: string]: DesiredValue };
    // `target: {pk: X}` means `target = X`, for the lookup and for the data written.
    for (const [k, v] of Object.entries(identifiers)) {
      if (v !== null && typeof v === 'object' && !Array.isArray(v) && !isDeferred(v) && Object.prototype.hasOwnProperty.call(v, 'pk')) {
        identifiers[k] = v.pk!;
      }
    }
    const attrs = ev.eval(e.attrs ?? {}) as { [k: string]: DesiredValue };
    // Entry permissions (2024.8+) are granted after the object is written; their !KeyOf roles are dependencies.
    const permissions = this.registry.entryPermissions
      ? e.permissions.map((p, i) => entryPermission(ev.eval(p), bp.pointers.get(`${e.pointer}/permissions/${i}`) ?? e.range))
      : [];
    item.refs = ev.refs;

    if (info.model === META_APPLY && this.inlineBlueprint(unit, item, attrs, ev)) return;

    // Meta models read only attrs; authentik ignores their identifiers.
    const merged = info.kind === 'meta' ? attrs : mergeMappings(attrs, identifiers);
    const fields: EntryOrigin['fields'] = {};
    for (const name of Object.keys(e.attrs ?? {})) {
      const r = bp.pointers.get(`${e.pointer}/attrs/${escapePointer(name)}`);
      if (r) fields[name] = r;
    }
    for (const name of Object.keys(e.identifiers)) {
      const r = bp.pointers.get(`${e.pointer}/identifiers/${escapePointer(name)}`);
      if (r) fields[name] = r;
    }
    const secrets = splitSecrets(info, merged, fields);
    const compiled: CompiledEntry = {
      key: item.key,
      model: info.model,
      state: item.state,
      identifiers,
      attrs: merged,
      secrets,
      conditions: pending,
      dependsOn: [],
      wave: 0,
      order: 0,
      origin: { uri: bp.uri, range: e.range, fields },
      source: bp.origin,
    };
    if (e.id !== undefined) compiled.id = e.id;
    if (permissions.length) compiled.permissions = permissions;
    item.compiled = compiled;
    item.status = 'kept';
  }

  /**
   * metaapplyblueprint whose target is among the sources or the library: the target's entries
   * are compiled in (once) and stand in for the meta entry. Returns false to keep the meta entry
   * for apply (target unknown here; the server's blueprint instance may still exist).
   */
  private inlineBlueprint(unit: Unit, item: Item, attrs: { [k: string]: DesiredValue }, ev: BlueprintEvaluator): boolean {
    const e = item.parsed;
    const where = this.range(unit, `${e.pointer}/attrs/identifiers`, e.range);
    const ids = attrs.identifiers;
    if (ids === null || typeof ids !== 'object' || Array.isArray(ids) || isDeferred(ids) || containsDeferred(ids)) {
      this.diagnostics.push(
        diag(C.metaAttrs, msg(C.metaAttrs, 'needsIdentifiers', {}), {
          subject: where,
          entry: item.key,
          detail: msg(C.metaAttrs, 'needsIdentifiersDetail', {}),
        }),
      );
      item.status = 'failed';
      return true;
    }
    const required = attrs.required === undefined ? true : pyTruthy(attrs.required as Json);
    const target = [...this.bps, ...(this.opts.library ?? [])].find((bp) => matchesInstance(bp, ids as { [k: string]: Json }));
    if (!target) {
      if (required) {
        this.diagnostics.push(
          diag(C.metaNotFound, msg(C.metaNotFound, 'notAmongSources', { identifiers: stableStringify(ids) }), {
            subject: where,
            entry: item.key,
            detail: msg(C.metaNotFound, 'notAmongSourcesDetail', {}),
          }),
        );
      }
      return false;
    }
    const targetUnit = this.unitOf(target);
    if (targetUnit.state === 'active') {
      const chain = this.active.slice(this.active.indexOf(targetUnit)).map((u) => u.bp.uri);
      this.diagnostics.push(
        diag(C.metaCycle, msg(C.metaCycle, 'cycle', { chain: [...chain, target.uri].join(' → ') }), {
          subject: where,
          entry: item.key,
          detail: msg(C.metaCycle, 'cycleDetail', {}),
        }),
      );
      item.status = 'failed';
      return true;
    }
    this.compileUnit(targetUnit);
    ev.beginEntry(item.key, false);
    item.status = 'inlined';
    item.includes = [...item.includes.filter((u) => u !== targetUnit), targetUnit];
    if (!unit.included.includes(targetUnit)) unit.included.push(targetUnit);
    this.dropped.push({
      key: item.key,
      model: META_APPLY,
      reason: `replaced by the entries of ${target.uri}, compiled in`,
      origin: { uri: unit.bp.uri, range: e.range, fields: {} },
    });
    return true;
  }

  /** `!KeyOf` sees only entries processed before this one that recorded an object. */
  private checkKeyOfs(unit: Unit, item: Item): void {
    for (const ref of item.refs) {
      if (ref.kind !== 'keyOf') continue;
      const same = itemsWithId(unit, ref.id);
      const earlier = same.filter((o) => o.parsed.index < item.parsed.index);
      const usable = earlier.find((o) => o.status === 'kept' && (o.state !== 'absent' || this.registry.keyOfAbsent) && o.info?.kind !== 'meta');
      if (usable) {
        item.deps.add(usable.key);
        // Fixed when `created` began recording the existing object (≈2023.10, §5).
        if (usable.state === 'created' && versionBefore(this.registry.version, '2023.10')) {
          this.diagnostics.push(
            diag(C.keyOfCreated, msg(C.keyOfCreated, 'createdEntry', { id: ref.id, version: this.registry.version }), {
              subject: ref.range,
              entry: item.key,
              detail: msg(C.keyOfCreated, 'createdEntryDetail', {}),
            }),
          );
        }
        continue;
      }
      if (earlier.some((o) => o.status === 'failed')) continue;
      // Unknown, later and self references and targets written as absent or meta models are
      // validate's (AKB2007, AKB2008, AKB2009, AKB2021): preconditions here. What only evaluation
      // shows is reported: a target skipped by its conditions, or whose model or state a tag computes.
      const o = earlier[0];
      if (!o || !(o.status === 'dropped' || isTag(o.parsed.model) || isTag(o.parsed.state))) continue;
      const at = { id: ref.id, line: this.line(unit, o.parsed.range) };
      const summary =
        o.status === 'dropped'
          ? msg(C.keyOfUnusable, 'skipped', at)
          : o.status === 'inlined' || o.info?.kind === 'meta'
            ? msg(C.keyOfUnusable, 'metaEntry', at)
            : o.state === 'absent'
              ? msg(C.keyOfUnusable, 'stateAbsent', at)
              : msg(C.keyOfUnusable, 'recordsNothing', at);
      this.diagnostics.push(
        diag(C.keyOfUnusable, summary, {
          subject: ref.range,
          entry: item.key,
          detail: msg(C.keyOfUnusable, 'noRecordedObjectDetail', {}),
        }),
      );
    }
  }

  /**
   * authentik's `!Find` sees objects written by earlier entries of the same run, so an entry
   * whose identifiers/attrs match a literal query is written first. Within one file only earlier
   * entries qualify (document order); across files any entry does.
   */
  private findEdges(items: Item[], rank: Map<Unit, number>): void {
    for (const [item, cand] of this.findMatches(items)) {
      if (cand.unit === item.unit ? cand.parsed.index < item.parsed.index : rank.get(cand.unit)! < rank.get(item.unit)!) item.deps.add(cand.key);
    }
  }

  /** Pairs [entry, earlier-or-other entry whose object a literal `!Find` of the first one matches]. */
  private findMatches(items: Item[]): [Item, Item][] {
    const byModel = new Map<string, Item[]>();
    for (const i of items) {
      if (i.state === 'absent') continue;
      let l = byModel.get(i.model!);
      if (!l) byModel.set(i.model!, (l = []));
      l.push(i);
    }
    // model → field → equality key → candidates in item order, so each query reads one bucket.
    const byField = new Map<string, Map<string, Map<string, Item[]>>>();
    const bucket = (model: string, field: string, value: DesiredValue): Item[] => {
      let perModel = byField.get(model);
      if (!perModel) byField.set(model, (perModel = new Map()));
      let ix = perModel.get(field);
      if (!ix) {
        perModel.set(field, (ix = new Map()));
        for (const cand of byModel.get(model) ?? []) {
          const attrs = cand.compiled!.attrs;
          if (!Object.prototype.hasOwnProperty.call(attrs, field)) continue;
          const k = looseKey(attrs[field]!);
          if (k === undefined) continue;
          const l = ix.get(k);
          if (l) l.push(cand);
          else ix.set(k, [cand]);
        }
      }
      const k = looseKey(value);
      return k === undefined ? [] : (ix.get(k) ?? []);
    };
    // A !Find on a base model (authentik_policies.policy) sees every subclass's objects.
    const coveredModels = (model: string): string[] => (byModel.has(model) ? [model] : [...byModel.keys()].filter((m) => findCovers(this.registry, model, m)));
    const out: [Item, Item][] = [];
    for (const item of items) {
      for (const ref of item.refs) {
        if (ref.kind !== 'find') continue;
        if (ref.query.length === 0 || ref.query.some(([f, v]) => f === 'pk' || f.includes('__') || containsDeferred(v))) continue;
        for (const cand of coveredModels(ref.model).flatMap((m) => bucket(m, ref.query[0]![0], ref.query[0]![1]))) {
          if (cand === item) continue;
          if (cand.unit === item.unit && cand.parsed.index > item.parsed.index) continue;
          const attrs = cand.compiled!.attrs;
          if (ref.query.every(([f, v]) => Object.prototype.hasOwnProperty.call(attrs, f) && looseEqual(attrs[f]!, v))) out.push([item, cand]);
        }
      }
    }
    return out;
  }

  /**
   * Each file is a blueprint instance, applied as a whole in turn (see README "Instances"): an
   * instance runs after the instances it compiles in with metaapplyblueprint, then after those
   * holding objects its literal `!Find`s look for, then by path. A cycle falls back to path order.
   */
  private rankInstances(items: Item[]): Map<Unit, number> {
    const units = [...this.units.values()];
    const after = new Map<Unit, Set<Unit>>(units.map((u) => [u, new Set(u.included)]));
    for (const [item, cand] of this.findMatches(items)) if (cand.unit !== item.unit) after.get(item.unit)!.add(cand.unit);
    return instanceOrder(units.map((u) => ({ id: u, name: u.bp.path || u.bp.uri, after: after.get(u)! })));
  }

  /**
   * Entries of several instances (or of one file) that declare one object by the same literal
   * identifiers run in instance order, so the last declaration's values are the ones that stay,
   * as when authentik applies the files one after another. Plan merges them into one object.
   */
  private sameObjectEdges(items: Item[], rank: Map<Unit, number>): void {
    const groups = new Map<string, Item[]>();
    for (const i of items) {
      const ids = i.compiled!.identifiers;
      if (i.info?.kind === 'meta' || Object.keys(ids).length === 0 || 'pk' in ids || containsDeferred(ids)) continue;
      const k = `${i.model}|${stableStringify(ids)}`;
      let l = groups.get(k);
      if (!l) groups.set(k, (l = []));
      l.push(i);
    }
    for (const l of groups.values()) {
      if (l.length < 2) continue;
      l.sort((a, b) => rank.get(a.unit)! - rank.get(b.unit)! || a.parsed.index - b.parsed.index);
      for (let n = 1; n < l.length; n++) l[n]!.deps.add(l[n - 1]!.key);
    }
  }

  /**
   * Entries after a compiled-in metaapplyblueprint wait for the included blueprint to finish:
   * they depend on its last writes (entries nothing else in it depends on) and, transitively,
   * on the last writes of what it includes. Waves only need those, not every entry.
   */
  private includeEdges(items: Item[]): void {
    const intra = new Map<Unit, string[]>();
    for (const u of this.units.values()) {
      const kept = u.items.filter((i) => i.status === 'kept');
      const needed = new Set<string>();
      for (const i of kept) for (const d of i.deps) needed.add(d);
      intra.set(
        u,
        kept.filter((i) => !needed.has(i.key)).map((i) => i.key),
      );
    }
    const sinks = new Map<Unit, Set<string>>();
    const sinksOf = (u: Unit): Set<string> => {
      let s = sinks.get(u);
      if (s) return s;
      s = new Set(intra.get(u) ?? []);
      sinks.set(u, s);
      for (const v of u.included) for (const k of sinksOf(v)) s.add(k);
      return s;
    };
    for (const item of items) for (const u of item.includes) for (const k of sinksOf(u)) item.deps.add(k);
  }
}

/**
 * Moves every secret, write-only and blueprint-only field out of `attrs` into the entry's
 * `secrets`: the one place akbp decides what is secret, so nothing later can print one by
 * forgetting to ask. A blueprint-only field the API takes as a plain body field under another
 * name (2026.5 application `icon` → `meta_icon`) is renamed in attrs instead; an explicit value of
 * that name wins.
 */
function splitSecrets(info: ModelInfo, attrs: { [k: string]: DesiredValue }, fields: EntryOrigin['fields']): CompiledEntry['secrets'] {
  const secrets: CompiledEntry['secrets'] = {};
  const blind = new Set([...info.writeOnlyFields, ...info.secretFields]);
  for (const field of Object.keys(attrs)) {
    const spec = info.blueprintOnlyFields?.[field];
    const secret = blind.has(field) || spec?.secret === true;
    if (spec?.via === 'body' && !secret) {
      const target = (spec as { field?: string }).field;
      if (target && target !== field) {
        if (!Object.prototype.hasOwnProperty.call(attrs, target)) {
          attrs[target] = attrs[field]!;
          if (fields[field]) fields[target] = fields[field]!;
        }
        delete attrs[field];
      }
      continue;
    }
    if (!spec && !secret) continue;
    secrets[field] = { value: attrs[field]!, secret };
    delete attrs[field];
  }
  return secrets;
}

function entryPermission(v: DesiredValue, range: SourceRange): EntryPermission {
  const m = v !== null && typeof v === 'object' && !Array.isArray(v) && !isDeferred(v) ? (v as { [k: string]: DesiredValue }) : {};
  const out: EntryPermission = { permission: m.permission ?? null, range };
  if (m.user !== undefined && m.user !== null) out.user = m.user;
  if (m.role !== undefined && m.role !== null) out.role = m.role;
  return out;
}

function itemsById(unit: Unit): Map<string, Item[]> {
  if (!unit.byId) {
    unit.byId = new Map();
    for (const o of unit.items) {
      if (o.parsed.id === undefined) continue;
      const l = unit.byId.get(o.parsed.id);
      if (l) l.push(o);
      else unit.byId.set(o.parsed.id, [o]);
    }
  }
  return unit.byId;
}

function itemsWithId(unit: Unit, id: string): Item[] {
  return itemsById(unit).get(id) ?? [];
}

/** authentik filters blueprint instances; an instance is named by metadata.name, else its path. */
function matchesInstance(bp: ParsedBlueprint, ids: { [k: string]: Json }): boolean {
  const keys = Object.keys(ids);
  if (keys.length === 0) return false;
  return keys.every((k) => {
    const v = ids[k];
    if (k === 'name') return (bp.name ?? bp.path) === v;
    if (k === 'path') return bp.path === v;
    return false;
  });
}

/** Equal under looseEqual ⇔ equal keys; undefined for values looseEqual never matches. */
function looseKey(v: DesiredValue): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string' || typeof v === 'number') return `s:${String(v)}`;
  if (typeof v === 'boolean') return `b:${String(v)}`;
  if (isDeferred(v)) return undefined;
  return `o:${stableStringify(v)}`;
}

/** The ORM compares a query value after converting it to the field's type: 5 matches "5". */
function looseEqual(a: DesiredValue, b: DesiredValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return String(a) === String(b);
    return false;
  }
  if (isDeferred(a) || isDeferred(b)) return false;
  return stableStringify(a) === stableStringify(b);
}

export type { Value };

/** A scalar as written (quoted when it could be misread), anything else as a short digest of its canonical form. */
function shortValue(v: Value): string {
  if (typeof v === 'string') return /^[^\s,=[\]"~]+$/.test(v) ? v : JSON.stringify(v);
  if (v === null || typeof v !== 'object') return String(v);
  if (!Array.isArray(v) && v.$tag === 'KeyOf' && typeof v.id === 'string') return `!KeyOf:${v.id}`;
  return `~${createHash('sha256').update(canonicalValue(v)).digest('hex').slice(0, 10)}`;
}

/** JSON with sorted keys; tag nodes lose their source range and pointer, which move with edits. */
function canonicalValue(v: Value): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonicalValue).join(',')}]`;
  const skip = '$tag' in v ? new Set(['range', 'pointer']) : new Set<string>();
  const rec = v as { [k: string]: Value };
  const keys = Object.keys(rec)
    .filter((k) => !skip.has(k) && rec[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalValue(rec[k]!)}`).join(',')}}`;
}
