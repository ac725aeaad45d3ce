// Evaluates authentik's YAML tags for one blueprint, the way the importer resolves them per
// entry: local tags become JSON, `!KeyOf`/`!Find`/`!FindObject` become Deferred references, and a
// local tag fed by a reference stays as a residual Deferred for resolveDeferred to finish.
import { findModel, type Registry } from '../authentik/registry.js';
import { diag, msg, type CodeDef } from '../diag/index.js';
import type {
  AtIndexTag,
  ConditionTag,
  ContextTag,
  Deferred,
  DesiredValue,
  Diagnostic,
  EnumerateTag,
  EnvTag,
  FileTag,
  FindTag,
  FormatTag,
  IfTag,
  IndexTag,
  Json,
  ParsedBlueprint,
  SourceRange,
  TagNode,
  Value,
} from '../model/types.js';
import { KNOWN_TAGS } from '../load/tags.js';
import { C } from './codes.js';
import { containsDeferred, isDeferred } from '../values/index.js';
import { alwaysMerge } from './merge.js';
import { atIndexOp, CONDITION_MODES, conditionOp, setOwn } from '../values/index.js';
import { envAllowed, isCredentialVar, placeFile, type FileReader } from './policy.js';
import { pyPercentFormat, pyTruthy } from '../values/index.js';

/**
 * What one compile run may produce. Authentik's tags can describe values exponentially larger
 * than their YAML (a context that references the previous one twice doubles per line), so
 * evaluation is metered: nodes are values built (every scalar, list and mapping, each time a
 * shared value is used again), output is the characters of strings and keys among them. The
 * defaults leave room for authentik's whole corpus and files of 50,000 entries.
 */
export interface EvalLimits {
  maxNodes: number;
  /** Longest single string a tag may build (`!Format`, `!File`, `!Env`). */
  maxStringLength: number;
  maxOutput: number;
  /** Tags evaluated inside one another (a context reading a context…), bounded before the stack is. */
  maxDepth: number;
}

export const DEFAULT_EVAL_LIMITS: Readonly<EvalLimits> = {
  maxNodes: 5_000_000,
  maxStringLength: 8 * 1024 * 1024,
  maxOutput: 64 * 1024 * 1024,
  maxDepth: 1000,
};

/** Thrown through the compiler when a limit is hit: the run stops, one diagnostic says where. */
export class EvalLimitExceeded extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.summary);
  }
}

interface Budget {
  limits: EvalLimits;
  nodes: number;
  output: number;
}

interface Cost {
  nodes: number;
  output: number;
}

interface Memo {
  value: DesiredValue;
  refs: Ref[];
  cost: Cost;
}

/** Inputs shared by every blueprint of one compile run. */
export interface EvalRun {
  registry: Registry;
  env: { [name: string]: string | undefined };
  envAllow: readonly string[];
  readFile: FileReader | undefined;
  fileRoots: readonly string[];
  diagnostics: Diagnostic[];
  limits?: Partial<EvalLimits>;
  /** Shared by every blueprint of the run; created on first use. */
  budget?: Budget;
}

/** A reference found while evaluating an entry: what the dependency graph is built from. */
export type Ref = { kind: 'keyOf'; id: string; range: SourceRange } | { kind: 'find'; model: string; query: [string, DesiredValue][]; range: SourceRange };

interface Frame {
  /** False while the tag's own iterable is evaluated: `!Index 0` there has no item yet. */
  active: boolean;
  key: Json;
  value: DesiredValue;
}

/** authentik's tags, as load declares them to the parser: one list. */
const TAG_NAMES: ReadonlySet<string> = new Set<string>(KNOWN_TAGS);

export function isTag(v: unknown): v is TagNode {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && TAG_NAMES.has((v as { $tag?: unknown }).$tag as string) && 'range' in v;
}

export class BlueprintEvaluator {
  /** Key of the entry being evaluated; diagnostics carry it. */
  entryKey: string | undefined;
  /** True while evaluating a policy-binding entry: `!KeyOf` then yields the pbm uuid. */
  pbm = false;
  refs: Ref[] = [];
  private readonly stack: Frame[] = [];
  private readonly activeContext = new Set<string>();
  /** Ranges of the tags being evaluated, innermost last: a limit error points at the last. */
  private readonly tagRanges: SourceRange[] = [];
  private readonly budget: Budget;
  /** Context values already evaluated, by key and policy-binding mode. */
  private readonly memo = new Map<string, Memo>();
  /** Counts `!Index`/`!Value` reads: a context value that reads one depends on where it is used. */
  private indexReads = 0;
  private readonly sizes = new WeakMap<object, Cost>();

