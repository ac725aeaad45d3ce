// YAML node tree → Value, the way PyYAML's SafeLoader constructs it (with authentik's tags as
// TagNodes), recording every node's source range under its JSON pointer in the same walk.
import { isAlias, isMap, isScalar, isSeq, type Alias, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import type { SourceRange, TagName, Value } from '../model/types.js';
import { C } from './codes.js';
import { ALIAS_NODE_BUDGET, report, seg, tagStart, type LoadContext } from './context.js';
import { constructTagged, resolvePlain, type Resolved } from './scalars.js';
import { buildTag, isKnownTag, KNOWN_TAGS_TEXT, unknownTagDetail } from './tags.js';
import { msg } from '../diag/index.js';

const CORE = 'tag:yaml.org,2002:';
export const JSON_TAG_KEY = 'goauthentik.io/yaml-key';
const JSON_ARGS_KEY = 'args';

type Maybe = Node | null | undefined;

/**
 * Builds the value of `node` at `ptr`. `at` is where an absent node (`key:` with nothing after
 * it) is reported to be.
 */
export function construct(ctx: LoadContext, node: Maybe, ptr: string, at: number): Value {
  if (node === null || node === undefined) {
    ctx.pointers.put(ptr, at, at);
    return null;
  }
  if (isAlias(node)) return constructAlias(ctx, node, ptr);
  const anchor = (node as { anchor?: string }).anchor;
  if (anchor !== undefined && ctx.aliasDepth === 0) ctx.anchors.set(anchor, node);
  if (anchor !== undefined) ctx.building.add(node);
  try {
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && tag !== '!' && !tag.startsWith(CORE)) return constructLocalTag(ctx, node, tag, ptr);
    if (isScalar(node)) return constructScalar(ctx, node, tag, ptr);
    if (isMap(node)) return constructMap(ctx, node, tag, ptr);
    if (isSeq(node)) return constructSeq(ctx, node, tag, ptr);
    throw new Error(`load: unexpected YAML node ${String((node as object).constructor?.name)}`);
  } finally {
    if (anchor !== undefined) ctx.building.delete(node);
  }
}

function nodeRange(node: Node, at: number): [number, number] {
  const r = (node as { range?: [number, number, number] | null }).range;
  return r ? [r[0], r[1]] : [at, at];
}

function constructAlias(ctx: LoadContext, node: Alias, ptr: string): Value {
  const [s, e] = nodeRange(node, 0);
  const target = ctx.anchors.get(node.source);
  let value: Value = null;
  if (target === undefined) {
    report(
      ctx,
      C.undefinedAlias,
      msg(C.undefinedAlias, 'aliasRefersAnchor', { source: node.source }),
      msg(C.undefinedAlias, 'aliasRefersAnchorDetail', { source: node.source }),
      s,
      e,
    );
  } else if (ctx.building.has(target)) {
    report(ctx, C.aliasExpansion, msg(C.aliasExpansion, 'aliasUsedInside', { source: node.source }), msg(C.aliasExpansion, 'aliasUsedInsideDetail', {}), s, e);
  } else if (admitAlias(ctx, target, s, e)) {
    ctx.aliasDepth++;
    value = construct(ctx, target, ptr, s);
    ctx.aliasDepth--;
  }
  // The alias site is what a reader of this part of the file looks at; nested pointers keep the
  // anchor's ranges.
  ctx.pointers.put(ptr, s, e);
  return value;
}

/**
 * Aliases are expanded into copies, so a few nested ones can describe billions of nodes. The
 * expanded size is computed (memoised per node) before copying; outer aliases already count the
 * ones nested in their target.
 */
function admitAlias(ctx: LoadContext, target: Node, s: number, e: number): boolean {
  if (ctx.aliasDepth > 0) return !ctx.aliasBudgetExceeded;
  ctx.aliasNodes += expandedSize(ctx, target);
  if (ctx.aliasNodes <= ALIAS_NODE_BUDGET) return true;
  if (!ctx.aliasBudgetExceeded) {
    ctx.aliasBudgetExceeded = true;
    report(
      ctx,
      C.aliasExpansion,
      msg(C.aliasExpansion, 'aliasesExpandMore', { ALIAS_NODE_BUDGET }),
      msg(C.aliasExpansion, 'aliasesExpandMoreDetail', {}),
      s,
      e,
    );
  }
  return false;
}

