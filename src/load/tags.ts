// authentik's YAML tags → typed TagNodes. Argument construction mirrors the tag constructors of
// authentik's BlueprintLoader (blueprints/v1/common.py): a scalar form takes the node's text
// verbatim (`!Env 123` names the variable "123"), sequence items are constructed like any YAML
// value (so they may be tags themselves). Shapes authentik would crash on, or that can only ever
// fail when resolved, are load errors here.
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { TagName, TagNode, Value } from '../model/types.js';
import { C } from './codes.js';
import { range, report, tagStart, type LoadContext } from './context.js';
import { msg } from '../diag/index.js';

export type Construct = (ctx: LoadContext, node: Node | null | undefined, ptr: string, at: number) => Value;

export const KNOWN_TAGS: readonly TagName[] = [
  'KeyOf',
  'Env',
  'File',
  'Context',
  'Format',
  'Find',
  'FindObject',
  'Condition',
  'If',
  'Enumerate',
  'Index',
  'Value',
  'AtIndex',
  'ParseJSON',
];
const KNOWN_SET = new Set<string>(KNOWN_TAGS);
export const KNOWN_TAGS_TEXT = KNOWN_TAGS.map((t) => `!${t}`).join(', ');

const CONDITION_MODES = ['AND', 'NAND', 'OR', 'NOR', 'XOR', 'XNOR'];
const NEVER_MERGED: { [tag: string]: string } = {
  '!FindMany': '!FindMany was proposed for authentik (PR #16942) but never merged.',
};

export function isKnownTag(name: string): name is TagName {
  return KNOWN_SET.has(name);
}

export function unknownTagDetail(tag: string): string {
  const note = NEVER_MERGED[tag] ? ` ${NEVER_MERGED[tag]}` : '';
  return `Expected one of the authentik tags: ${KNOWN_TAGS_TEXT}.${note} authentik fails to load a blueprint with any other tag.`;
}

const USAGE: { [T in TagName]: string } = {
  KeyOf: '!KeyOf <entry id>',
  Env: '!Env NAME or !Env [NAME, default]',
  File: '!File /path or !File [/path, default]',
  Context: '!Context key or !Context [key, default]',
  Format: '!Format [format, arg, ...]',
  Find: '!Find [app_label.model, [field, value], ...]',
  FindObject: '!FindObject [app_label.model, [field, value], ...]',
  Condition: '!Condition [MODE, value, ...] with MODE one of AND, NAND, OR, NOR, XOR, XNOR',
  If: '!If [condition] or !If [condition, then, else]',
  Enumerate: '!Enumerate [iterable, SEQ|MAP, body]',
  Index: '!Index <depth> (0 = innermost !Enumerate)',
  Value: '!Value <depth> (0 = innermost !Enumerate)',
  AtIndex: '!AtIndex [object, key] or !AtIndex [object, key, default]',
  ParseJSON: "!ParseJSON '<json text>'",
};

function shapeOf(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return 'a scalar';
  if (isSeq(node)) return `a sequence of ${node.items.length}`;
  if (isMap(node)) return 'a mapping';
  return 'an alias';
}

/** Range of an argument node, from its tag when it has one. */
function nodeRange(ctx: LoadContext, node: Node | null | undefined, s: number, e: number): [number, number] {
  const r = (node as { range?: [number, number, number] | null } | null | undefined)?.range;
  if (!r) return [s, e];
  const tag = (node as { tag?: string }).tag;
  return [tag ? tagStart(ctx, r[0], tag.startsWith('tag:yaml.org,2002:') ? '!!' : tag) : r[0], r[1]];
}

/**
 * Builds tag `name` whose argument node is `arg` (the tagged node itself, or the `args` value of
 * the JSON form). Returns null after reporting when the arguments have the wrong shape.
 */