  constructor(
    private readonly run: EvalRun,
    readonly bp: ParsedBlueprint,
    private readonly context: { [key: string]: Value },
  ) {
    run.budget ??= { limits: { ...DEFAULT_EVAL_LIMITS, ...run.limits }, nodes: 0, output: 0 };
    this.budget = run.budget;
  }

  /** Starts a new entry: references and the enumerate stack are per entry. */
  beginEntry(key: string, pbm: boolean): void {
    this.entryKey = key;
    this.pbm = pbm;
    this.refs = [];
  }

  report(def: CodeDef, summary: string, subject: SourceRange | undefined, detail?: string): void {
    const extra: { detail?: string; subject?: SourceRange; entry?: string } = {};
    if (detail !== undefined) extra.detail = detail;
    if (subject !== undefined) extra.subject = subject;
    if (this.entryKey !== undefined) extra.entry = this.entryKey;
    this.run.diagnostics.push(diag(def, summary, extra));
  }

  eval(v: Value | DesiredValue): DesiredValue {
    if (v === null || typeof v !== 'object') {
      this.charge(1, typeof v === 'string' ? v.length : 0);
      return v;
    }
    if (Array.isArray(v)) {
      this.charge(1, 0);
      return v.map((x) => this.eval(x));
    }
    if (isTag(v)) {
      this.tagRanges.push(v.range);
      if (this.tagRanges.length > this.budget.limits.maxDepth) this.overLimit('maxDepth', this.budget.limits.maxDepth, 'tags inside one another');
      try {
        return this.tag(v);
      } finally {
        this.tagRanges.pop();
      }
    }
    if (isDeferred(v)) return v;
    this.charge(1, 0);
    const out: { [k: string]: DesiredValue } = {};
    for (const [k, x] of Object.entries(v)) {
      this.charge(0, k.length);
      setOwn(out, k, this.eval(x as Value));
    }
    return out;
  }

  private charge(nodes: number, output: number): void {
    const b = this.budget;
    b.nodes += nodes;
    b.output += output;
    if (b.nodes > b.limits.maxNodes) this.overLimit('maxNodes', b.limits.maxNodes, 'values built');
    if (b.output > b.limits.maxOutput) this.overLimit('maxOutput', b.limits.maxOutput, 'characters of output');
  }

  private checkString(s: string): string {
    const max = this.budget.limits.maxStringLength;
    if (s.length > max) this.overLimit('maxStringLength', max, 'characters in one string');
    this.charge(1, s.length);
    return s;
  }

  private overLimit(name: keyof EvalLimits, value: number, unit: string): never {
    const subject = this.tagRanges[this.tagRanges.length - 1] ?? { uri: this.bp.uri, start: 0, end: 0 };
    const extra: { detail: string; subject: SourceRange; entry?: string } = {
      subject,
      detail: msg(C.evalLimit, 'overLimitDetail', { name }),
    };
    if (this.entryKey !== undefined) extra.entry = this.entryKey;
    throw new EvalLimitExceeded(diag(C.evalLimit, msg(C.evalLimit, 'overLimit', { name, value, unit }), extra));
  }

  /** What using a value once more costs: its nodes and characters, cached per object. */
  private sizeOf(v: DesiredValue): Cost {
    if (v === null || typeof v !== 'object') return { nodes: 1, output: typeof v === 'string' ? v.length : 0 };
    const known = this.sizes.get(v);
    if (known) return known;
    const c: Cost = { nodes: 1, output: 0 };
    if (Array.isArray(v)) {
      for (const x of v) {
        const s = this.sizeOf(x);
        c.nodes += s.nodes;
        c.output += s.output;
      }
    } else {
      for (const [k, x] of Object.entries(v)) {
        const s = this.sizeOf(x as DesiredValue);
        c.nodes += s.nodes;
        c.output += s.output + k.length;
      }
    }
    this.sizes.set(v, c);
    return c;
  }

