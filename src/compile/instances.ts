// Which blueprint instances need a file that failed to load, validate or compile (README "Failure
// isolation"). Runs before compile, on the loaded text: a broken file is never evaluated, so what
// it would create is read from its literal declarations, and from its raw text when it did not
// even parse. Whenever the answer is uncertain the instance is blocked: applying it without the
// file it needs is what authentik would refuse, while blocking it only postpones it.
import { findCovers, findModel, type Registry } from '../authentik/registry.js';
import { diag, msg } from '../diag/index.js';
import type { Diagnostic, FindTag, ParsedBlueprint, SourceRange, Value } from '../model/types.js';
import { stableStringify } from '../values/index.js';
import { C } from './codes.js';

const META_APPLY = 'authentik_blueprints.metaapplyblueprint';

/** A file that failed to load, validate or compile: what is known of it. */
export interface BrokenFile {
  uri: string;
  path: string;
  /** Absent when the file did not parse. */
  blueprint?: ParsedBlueprint;
  /** Its text, as far as it decoded. */
  text: string;
  /** The first error that broke it. */
  cause: Diagnostic;
}

/** A healthy file left out because it needs a blocked one. */
export interface DependentInstance {
  blueprint: ParsedBlueprint;
  /** uri of the blocked file it needs. */
  by: string;
  via: 'metaapplyblueprint' | '!Find';
  /** The reference in the dependent file. */
  at: SourceRange;
  /** Uncertain: the broken file did not parse, and its text mentions what the reference looks for. */
  unsure: boolean;
  diagnostic: Diagnostic;
}

type Literal = null | boolean | number | string | Literal[] | { [k: string]: Literal };

function isTagNode(v: Value): v is Extract<Value, { $tag: string }> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $tag?: unknown }).$tag === 'string';
}

/** The value without tags, or undefined when a tag sits anywhere inside. */
function literal(v: Value): Literal | undefined {
  if (v === null || typeof v !== 'object') return v;
  if (isTagNode(v)) return undefined;
  if (Array.isArray(v)) {
    const out: Literal[] = [];
    for (const x of v) {
      const l = literal(x);
      if (l === undefined) return undefined;
      out.push(l);
    }
    return out;
  }
  const out: { [k: string]: Literal } = {};
  for (const [k, x] of Object.entries(v)) {
    const l = literal(x);
    if (l === undefined) return undefined;
    out[k] = l;
  }
  return out;
}

/** As compile's `!Find` matching: the ORM converts a query value to the field's type (5 matches "5"). */
function looseEqual(a: Literal, b: Literal): boolean {
  if (a === b) return true;
  if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) return String(a) === String(b);
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  return stableStringify(a) === stableStringify(b);
}

function* findTags(v: Value): Generator<FindTag> {
  if (v === null || typeof v !== 'object') return;
  if (isTagNode(v) && (v.$tag === 'Find' || v.$tag === 'FindObject')) yield v as FindTag;
  for (const x of Array.isArray(v) ? v : Object.values(v)) yield* findTags(x as Value);
}

interface Declaration {
  model: string;
  /** attrs merged with identifiers, as compile merges them; undefined = a tag, could be anything. */
  fields: Map<string, Literal | undefined>;
}

/** The objects a file declares, as far as its text says without evaluating tags. */
function declarations(bp: ParsedBlueprint): Declaration[] {
  const out: Declaration[] = [];
  for (const e of bp.entries) {
    if (typeof e.model !== 'string' || e.state === 'absent') continue;
    const fields = new Map<string, Literal | undefined>();
    for (const part of [e.attrs, e.identifiers]) for (const [k, v] of Object.entries(part)) fields.set(k, literal(v));
    out.push({ model: e.model, fields });
  }
  return out;
}

interface Query {
  model: string;
  /** field → value; undefined = a tag, matches anything. */
  pairs: [string, Literal | undefined][];
}

/** A literal-model `!Find` that could answer with a declared object; pk lookups never do. */
function queryOf(tag: FindTag): Query | undefined {
  if (typeof tag.model !== 'string') return undefined;
  const pairs: [string, Literal | undefined][] = [];
  for (const [f, v] of tag.query) {
    if (typeof f !== 'string') return undefined;
    if (f === 'pk' || f.split('__')[0] === 'pk') return undefined;
    pairs.push([f, literal(v)]);
  }
  return pairs.length > 0 ? { model: tag.model, pairs } : undefined;
}