function expandedSize(ctx: LoadContext, node: Maybe): number {
  if (node === null || node === undefined || isScalar(node)) return 1;
  const known = ctx.sizes.get(node);
  if (known !== undefined) return known;
  let n = 1;
  if (isAlias(node)) {
    const t = ctx.anchors.get(node.source);
    // Guard against recursive anchors while sizing; construct reports them.
    ctx.sizes.set(node, 1);
    n = t === undefined ? 1 : expandedSize(ctx, t);
  } else if (isMap(node)) {
    for (const p of node.items) n += expandedSize(ctx, p.key as Maybe) + expandedSize(ctx, p.value as Maybe);
  } else if (isSeq(node)) {
    for (const item of node.items) n += expandedSize(ctx, item as Maybe);
  }
  ctx.sizes.set(node, n);
  return n;
}

function resolveAliasNode(ctx: LoadContext, node: Maybe): Maybe {
  if (node && isAlias(node)) {
    const t = ctx.anchors.get(node.source);
    if (t === undefined) {
      const [s, e] = nodeRange(node, 0);
      report(
        ctx,
        C.undefinedAlias,
        msg(C.undefinedAlias, 'aliasRefersAnchor', { source: node.source }),
        msg(C.undefinedAlias, 'aliasRefersAnchorDetail', { source: node.source }),
        s,
        e,
      );
    }
    return t;
  }
  return node;
}

function constructLocalTag(ctx: LoadContext, node: Node, tag: string, ptr: string): Value {
  const [vs, e] = nodeRange(node, 0);
  const s = tagStart(ctx, vs, tag);
  ctx.pointers.put(ptr, s, e);
  const name = tag.slice(1);
  if (!isKnownTag(name)) {
    report(ctx, C.unknownTag, msg(C.unknownTag, 'unknownTag2', { tag }), unknownTagDetail(tag), s, Math.min(e, s + tag.length));
    return null;
  }
  return buildTag(ctx, name, node, ptr, s, e, construct);
}

function constructScalar(ctx: LoadContext, node: Scalar, tag: string | undefined, ptr: string): Value {
  const [s, e] = nodeRange(node, 0);
  ctx.pointers.put(ptr, s, e);
  const text = scalarText(node);
  if (tag === undefined) {
    if (node.type !== 'PLAIN') return text;
    const r = resolvePlain(text);
    if (r.kind === 'float') ctx.floats.add(ptr);
    return fromResolved(ctx, r, s, e);
  }
  if (tag === '!') return text;
  const core = tag.slice(CORE.length);
  switch (core) {
    case 'str':
    case 'int':
    case 'float':
    case 'bool':
    case 'null':
    case 'timestamp':
      if (core === 'float') ctx.floats.add(ptr);
      return fromResolved(ctx, constructTagged(core, text), tagStart(ctx, s, '!!'), e);
    default:
      return badCoreTag(ctx, core, 'scalar', tagStart(ctx, s, '!!' + core), e);
  }
}

function scalarText(node: Scalar): string {
  const v = node.value;
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}

function fromResolved(ctx: LoadContext, r: Resolved, s: number, e: number): Value {
  if (!r.ok) {
    report(ctx, C.badTypedScalar, r.message, msg(C.badTypedScalar, 'expectedValueYaml', { kind: r.kind }), s, e);
    return null;
  }
  if (r.kind === 'merge' || r.kind === 'value') {
    const t = r.value as string;
    report(ctx, C.badTypedScalar, msg(C.badTypedScalar, 'plainNotValue', { t }), msg(C.badTypedScalar, 'plainNotValueDetail', { t, kind: r.kind }), s, e);
    return null;
  }
  if (r.inexact) report(ctx, C.bigInteger, msg(C.bigInteger, 'thisIntegerLarger', {}), msg(C.bigInteger, 'thisIntegerLargerDetail', {}), s, e);
  return r.value;
}