  // Tags and tag forms the target lacks are validate's warnings (AKB2016), not repeated here.
  private tag(t: TagNode): DesiredValue {
    switch (t.$tag) {
      case 'KeyOf':
        this.charge(1, t.id.length);
        this.refs.push({ kind: 'keyOf', id: t.id, range: t.range });
        return { $keyOf: t.id, pbm: this.pbm };
      case 'Env':
        return this.env(t);
      case 'File':
        return this.file(t);
      case 'Context':
        return this.contextTag(t);
      case 'Format':
        return this.format(t);
      case 'Find':
      case 'FindObject':
        return this.find(t);
      case 'Condition':
        return this.condition(t);
      case 'If':
        return this.if(t);
      case 'Enumerate':
        return this.enumerate(t);
      case 'Index':
      case 'Value':
        return this.index(t);
      case 'AtIndex':
        return this.atIndex(t);
      case 'ParseJSON':
        try {
          const parsed = JSON.parse(t.text) as Json;
          const size = this.sizeOf(parsed);
          this.charge(size.nodes, size.output);
          return parsed;
        } catch (e) {
          if (e instanceof EvalLimitExceeded) throw e;
          // No parser message: V8 quotes the text, which may be a secret.
          this.report(C.parseJson, msg(C.parseJson, 'notJson', {}), t.range, msg(C.parseJson, 'notJsonDetail', {}));
          return null;
        }
    }
  }

  /** Evaluates an argument that must be a string known now (a variable name, a path, a mode). */
  private stringArg(tag: TagNode, what: string, v: Value): string | undefined {
    const x = this.eval(v);
    if (typeof x === 'string') return x;
    if (typeof x === 'number' || typeof x === 'boolean') return String(x);
    if (containsDeferred(x))
      this.report(C.needsServer, msg(C.needsServer, 'argument', { tag: tag.$tag, what }), tag.range, msg(C.needsServer, 'argumentDetail', { what }));
    else this.report(C.tagArgument, msg(C.tagArgument, 'notString', { tag: tag.$tag, what }), tag.range, msg(C.tagArgument, 'notStringDetail', { what }));
    return undefined;
  }

  private env(t: EnvTag): DesiredValue {
    const name = this.stringArg(t, 'variable name', t.name);
    if (name === undefined) return null;
    if (isCredentialVar(name)) {
      this.report(C.envCredential, msg(C.envCredential, 'refused', { name }), t.range, msg(C.envCredential, 'refusedDetail', {}));
      return null;
    }
    if (!this.bp.origin.local && !envAllowed(name, this.run.envAllow)) {
      this.report(
        C.envNotAllowed,
        msg(C.envNotAllowed, 'refused', { name, kind: this.bp.origin.kind, uri: this.bp.origin.uri }),
        t.range,
        msg(C.envNotAllowed, 'refusedDetail', { name }),
      );
      return null;
    }
    const value = this.run.env[name];
    if (value !== undefined && value !== '') return this.checkString(value);
    return this.eval(t.default);
  }

  private file(t: FileTag): DesiredValue {
    const path = this.stringArg(t, 'path', t.path);
    if (path === undefined) return null;
    const placed = placeFile(path, this.bp.origin.root, this.run.fileRoots);
    if (!placed.ok) {
      this.report(
        C.fileOutsideRoot,
        msg(C.fileOutsideRoot, 'outside', { path }),
        t.range,
        placed.roots.length > 0 ? msg(C.fileOutsideRoot, 'outsideDetail', { roots: placed.roots.join(', ') }) : msg(C.fileOutsideRoot, 'noRootDetail', {}),
      );
      return null;
    }
    const text = this.run.readFile?.(placed.abs, placed.roots);
    if (typeof text === 'object') {
      if (text.refused === 'outside')
        this.report(
          C.fileOutsideRoot,
          msg(C.fileOutsideRoot, 'refused', { path, reason: text.reason }),
          t.range,
          msg(C.fileOutsideRoot, 'symlinkDetail', { roots: placed.roots.join(', ') }),
        );
      else this.report(C.fileRefused, msg(C.fileRefused, 'refused', { path, reason: text.reason }), t.range, msg(C.fileRefused, 'refusedDetail', {}));
      return null;
    }
    if (text === undefined) {
      this.report(C.fileUnreadable, msg(C.fileUnreadable, 'unreadable', { path }), t.range);
      return this.eval(t.default);
    }
    return this.checkString(text.trim());
  }