/**
 * Does a declaration answer the query? `exact` (a healthy file vouching for the `!Find`) needs
 * every pair to be literal and equal; otherwise (a broken file that might be what it needs) a tag
 * or an ORM lookup (`name__iexact`) on a declared field counts as a match.
 */
function answers(reg: Registry, d: Declaration, q: Query, exact: boolean): boolean {
  if (!(findCovers(reg, q.model, d.model) || q.model.toLowerCase() === d.model.toLowerCase())) return false;
  return q.pairs.every(([f, v]) => {
    const lookup = f.includes('__');
    const field = f.split('__')[0]!;
    if (!d.fields.has(field)) return false;
    const have = d.fields.get(field);
    if (lookup || v === undefined || have === undefined) return !exact;
    return looseEqual(have, v);
  });
}

/** A file that did not parse may hold the object: its text names the model and every literal value. */
function mentions(text: string, q: Query): boolean {
  const t = text.toLowerCase();
  const model = q.model.toLowerCase();
  if (!t.includes(model) && !t.includes(model.slice(model.indexOf('.') + 1))) return false;
  return q.pairs.every(([, v]) => v === undefined || typeof v === 'object' || t.includes(String(v).toLowerCase()));
}

function matchesInstance(bp: { name?: string; path: string }, ids: { [k: string]: Literal }): boolean {
  const keys = Object.keys(ids);
  return keys.length > 0 && keys.every((k) => (k === 'name' ? (bp.name ?? bp.path) === ids[k] : k === 'path' ? bp.path === ids[k] : false));
}

export interface DependentsInput {
  registry: Registry;
  /** Files that loaded and validated (instances and library alike). */
  healthy: readonly ParsedBlueprint[];
  broken: readonly BrokenFile[];
}

/**
 * Healthy files that need a broken one, directly or through another such file, in a fixpoint:
 * - through `metaapplyblueprint` naming it (by path, or by `metadata.name`);
 * - through a `!Find` whose only candidates among the files are objects a blocked file declares.
 * A `!Find` answered by a healthy file, or by nothing in the sources (the object is expected on
 * the server already), does not block. A `metaapplyblueprint` whose identifiers are not literal
 * blocks its file when any file is broken: which instance it runs is not known before compile.
 */
export function dependentInstances(input: DependentsInput): DependentInstance[] {
  const { registry: reg, healthy, broken } = input;
  const out = new Map<ParsedBlueprint, DependentInstance>();
  if (broken.length === 0) return [];
  const decls = new Map(healthy.map((bp) => [bp, declarations(bp)]));
  const brokenDecls = new Map(broken.filter((b) => b.blueprint).map((b) => [b, declarations(b.blueprint!)]));
  const causeOf = (uri: string): Diagnostic | undefined =>
    broken.find((b) => b.uri === uri)?.cause ?? out.get(healthy.find((bp) => bp.uri === uri)!)?.diagnostic;

  const block = (bp: ParsedBlueprint, by: { uri: string; path: string }, via: DependentInstance['via'], at: SourceRange, unsure: boolean): void => {
    const cause = causeOf(by.uri);
    const names = { file: bp.path || bp.uri, by: by.path };
    const failed = broken.some((b) => b.uri === by.uri);
    const summary =
      via === 'metaapplyblueprint'
        ? failed
          ? msg(C.instanceBlocked, 'metaFailed', names)
          : msg(C.instanceBlocked, 'metaBlocked', names)
        : failed
          ? msg(C.instanceBlocked, 'findFailed', names)
          : msg(C.instanceBlocked, 'findBlocked', names);
    const diagnostic = diag(C.instanceBlocked, summary, {
      subject: at,
      detail: unsure
        ? msg(C.instanceBlocked, 'unparsedDetail', { by: by.path })
        : via === 'metaapplyblueprint'
          ? msg(C.instanceBlocked, 'metaDetail', { by: by.path })
          : msg(C.instanceBlocked, 'findDetail', { by: by.path }),
      ...(cause?.subject ? { related: [{ range: cause.subject, message: msg(C.instanceBlocked, 'failsHere', { by: by.path, code: cause.code }) }] } : {}),
    });
    out.set(bp, { blueprint: bp, by: by.uri, via, at, unsure, diagnostic });
  };

  const isBlocked = (uri: string) => broken.some((b) => b.uri === uri) || [...out.keys()].some((bp) => bp.uri === uri);

  for (let changed = true; changed; ) {
    changed = false;
    for (const bp of healthy) {
      if (out.has(bp)) continue;
      const dependency = metaDependency(bp, healthy, broken, out) ?? findDependency(reg, bp, healthy, decls, broken, brokenDecls, isBlocked);
      if (dependency) {
        block(bp, dependency.by, dependency.via, dependency.at, dependency.unsure);
        changed = true;
      }
    }
  }
  return [...out.values()].sort((a, b) => (a.blueprint.uri < b.blueprint.uri ? -1 : a.blueprint.uri > b.blueprint.uri ? 1 : 0));
}