function badCoreTag(ctx: LoadContext, core: string, shape: string, s: number, e: number): Value {
  const known = ['binary', 'set', 'omap', 'pairs', 'map', 'seq', 'str', 'int', 'float', 'bool', 'null', 'timestamp', 'merge', 'value'];
  if (known.includes(core)) {
    report(ctx, C.unsupportedType, msg(C.unsupportedType, 'cannotUsedOn', { core, shape }), msg(C.unsupportedType, 'cannotUsedOnDetail', { core }), s, e);
  } else {
    report(ctx, C.unknownTag, msg(C.unknownTag, 'unknownTag', { core }), msg(C.unknownTag, 'unknownTagDetail', { KNOWN_TAGS_TEXT }), s, e);
  }
  return null;
}

function constructSeq(ctx: LoadContext, node: YAMLSeq, tag: string | undefined, ptr: string): Value {
  const [s, e] = nodeRange(node, 0);
  ctx.pointers.put(ptr, s, e);
  if (tag !== undefined && tag !== '!' && tag !== CORE + 'seq') return badCoreTag(ctx, tag.slice(CORE.length), 'sequence', tagStart(ctx, s, '!!'), e);
  const items = node.items as Maybe[];
  const out: Value[] = new Array(items.length);
  const consume = ctx.consumed.has(node);
  let i = 0;
  const early = ctx.early?.list === node ? ctx.early : undefined;
  if (early) {
    // Built as the file was parsed; their diagnostics come here, where the walk would make them.
    for (; i < early.values.length; i++) out[i] = early.values[i]!;
    for (const d of early.diagnostics) ctx.diagnostics.push(d);
    ctx.early = undefined;
  }
  for (; i < items.length; i++) {
    out[i] = construct(ctx, items[i], `${ptr}/${i}`, s);
    if (consume) items[i] = null;
  }
  return out;
}

/**
 * Builds items `first…` of the streamed `entries` list while the rest of the file is still being
 * parsed, so their nodes can go at once. Only items without anchors and aliases: those are
 * resolved in document order, which the walk must keep. False when a chunk has one.
 */
export function constructEarly(ctx: LoadContext, nodes: readonly Node[], first: number, at: number): boolean {
  const early = (ctx.early ??= { values: [], diagnostics: [] });
  if (early.values.length !== first || nodes.some(referenced)) return false;
  const walk = ctx.diagnostics;
  ctx.diagnostics = early.diagnostics;
  try {
    for (let i = 0; i < nodes.length; i++) early.values.push(construct(ctx, nodes[i], `/entries/${first + i}`, at));
  } finally {
    ctx.diagnostics = walk;
  }
  return true;
}

function referenced(node: Maybe): boolean {
  if (node === null || node === undefined) return false;
  if (isAlias(node) || (node as { anchor?: string }).anchor !== undefined) return true;
  if (isMap(node)) return node.items.some((p) => referenced(p.key as Maybe) || referenced(p.value as Maybe));
  if (isSeq(node)) return (node.items as Maybe[]).some(referenced);
  return false;
}

interface OwnPair {
  key: string;
  value: Value;
  keyStart: number;
  keyEnd: number;
  valueRange: SourceRange | undefined;
}

