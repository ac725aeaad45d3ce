// What a rule sees: one blueprint, the registry it is checked against, per-entry facts computed
// once (model resolved, state), every tag with where it stands, and a `report` that turns a
// message id into a located diagnostic.
import type { CodeDef } from '../diag/index.js';
import { LineIndex, diag } from '../diag/index.js';
import type { Diagnostic, EnumerateTag, RelatedLocation, Severity, ParsedBlueprint, ParsedEntry, SourceRange, TagNode, Value } from '../model/types.js';
import type { ModelInfo, Registry } from '../authentik/registry.js';
import { findModel } from '../authentik/registry.js';
import { pointerOf } from '../values/index.js';

interface RuleMessage {
  code: CodeDef;
  /** Summary template; `{{name}}` is replaced from the report's data. */
  summary: string;
  /** What was expected / how to fix it; same placeholders. */
  detail?: string;
}

export interface Rule {
  id: string;
  meta: { messages: { [messageId: string]: RuleMessage } };
  check(ctx: RuleContext): void;
}

export interface EntryInfo {
  entry: ParsedEntry;
  /** Diagnostic entry key, as compile names entries. */
  key: string;
  /** The model string when it is plain (not a tag). */
  modelName?: string;
  /** Registry model when known. */
  model?: ModelInfo;
  /** The state string when it is plain; `present` when absent. */
  state?: string;
}

export interface TagUse {
  tag: TagNode;
  /** The entry whose values hold the tag; undefined for tags in `context`. */
  entry?: EntryInfo;
  /** `!Enumerate` tags whose context stack is live here, innermost last. */
  enumerateStack: EnumerateTag[];
  /** Set when the tag sits in the iterable of this `!Enumerate` (its own item is not there yet). */
  inIterableOf?: EnumerateTag;
}

export function isTag(v: unknown): v is TagNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { $tag?: unknown }).$tag === 'string' && 'range' in v;
}

export function isMapping(v: Value | undefined): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isTag(v);
}

/** JSON pointer of `base` extended by raw keys (escaped as RFC 6901 says). */
export function ptr(base: string, ...keys: (string | number)[]): string {
  return pointerOf(base, ...keys);
}

function fill(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(data[k] ?? `{{${k}}}`));
}

/** Values a tag carries, in source order, so walks reach nested tags. */
function tagChildren(t: TagNode): Value[] {
  switch (t.$tag) {
    case 'Env':
    case 'File':
      return [t.$tag === 'Env' ? t.name : t.path, t.default];
    case 'Context':
      return [t.key, t.default];
    case 'Format':
      return [t.format, ...t.args];
    case 'Find':
    case 'FindObject':
      return [t.model, ...t.query.flat()];
    case 'Condition':
      return [t.mode, ...t.args];
    case 'If':
      return [t.condition, t.then ?? null, t.else ?? null];
    case 'AtIndex':
      return [t.obj, t.key, t.default];
    default:
      return [];
  }
}

export class RuleContext {
  readonly entries: EntryInfo[];
  private tagUses?: TagUse[];

  constructor(
    readonly bp: ParsedBlueprint,
    readonly registry: Registry,
    private readonly out: Diagnostic[],
  ) {
    this.entries = bp.entries.map((entry) => {
      const info: EntryInfo = { entry, key: `${bp.uri}#${entry.id ?? entry.index}` };
      if (typeof entry.model === 'string') {
        info.modelName = entry.model;
        const m = findModel(registry, entry.model);
        if (m && m.kind !== 'base') info.model = m;
      }
      if (typeof entry.state === 'string') info.state = entry.state;
      else if (entry.state === null || entry.state === undefined) info.state = 'present';
      return info;
    });
  }

  private lines?: LineIndex;
  private byId?: Map<string, EntryInfo>;

  /** The first entry with each id (later duplicates are reported by duplicate-id). */
  firstById(): Map<string, EntryInfo> {
    if (this.byId) return this.byId;
    this.byId = new Map();
    for (const info of this.entries) {
      const id = info.entry.id;
      if (typeof id === 'string' && !this.byId.has(id)) this.byId.set(id, info);
    }
    return this.byId;
  }

  /** 1-based line of an offset in this blueprint, for messages that point at a second place. */
  line(offset: number): number {
    this.lines ??= new LineIndex(this.bp.text);
    return this.lines.lineCol(offset).line;
  }

  /** Source range of a JSON pointer (mapping keys: `<pointer>#key`), falling back to the entry. */
  range(pointer: string, fallback?: SourceRange): SourceRange | undefined {
    return this.bp.pointers.get(pointer) ?? fallback;
  }

  report(
    rule: Rule,
    messageId: string,
    data: Record<string, string | number>,
    where: { subject?: SourceRange; entry?: EntryInfo; severity?: Severity; related?: RelatedLocation[] },
  ): void {
    const msg = rule.meta.messages[messageId];
    if (!msg) throw new Error(`rule ${rule.id} has no message ${messageId}`);
    const extra: { detail?: string; subject?: SourceRange; entry?: string; severity?: Severity; related?: RelatedLocation[] } = {};
    if (where.severity) extra.severity = where.severity;
    if (where.related) extra.related = where.related;
    if (msg.detail) extra.detail = fill(msg.detail, data);
    const subject = where.subject ?? where.entry?.entry.range;
    if (subject) extra.subject = subject;
    if (where.entry) extra.entry = where.entry.key;
    this.out.push(diag(msg.code, fill(msg.summary, data), extra));
  }

  /** Every tag in the blueprint (context first, then entries in order), computed once. */
  tags(): TagUse[] {
    if (this.tagUses) return this.tagUses;
    const uses: TagUse[] = [];
    const walk = (v: Value, entry: EntryInfo | undefined, stack: EnumerateTag[], iterableOf?: EnumerateTag): void => {
      if (v === null || typeof v !== 'object') return;
      if (Array.isArray(v)) {
        for (const x of v) walk(x, entry, stack, iterableOf);
        return;
      }
      if (isTag(v)) {
        const use: TagUse = { tag: v, enumerateStack: stack };
        if (entry) use.entry = entry;
        if (iterableOf) use.inIterableOf = iterableOf;
        uses.push(use);
        if (v.$tag === 'Enumerate') {
          // authentik pushes the tag before resolving it, so its iterable already sees it on the stack.
          const inner = [...stack, v];
          walk(v.iterable, entry, inner, v);
          walk(v.output, entry, stack, iterableOf);
          walk(v.body, entry, inner);
        } else {
          for (const c of tagChildren(v)) walk(c, entry, stack, iterableOf);
        }
        return;
      }
      for (const k of Object.keys(v)) walk(v[k]!, entry, stack, iterableOf);
    };
    for (const k of Object.keys(this.bp.context)) walk(this.bp.context[k]!, undefined, []);
    for (const info of this.entries) {
      const e = info.entry;
      walk(e.model, info, []);
      walk(e.state, info, []);
      walk(e.identifiers, info, []);
      walk(e.attrs, info, []);
      walk(e.conditions, info, []);
      walk(e.permissions, info, []);
    }
    this.tagUses = uses;
    return uses;
  }
}
