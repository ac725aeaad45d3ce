// State shared by one load: where diagnostics go and the pointer map being built.
import type { Diagnostic, SourceRange, Value } from '../model/types.js';
import type { Node } from 'yaml';
import { diag, type CodeDef } from '../diag/index.js';
import { escapePointer } from '../values/index.js';
import { PointerMap } from '../values/pointer-map.js';

/** Nodes constructed through aliases before load gives up (guards "billion laughs" files). */
export const ALIAS_NODE_BUDGET = 100_000;

export interface LoadContext {
  uri: string;
  text: string;
  diagnostics: Diagnostic[];
  pointers: PointerMap;
  /** Pointers (of the value) whose mapping key was not a string for PyYAML (`1:`, `true:`, `~:`). */
  nonStringKeys: Set<string>;
  /** Pointers of values PyYAML makes floats: JS cannot tell `1.0` from `1`, Python's type checks can. */
  floats: Set<string>;
  anchors: Map<string, Node>;
  /** Anchored nodes being constructed: an alias to one of them is recursive. */
  building: Set<Node>;
  /** > 0 while constructing the target of an alias (anchors are then not re-registered). */
  aliasDepth: number;
  aliasNodes: number;
  aliasBudgetExceeded: boolean;
  /** Memoised expanded node counts, for the alias budget. */
  sizes: WeakMap<Node, number>;
  /**
   * Sequences whose item nodes are dropped as soon as their values are built: read once, so the
   * node tree of a large file is collected while its values grow, not after.
   */
  consumed: Set<Node>;
  /**
   * Entries built while the file was still being parsed (stream.ts), with their diagnostics;
   * `list` is set once the document is known to construct them in the same order.
   */
  early?: { list?: Node; values: Value[]; diagnostics: Diagnostic[] };
}

export function newContext(uri: string, text: string): LoadContext {
  return {
    uri,
    text,
    diagnostics: [],
    pointers: new PointerMap(uri),
    nonStringKeys: new Set(),
    floats: new Set(),
    anchors: new Map(),
    building: new Set(),
    aliasDepth: 0,
    aliasNodes: 0,
    aliasBudgetExceeded: false,
    sizes: new WeakMap(),
    consumed: new Set(),
  };
}

export function range(ctx: LoadContext, start: number, end: number): SourceRange {
  return { uri: ctx.uri, start, end };
}

export function report(ctx: LoadContext, def: CodeDef, summary: string, detail: string, start: number, end: number): void {
  ctx.diagnostics.push(diag(def, summary, { detail, subject: { uri: ctx.uri, start, end } }));
}

/** JSON pointer segment (RFC 6901). */
export function seg(key: string): string {
  return escapePointer(key);
}

/** Where the tag token of a node starts: `yaml` node ranges begin at the value, after tag and anchor. */
export function tagStart(ctx: LoadContext, start: number, tag: string): number {
  const i = ctx.text.lastIndexOf(tag, start);
  return i >= 0 && start - i < 4096 ? i : start;
}