function constructMap(ctx: LoadContext, node: YAMLMap, tag: string | undefined, ptr: string): Value {
  const [s, e] = nodeRange(node, 0);
  ctx.pointers.put(ptr, s, e);
  if (tag !== undefined && tag !== '!' && tag !== CORE + 'map') return badCoreTag(ctx, tag.slice(CORE.length), 'mapping', tagStart(ctx, s, '!!'), e);
  if (node.items.length > 0) {
    const t = jsonFormTag(ctx, node, ptr);
    if (t !== undefined) return t;
  }
  const own: OwnPair[] = [];
  let merged: [string, Value][] | undefined;
  const seen = new Set<string>();
  // Own values built before a later `<<` need their ranges remembered (rare, so only then).
  const pairsMayMerge = node.items.some((p) => isScalar(p.key) && p.key.value === '<<');
  for (const pair of node.items) {
    const k = pair.key as Maybe;
    if (k && isScalar(k) && k.tag === undefined && k.type === 'PLAIN' && k.value === '<<') {
      merged ??= [];
      collectMerge(ctx, pair.value as Maybe, ptr, merged, nodeRange(k, s));
      continue;
    }
    const key = mappingKey(ctx, k, ptr, s);
    if (key === undefined) continue;
    const childPtr = `${ptr}/${seg(key.key)}`;
    if (seen.has(key.key)) {
      report(
        ctx,
        C.duplicateKey,
        msg(C.duplicateKey, 'duplicateKeyThis', { key: key.key }),
        msg(C.duplicateKey, 'duplicateKeyThisDetail', {}),
        key.start,
        key.end,
      );
    } else seen.add(key.key);
    if (!key.isString) ctx.nonStringKeys.add(childPtr);
    ctx.pointers.putKey(childPtr, key.start, key.end);
    const value = construct(ctx, pair.value as Maybe, childPtr, key.end);
    own.push({ key: key.key, value, keyStart: key.start, keyEnd: key.end, valueRange: pairsMayMerge ? ctx.pointers.get(childPtr) : undefined });
  }
  const out: { [k: string]: Value } = {};
  if (merged) {
    for (const [k, v] of merged) assign(out, k, v);
    // Merged mappings were built under this pointer too; own keys win, so restore their ranges.
    ctx.pointers.put(ptr, s, e);
    for (const p of own) {
      const childPtr = `${ptr}/${seg(p.key)}`;
      ctx.pointers.putKey(childPtr, p.keyStart, p.keyEnd);
      if (p.valueRange) ctx.pointers.set(childPtr, p.valueRange);
    }
  }
  for (const p of own) assign(out, p.key, p.value);
  return out;
}

function assign(out: { [k: string]: Value }, k: string, v: Value): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/** PyYAML flatten_mapping: `<<: *a` or `<<: [*a, *b]` (earlier list items win, own keys win over all). */
function collectMerge(ctx: LoadContext, valueNode: Maybe, ptr: string, out: [string, Value][], keyRange: [number, number]): void {
  const fail = (what: string, s: number, e: number) =>
    report(ctx, C.badMerge, msg(C.badMerge, 'mergeKeyNeeds', { what }), msg(C.badMerge, 'mergeKeyNeedsDetail', {}), s, e);
  const target = resolveAliasNode(ctx, valueNode);
  if (target === undefined) return;
  if (target === null) return fail('nothing', keyRange[0], keyRange[1]);
  const one = (n: Node, via: Node): [string, Value][] | undefined => {
    if (!isMap(n)) {
      const [s, e] = nodeRange(via, 0);
      fail(isSeq(n) ? 'a sequence' : 'a scalar', s, e);
      return undefined;
    }
    const isAliased = via !== n;
    if (isAliased && !admitAlias(ctx, n, ...nodeRange(via, 0))) return undefined;
    if (isAliased) ctx.aliasDepth++;
    const v = construct(ctx, n, ptr, 0);
    if (isAliased) ctx.aliasDepth--;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : [];
  };
  if (isSeq(target)) {
    const parts: [string, Value][][] = [];
    for (const item of target.items as Maybe[]) {
      const n = resolveAliasNode(ctx, item);
      if (n === undefined || n === null) continue;
      const got = one(n, item as Node);
      if (got) parts.push(got);
    }
    for (let i = parts.length - 1; i >= 0; i--) out.push(...parts[i]!);
    return;
  }
  const got = one(target, valueNode as Node);
  if (got) out.push(...got);
}

interface KeyInfo {
  key: string;
  isString: boolean;
  start: number;
  end: number;
}