  private contextTag(t: ContextTag): DesiredValue {
    const key = this.stringArg(t, 'key', t.key);
    if (key === undefined) return null;
    if (Object.prototype.hasOwnProperty.call(this.context, key)) return this.contextValue(key, this.context[key]!, t);
    if (key.includes('.')) {
      if (this.run.registry.dottedContext) return this.dotted(key, t);
      const head = key.slice(0, key.indexOf('.'));
      // A dotted key written out is validate's warning (AKB2016); one a tag computes is news here.
      if (isTag(t.key) && Object.prototype.hasOwnProperty.call(this.context, head)) {
        this.report(
          C.dottedContextUnsupported,
          msg(C.dottedContextUnsupported, 'literalKey', { key, version: this.run.registry.version }),
          t.range,
          msg(C.dottedContextUnsupported, 'literalKeyDetail', { head }),
        );
      }
    }
    return this.eval(t.default);
  }

  /**
   * A context value is evaluated once per key (and policy-binding mode, which changes what
   * !KeyOf yields) and copied at each use, so referring to it N times costs N copies, never N
   * evaluations; its !KeyOf/!Find references are recorded again for every entry using it.
   */
  private contextValue(key: string, v: Value | DesiredValue, t: TagNode): DesiredValue {
    if (this.activeContext.has(key)) {
      this.report(
        C.contextCycle,
        msg(C.contextCycle, 'refersBack', { key }),
        t.range,
        msg(C.contextCycle, 'refersBackDetail', { chain: [...this.activeContext].join(' → '), key }),
      );
      return null;
    }
    const memoKey = `${this.pbm ? 'pbm' : 'obj'}\0${key}`;
    const hit = this.memo.get(memoKey);
    if (hit) {
      this.charge(hit.cost.nodes, hit.cost.output);
      // Each reference once per entry: a value used 2^n times must not record 2^n references.
      for (const r of hit.refs) if (!this.refs.includes(r)) this.refs.push(r);
      return cloneValue(hit.value);
    }
    const before = { nodes: this.budget.nodes, output: this.budget.output, refs: this.refs.length, index: this.indexReads };
    this.activeContext.add(key);
    let value: DesiredValue;
    try {
      value = this.eval(v);
    } finally {
      this.activeContext.delete(key);
    }
    if (this.indexReads === before.index) {
      const cost = { nodes: this.budget.nodes - before.nodes, output: this.budget.output - before.output };
      this.memo.set(memoKey, { value: cloneValue(value), refs: [...new Set(this.refs.slice(before.refs))], cost });
    }
    return value;
  }