export function buildTag(ctx: LoadContext, name: TagName, arg: Node | null | undefined, ptr: string, s: number, e: number, construct: Construct): Value {
  ctx.pointers.put(ptr, s, e);
  const base = { range: range(ctx, s, e), pointer: ptr };
  const wrong = (found: string, at: [number, number] = [s, e]) => {
    report(
      ctx,
      C.tagArguments,
      msg(C.tagArguments, 'cannotTake', { name, found }),
      msg(C.tagArguments, 'queryItemMustDetail', { usage: USAGE[name] }),
      at[0],
      at[1],
    );
    return null;
  };
  const items = isSeq(arg) ? (arg.items as (Node | null)[]) : undefined;
  const item = (i: number): Value => construct(ctx, items![i], `${ptr}/${i}`, s);
  const extra = (max: number) => {
    if (items && items.length > max) {
      const [xs] = nodeRange(ctx, items[max], s, e);
      const [, xe] = nodeRange(ctx, items[items.length - 1], s, e);
      report(
        ctx,
        C.extraTagArguments,
        msg(C.extraTagArguments, 'usesOnlyArguments', { name, max, extra: items.length - max }),
        msg(C.extraTagArguments, 'usesOnlyArgumentsDetail', { usage: USAGE[name] }),
        xs,
        xe,
      );
    }
  };
  const scalarText = (): string | undefined => (isScalar(arg) ? (typeof arg.value === 'string' ? arg.value : String(arg.value ?? '')) : undefined);

  switch (name) {
    case 'KeyOf': {
      const id = scalarText();
      if (id === undefined) return wrong(shapeOf(arg));
      if (id === '') return wrong('an empty id');
      return tag({ $tag: 'KeyOf', ...base, id });
    }
    case 'Env':
    case 'File':
    case 'Context': {
      const text = scalarText();
      let first: Value;
      let dflt: Value = null;
      if (text !== undefined) first = text;
      else if (items && items.length >= 2) {
        first = item(0);
        dflt = item(1);
        extra(2);
      } else return wrong(shapeOf(arg));
      if (name === 'Env') return tag({ $tag: 'Env', ...base, name: first, default: dflt });
      if (name === 'File') return tag({ $tag: 'File', ...base, path: first, default: dflt });
      return tag({ $tag: 'Context', ...base, key: first, default: dflt });
    }
    case 'Format': {
      if (!items || items.length === 0) return wrong(shapeOf(arg));
      const format = item(0);
      if (typeof format !== 'string') {
        const at = nodeRange(ctx, items[0], s, e);
        report(
          ctx,
          C.tagArguments,
          msg(C.tagArguments, 'formatNeedsString', { found: describe(format) }),
          msg(C.tagArguments, 'formatNeedsStringDetail', { Format: USAGE.Format }),
          at[0],
          at[1],
        );
        return null;
      }
      const args: Value[] = [];
      for (let i = 1; i < items.length; i++) args.push(item(i));
      return tag({ $tag: 'Format', ...base, format, args });
    }
    case 'Find':
    case 'FindObject': {
      if (!items || items.length === 0) return wrong(shapeOf(arg));
      const model = item(0);
      const query: [Value, Value][] = [];
      let ok = true;
      for (let i = 1; i < items.length; i++) {
        const q = items[i];
        const qPtr = `${ptr}/${i}`;
        const qTag = (q as { tag?: string } | null)?.tag;
        if (!isSeq(q) || q.items.length !== 2 || qTag !== undefined) {
          const at = nodeRange(ctx, q, s, e);
          report(
            ctx,
            C.tagArguments,
            msg(C.tagArguments, 'queryItemMust', { name, i, found: qTag ? `a ${qTag} tag` : shapeOf(q) }),
            msg(C.tagArguments, 'queryItemMustDetail', { usage: USAGE[name] }),
            at[0],
            at[1],
          );
          ok = false;
          continue;
        }
        const [qs, qe] = nodeRange(ctx, q, s, e);
        ctx.pointers.put(qPtr, qs, qe);
        const pair = q.items as (Node | null)[];
        query.push([construct(ctx, pair[0], `${qPtr}/0`, qs), construct(ctx, pair[1], `${qPtr}/1`, qs)]);
      }
      if (!ok) return null;
      return tag({ $tag: name, ...base, model, query });
    }
    case 'Condition': {
      if (!items || items.length === 0) return wrong(shapeOf(arg));
      const mode = item(0);
      const at = nodeRange(ctx, items[0], s, e);
      if (typeof mode !== 'string' || !CONDITION_MODES.includes(mode.toUpperCase())) {
        report(
          ctx,
          C.conditionMode,
          msg(C.conditionMode, 'unknownConditionMode', { found: typeof mode === 'string' ? `"${mode}"` : describe(mode) }),
          msg(C.conditionMode, 'unknownConditionModeDetail', { modes: CONDITION_MODES.join(', ') }),
          at[0],
          at[1],
        );
        return null;
      }
      if (items.length === 1) {
        report(
          ctx,
          C.tagArguments,
          msg(C.tagArguments, 'conditionModeBut', {}),
          msg(C.tagArguments, 'conditionModeButDetail', { Condition: USAGE.Condition }),
          s,
          e,
        );
        return null;
      }
      const args: Value[] = [];
      for (let i = 1; i < items.length; i++) args.push(item(i));
      return tag({ $tag: 'Condition', ...base, mode, args });
    }
    case 'If': {
      if (!items || items.length === 0) return wrong(shapeOf(arg));
      if (items.length === 2) return wrong('two arguments');
      const condition = item(0);
      if (items.length === 1) return tag({ $tag: 'If', ...base, condition });
      const then = item(1);
      const otherwise = item(2);
      extra(3);
      return tag({ $tag: 'If', ...base, condition, then, else: otherwise });
    }
    case 'Enumerate': {
      if (!items || items.length < 3) return wrong(shapeOf(arg));
      const iterable = item(0);
      const output = item(1);
      if (typeof output !== 'string' || (output.toUpperCase() !== 'SEQ' && output.toUpperCase() !== 'MAP')) {
        const at = nodeRange(ctx, items[1], s, e);
        report(
          ctx,
          C.enumerateOutput,
          msg(C.enumerateOutput, 'unknownEnumerateOutput', { found: typeof output === 'string' ? `"${output}"` : describe(output) }),
          msg(C.enumerateOutput, 'unknownEnumerateOutputDetail', {}),
          at[0],
          at[1],
        );
        return null;
      }
      const body = item(2);
      extra(3);
      return tag({ $tag: 'Enumerate', ...base, iterable, output, body });
    }
    case 'Index':
    case 'Value': {
      const text = scalarText();
      if (text === undefined) return wrong(shapeOf(arg));
      // Python int(): surrounding whitespace, a sign and single underscores between digits.
      const m = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/.exec(text);
      const depth = m ? Number(m[2]!.replace(/_/g, '')) * (m[1] === '-' ? -1 : 1) : NaN;
      if (!Number.isSafeInteger(depth) || depth < 0) {
        report(
          ctx,
          C.enumerateDepth,
          msg(C.enumerateDepth, 'depthNotNon', { name, text }),
          msg(C.enumerateDepth, 'depthNotNonDetail', { usage: USAGE[name] }),
          s,
          e,
        );
        return null;
      }
      return tag({ $tag: name, ...base, depth: depth === 0 ? 0 : depth });
    }
    case 'AtIndex': {
      if (!items || items.length < 2) return wrong(shapeOf(arg));
      const obj = item(0);
      const key = item(1);
      const hasDefault = items.length >= 3;
      const dflt = hasDefault ? item(2) : null;
      extra(3);
      return tag({ $tag: 'AtIndex', ...base, obj, key, hasDefault, default: dflt });
    }
    case 'ParseJSON': {
      const text = scalarText();
      if (text === undefined) return wrong(shapeOf(arg));
      try {
        JSON.parse(text);
      } catch (err) {
        report(ctx, C.parseJson, msg(C.parseJson, 'parsejsonTextNot', { reason: jsonErrorReason(err) }), msg(C.parseJson, 'parsejsonTextNotDetail', {}), s, e);
        return null;
      }
      return tag({ $tag: 'ParseJSON', ...base, text });
    }
  }
}

/**
 * V8 quotes the text it could not parse ("Unexpected token 'h', "hunter2" is not valid JSON"), and
 * that text may be a secret; such messages are reduced to what went wrong, the range shows where.
 */
function jsonErrorReason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.includes('"') || message.startsWith('Unexpected token') ? 'unexpected character' : message;
}

function tag(t: TagNode): TagNode {
  return t;
}

function describe(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return '$tag' in v && typeof v.$tag === 'string' ? `a !${v.$tag} tag` : 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}