/** A mapping key as the string it becomes in JSON (PyYAML keys may be ints, bools, None…). */
function mappingKey(ctx: LoadContext, keyNode: Maybe, ptr: string, at: number): KeyInfo | undefined {
  if (keyNode === null || keyNode === undefined) return { key: 'null', isString: false, start: at, end: at };
  const [s, e] = nodeRange(keyNode, at);
  const node = resolveAliasNode(ctx, keyNode);
  if (node === undefined) return undefined;
  if (node === null) return { key: 'null', isString: false, start: s, end: e };
  if (!isScalar(node)) {
    report(ctx, C.collectionKey, msg(C.collectionKey, 'listMappingCannot', {}), msg(C.collectionKey, 'listMappingCannotDetail', {}), s, e);
    return undefined;
  }
  const tag = node.tag;
  const text = scalarText(node);
  let r: Resolved;
  if (tag === undefined) r = node.type === 'PLAIN' ? resolvePlain(text) : { ok: true, kind: 'str', value: text };
  else if (tag === '!') r = { ok: true, kind: 'str', value: text };
  else if (tag.startsWith(CORE)) {
    const core = tag.slice(CORE.length);
    if (core === 'str' || core === 'int' || core === 'float' || core === 'bool' || core === 'null' || core === 'timestamp') r = constructTagged(core, text);
    else {
      badCoreTag(ctx, core, 'mapping key', tagStart(ctx, s, '!!'), e);
      return undefined;
    }
  } else {
    const ts = tagStart(ctx, s, tag);
    report(ctx, C.taggedKey, msg(C.taggedKey, 'tagCannotUsed', { tag }), msg(C.taggedKey, 'tagCannotUsedDetail', { tag }), ts, e);
    return undefined;
  }
  if (!r.ok || r.kind === 'merge' || r.kind === 'value') {
    fromResolved(ctx, r, s, e);
    return undefined;
  }
  if (r.kind === 'str') return { key: r.value as string, isString: true, start: s, end: e };
  if ((r.kind === 'bool' || r.kind === 'null') && tag === undefined) {
    report(
      ctx,
      C.nonStringKey,
      msg(C.nonStringKey, 'keyReadAs', { shown: text || '(empty)', reading: r.kind === 'bool' ? `boolean ${String(r.value)}` : 'null', text }),
      msg(C.nonStringKey, 'keyReadAsDetail', { text, value: String(r.value) }),
      s,
      e,
    );
  }
  return { key: r.value === null ? 'null' : String(r.value), isString: false, start: s, end: e };
}

/**
 * authentik's JSON form of a tag: a mapping with `goauthentik.io/yaml-key: "!Find"` and `args`
 * becomes that tag. Unknown names stay plain mappings (as authentik's decoder leaves them).
 */
function jsonFormTag(ctx: LoadContext, node: YAMLMap, ptr: string): Value | undefined {
  let tagValue: Maybe;
  let args: Maybe;
  let hasTag = false;
  let hasArgs = false;
  const extra: string[] = [];
  for (const p of node.items) {
    const k = p.key as Maybe;
    const name = k && isScalar(k) && k.tag === undefined ? scalarText(k) : undefined;
    if (name === JSON_TAG_KEY) {
      hasTag = true;
      tagValue = p.value as Maybe;
    } else if (name === JSON_ARGS_KEY) {
      hasArgs = true;
      args = p.value as Maybe;
    } else extra.push(name ?? '?');
  }
  if (!hasTag) return undefined;
  const [s, e] = nodeRange(node, 0);
  const tagName = tagValue && isScalar(tagValue) ? scalarText(tagValue) : undefined;
  if (tagName === undefined || !tagName.startsWith('!') || !isKnownTag(tagName.slice(1))) {
    report(
      ctx,
      C.jsonFormTag,
      msg(C.jsonFormTag, 'notAuthentikTag', { JSON_TAG_KEY, tag: tagName === undefined ? 'value' : JSON.stringify(tagName) }),
      msg(C.jsonFormTag, 'notAuthentikTagDetail', { KNOWN_TAGS_TEXT }),
      s,
      e,
    );
    return undefined;
  }
  if (!hasArgs) {
    report(ctx, C.jsonFormTag, msg(C.jsonFormTag, 'jsonFormTag2', { tagName }), msg(C.jsonFormTag, 'jsonFormTag2Detail', { JSON_TAG_KEY, tagName }), s, e);
    return undefined;
  }
  if (extra.length > 0) {
    report(
      ctx,
      C.jsonFormTag,
      msg(C.jsonFormTag, 'jsonFormTag', { tagName, extra: extra.join(', ') }),
      msg(C.jsonFormTag, 'jsonFormTagDetail', { JSON_TAG_KEY }),
      s,
      e,
    );
  }
  const argNode = resolveAliasNode(ctx, args);
  if (argNode === undefined) return null;
  return buildTag(ctx, tagName.slice(1) as TagName, argNode, ptr, s, e, construct);
}