  /** authentik ≥2026.5: `a.b.0` walks mappings and list indices; tags met on the way are resolved. */
  private dotted(key: string, t: ContextTag): DesiredValue {
    const parts = key.split('.');
    let cur: Value | DesiredValue = this.context as Value;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (isTag(cur)) cur = this.contextValue(parts.slice(0, i).join('.'), cur, t);
      if (isDeferred(cur)) {
        let out: DesiredValue = cur;
        const dflt = this.eval(t.default);
        for (const p of parts.slice(i)) out = { $atIndex: { obj: out, key: /^-?\d+$/.test(p) ? Number(p) : p, hasDefault: true, default: dflt } };
        return out;
      }
      if (Array.isArray(cur)) {
        if (!/^-?\d+$/.test(part)) return this.eval(t.default);
        const n: number = Number(part);
        const idx: number = n < 0 ? cur.length + n : n;
        if (idx < 0 || idx >= cur.length) return this.eval(t.default);
        cur = cur[idx]!;
      } else if (cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, part)) {
        cur = (cur as { [k: string]: Value })[part]!;
      } else return this.eval(t.default);
    }
    return this.contextValue(key, cur, t);
  }

  private format(t: FormatTag): DesiredValue {
    const fmt = this.stringArg(t, 'format string', t.format);
    if (fmt === undefined) return null;
    const args = t.args.map((a) => this.eval(a));
    if (args.some(containsDeferred)) {
      // Check the arity now: it does not depend on the values still missing.
      const probe = pyPercentFormat(
        fmt,
        args.map(() => ''),
        { maxLength: this.budget.limits.maxStringLength },
      );
      if (!probe.ok && probe.tooLong) this.overLimit('maxStringLength', this.budget.limits.maxStringLength, `characters in one string (${probe.error})`);
      if (!probe.ok && /arguments/.test(probe.error)) {
        this.report(C.formatError, msg(C.formatError, 'failed', { why: probe.error }), t.range, formatDetail(fmt, args.length));
        return null;
      }
      return { $format: { format: fmt, args } };
    }
    const max = this.budget.limits.maxStringLength;
    const res = pyPercentFormat(fmt, args as Json[], { maxLength: max });
    if (!res.ok) {
      if (res.tooLong) this.overLimit('maxStringLength', max, `characters in one string (${res.error})`);
      this.report(C.formatError, msg(C.formatError, 'failed', { why: res.error }), t.range, formatDetail(fmt, args.length));
      return null;
    }
    return this.checkString(res.value);
  }

  private find(t: FindTag): DesiredValue {
    const modelName = this.stringArg(t, 'model', t.model);
    if (modelName === undefined) return null;
    const info = findModel(this.run.registry, modelName);
    if (!info) {
      this.report(
        C.findUnknownModel,
        msg(C.findUnknownModel, 'unknown', { tag: t.$tag, model: modelName, version: this.run.registry.version }),
        t.range,
        msg(C.findUnknownModel, 'unknownDetail', {}),
      );
      return null;
    }
    const query: [string, DesiredValue][] = [];
    for (const [f, v] of t.query) {
      const field = this.stringArg(t, 'query field', f);
      if (field === undefined) return null;
      query.push([field, this.eval(v)]);
    }
    this.refs.push({ kind: 'find', model: info.model, query, range: t.range });
    const q = { model: info.model, query };
    return t.$tag === 'Find' ? { $find: q } : { $findObject: q };
  }

  private condition(t: ConditionTag): DesiredValue {
    const mode = this.stringArg(t, 'mode', t.mode);
    if (mode === undefined) return null;
    const args = t.args.map((a) => this.eval(a));
    const m = mode.toUpperCase();
    if (!(CONDITION_MODES as readonly string[]).includes(m) || args.length === 0) {
      const res = conditionOp(mode, []);
      this.report(
        C.condition,
        res.ok ? msg(C.condition, 'invalid', {}) : msg(C.condition, 'failed', { why: res.error }),
        t.range,
        msg(C.condition, 'modesDetail', { modes: CONDITION_MODES.join(', ') }),
      );
      return null;
    }
    const pending = args.filter(containsDeferred);
    if (pending.length === 0) {
      const res = conditionOp(mode, args as Json[]);
      return res.ok ? res.value : null;
    }
    // A known argument can decide AND/OR families without the server.
    const known = args.filter((a) => !containsDeferred(a)).map((a) => pyTruthy(a as Json));
    if ((m === 'AND' || m === 'NAND') && known.includes(false)) return m === 'NAND';
    if ((m === 'OR' || m === 'NOR') && known.includes(true)) return m === 'OR';
    return { $condition: { mode: m, args } };
  }

  private if(t: IfTag): DesiredValue {
    const short = t.then === undefined;
    const cond = this.eval(t.condition);
    if (containsDeferred(cond)) {
      if (short) return { $if: { condition: cond, then: null, else: null, short: true } };
      return { $if: { condition: cond, then: this.eval(t.then ?? null), else: this.eval(t.else ?? null), short: false } };
    }
    const truth = pyTruthy(cond as Json);
    if (short) return truth;
    return this.eval((truth ? t.then : t.else) ?? null);
  }

  private enumerate(t: EnumerateTag): DesiredValue {
    if (isTag(t.iterable) && (t.iterable.$tag === 'Index' || t.iterable.$tag === 'Value') && t.iterable.depth === 0) {
      this.report(C.indexOutside, msg(C.indexOutside, 'ownItem', { tag: t.iterable.$tag }), t.iterable.range, msg(C.indexOutside, 'ownItemDetail', {}));
      return null;
    }
    this.stack.push({ active: false, key: null, value: null });
    let iterable: DesiredValue;
    try {
      iterable = this.eval(t.iterable);
    } finally {
      this.stack.pop();
    }
    const mode = this.stringArg(t, 'output', t.output);
    if (mode === undefined) return null;
    const out = mode.toUpperCase();
    if (out !== 'SEQ' && out !== 'MAP') {
      this.report(
        C.enumerateOutput,
        msg(C.enumerateOutput, 'badOutput', { mode: JSON.stringify(mode) }),
        t.range,
        msg(C.enumerateOutput, 'badOutputDetail', {}),
      );
      return null;
    }
    if (containsDeferred(iterable)) {
      this.report(C.needsServer, msg(C.needsServer, 'iterable', {}), t.range, msg(C.needsServer, 'iterableDetail', {}));
      return null;
    }
    let items: [Json, DesiredValue][];
    // Iterating builds one body per item: an item costs at least a node, counted up front.
    this.charge(
      typeof iterable === 'string'
        ? iterable.length
        : Array.isArray(iterable)
          ? iterable.length
          : iterable !== null && typeof iterable === 'object'
            ? Object.keys(iterable).length
            : 0,
      0,
    );
    if (typeof iterable === 'string') items = [...iterable].map((c, i) => [i, c]);
    else if (Array.isArray(iterable)) items = iterable.map((x, i) => [i, x]);
    else if (iterable !== null && typeof iterable === 'object') items = Object.entries(iterable);
    else {
      this.report(
        C.notIterable,
        iterable === null ? msg(C.notIterable, 'cannotIterateNull', {}) : msg(C.notIterable, 'cannotIterate', { type: typeof iterable }),
        t.range,
        msg(C.notIterable, 'cannotIterateDetail', {}),
      );
      return null;
    }
    const seq: DesiredValue[] = [];
    const map: { [k: string]: DesiredValue } = {};
    for (const [key, value] of items) {
      this.stack.push({ active: true, key, value });
      let body: DesiredValue;
      try {
        body = this.eval(t.body);
      } finally {
        this.stack.pop();
      }
      if (out === 'SEQ') {
        seq.push(body);
        continue;
      }
      if (Array.isArray(body) && body.length === 2) {
        const k = body[0]!;
        if (k !== null && typeof k === 'object') {
          this.report(
            C.enumerateOutput,
            msg(C.enumerateOutput, 'mapKey', {}),
            t.range,
            containsDeferred(k) ? msg(C.enumerateOutput, 'mapKeyServerDetail', {}) : msg(C.enumerateOutput, 'mapKeyDetail', {}),
          );
          return null;
        }
        this.mergeInto(map, typeof k === 'string' ? k : JSON.stringify(k), body[1]!);
      } else if (body !== null && typeof body === 'object' && !Array.isArray(body) && !isDeferred(body)) {
        for (const [k, v] of Object.entries(body)) this.mergeInto(map, k, v as DesiredValue);
      } else {
        this.report(C.enumerateOutput, msg(C.enumerateOutput, 'mapBody', {}), t.range, msg(C.enumerateOutput, 'mapBodyDetail', {}));
        return null;
      }
    }
    return out === 'SEQ' ? seq : map;
  }

  /**
   * One key of the always-merge into a mapping this evaluator owns: in place, so a MAP of n items
   * is linear; a merge into an existing value copies it, and that copy is charged.
   */
  private mergeInto(map: { [k: string]: DesiredValue }, key: string, value: DesiredValue): void {
    if (!Object.prototype.hasOwnProperty.call(map, key)) {
      setOwn(map, key, value);
      return;
    }
    const size = this.sizeOf(map[key]!);
    this.charge(size.nodes, size.output);
    setOwn(map, key, alwaysMerge(map[key]!, value));
  }

  private index(t: IndexTag): DesiredValue {
    this.indexReads++;
    const frame = this.stack[this.stack.length - 1 - t.depth];
    if (!frame || !frame.active) {
      this.report(
        C.indexOutside,
        msg(C.indexOutside, 'noItem', { tag: t.$tag, depth: t.depth }),
        t.range,
        this.stack.length === 0
          ? msg(C.indexOutside, 'notInsideDetail', {})
          : msg(C.indexOutside, 'fewItemsDetail', { count: this.stack.filter((f) => f.active).length }),
      );
      return null;
    }
    const v = t.$tag === 'Index' ? frame.key : frame.value;
    const size = this.sizeOf(v);
    this.charge(size.nodes, size.output);
    return v;
  }

  private atIndex(t: AtIndexTag): DesiredValue {
    const obj = this.eval(t.obj);
    const key = this.eval(t.key);
    const dflt = t.hasDefault ? this.eval(t.default) : null;
    if (containsDeferred(obj) || containsDeferred(key)) {
      return { $atIndex: { obj, key, hasDefault: t.hasDefault, default: dflt } } satisfies Deferred;
    }
    const res = atIndexOp(obj as Json, key as Json, t.hasDefault, dflt as Json);
    if (!res.ok) {
      this.report(C.atIndex, res.error, t.range, msg(C.atIndex, 'lookupDetail', {}));
      return null;
    }
    return res.value;
  }
}

/** A deep copy, so no two entries share (and could change) one evaluated value. */
function cloneValue(v: DesiredValue): DesiredValue {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneValue);
  const out: { [k: string]: DesiredValue } = {};
  for (const [k, x] of Object.entries(v)) setOwn(out, k, cloneValue(x as DesiredValue));
  return out;
}

function formatDetail(fmt: string, n: number): string {
  return msg(C.formatError, 'argumentsDetail', { format: JSON.stringify(fmt), count: n });
}