interface Dependency {
  by: { uri: string; path: string };
  via: DependentInstance['via'];
  at: SourceRange;
  unsure: boolean;
}

function metaDependency(
  bp: ParsedBlueprint,
  healthy: readonly ParsedBlueprint[],
  broken: readonly BrokenFile[],
  blocked: ReadonlyMap<ParsedBlueprint, DependentInstance>,
): Dependency | undefined {
  for (const e of bp.entries) {
    if (typeof e.model !== 'string' || e.model.toLowerCase() !== META_APPLY) continue;
    const at = bp.pointers.get(`${e.pointer}/attrs/identifiers`) ?? e.range;
    const ids = literal(e.attrs.identifiers ?? null);
    if (ids === undefined) return { by: broken[0]!, via: 'metaapplyblueprint', at, unsure: true };
    if (ids === null || typeof ids !== 'object' || Array.isArray(ids)) continue;
    const b = broken.find((f) => matchesInstance(f.blueprint ?? { path: f.path }, ids));
    if (b) return { by: b, via: 'metaapplyblueprint', at, unsure: false };
    const target = healthy.find((h) => h !== bp && matchesInstance(h, ids));
    if (target && blocked.has(target)) return { by: target, via: 'metaapplyblueprint', at, unsure: false };
    if (target) continue;
    // Named by metadata.name, the target may be a file whose name could not be read.
    const name = ids.name;
    const unread = typeof name === 'string' ? broken.find((f) => !f.blueprint && f.text.includes(name)) : undefined;
    if (unread) return { by: unread, via: 'metaapplyblueprint', at, unsure: true };
  }
  return undefined;
}

function findDependency(
  reg: Registry,
  bp: ParsedBlueprint,
  healthy: readonly ParsedBlueprint[],
  decls: ReadonlyMap<ParsedBlueprint, Declaration[]>,
  broken: readonly BrokenFile[],
  brokenDecls: ReadonlyMap<BrokenFile, Declaration[]>,
  isBlocked: (uri: string) => boolean,
): Dependency | undefined {
  for (const e of bp.entries) {
    for (const part of [e.identifiers, e.attrs, e.conditions, e.model, e.state] as Value[]) {
      for (const tag of findTags(part)) {
        const q = queryOf(tag);
        if (!q || !findModel(reg, q.model)) continue;
        const vouched = healthy.some((h) => !isBlocked(h.uri) && decls.get(h)!.some((d) => answers(reg, d, q, true)));
        if (vouched) continue;
        const parsed = broken.find((b) => brokenDecls.get(b)?.some((d) => answers(reg, d, q, false)));
        if (parsed) return { by: parsed, via: '!Find', at: tag.range, unsure: false };
        const other = healthy.find((h) => h !== bp && isBlocked(h.uri) && decls.get(h)!.some((d) => answers(reg, d, q, false)));
        if (other) return { by: other, via: '!Find', at: tag.range, unsure: false };
        const unread = broken.find((b) => !b.blueprint && mentions(b.text, q));
        if (unread) return { by: unread, via: '!Find', at: tag.range, unsure: true };
      }
    }
  }
  return undefined;
}

/**
 * Library files (instantiate: false) some instance runs through metaapplyblueprint, transitively:
 * only those are validated and can block anything; the others are never applied. A
 * metaapplyblueprint whose identifiers a tag computes may run any of them.
 */
export function neededLibrary(instances: readonly ParsedBlueprint[], library: readonly ParsedBlueprint[]): ParsedBlueprint[] {
  const needed = new Set<ParsedBlueprint>();
  const queue = [...instances];
  while (queue.length > 0) {
    const bp = queue.pop()!;
    for (const e of bp.entries) {
      if (typeof e.model !== 'string' || e.model.toLowerCase() !== META_APPLY) continue;
      const ids = literal(e.attrs.identifiers ?? null);
      const computed = ids === undefined || ids === null || typeof ids !== 'object' || Array.isArray(ids);
      for (const lib of library) {
        if (needed.has(lib) || !(computed || matchesInstance(lib, ids as { [k: string]: Literal }))) continue;
        needed.add(lib);
        queue.push(lib);
      }
    }
  }
  return library.filter((l) => needed.has(l));
}
