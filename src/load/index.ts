// Load stage: SourceFile bytes → ParsedBlueprint (YAML 1.1 as PyYAML reads it, authentik tags
// as typed nodes, a JSON pointer → source range map). Pure: no I/O, no tag evaluation.
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { LoadResult, SourceFile, Value } from '../model/types.js';
import { diag, msg } from '../diag/index.js';
import { C } from './codes.js';
import { construct, constructEarly, JSON_TAG_KEY } from './construct.js';
import { newContext } from './context.js';
import { decodeSource } from './decode.js';
import { buildStructure, isMapping } from './structure.js';
import { syntaxDiagnostics, tabDiagnostic } from './syntax.js';
import { KNOWN_TAGS } from './tags.js';
import { parseBlueprintDocument } from './stream.js';

// failsafe: every scalar stays a string so scalars.ts can resolve them as PyYAML does; merge
// keys, duplicates and tags are handled in construct.ts.
// authentik's tags are declared to the parser, which otherwise builds a warning (an Error with a
// stack trace) for every tagged node it does not know; they resolve exactly as unknown tags do
// (the text or the plain collection, tag name kept), so construct.ts sees the same nodes.
const AUTHENTIK_TAGS = KNOWN_TAGS.flatMap((name) => [
  { tag: `!${name}`, resolve: (text: string) => text },
  { tag: `!${name}`, collection: 'seq' as const },
  { tag: `!${name}`, collection: 'map' as const },
]);
const PARSE_OPTIONS = { schema: 'failsafe', version: '1.1', uniqueKeys: false, prettyErrors: false, customTags: AUTHENTIK_TAGS } as const;

export function loadBlueprint(file: SourceFile): LoadResult {
  return loadChunked(file);
}

/** loadBlueprint, with the chunk size of stream.ts (for tests: small chunks take every path). */
export function loadChunked(file: SourceFile, chunk?: number): LoadResult {
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  const decoded = decodeSource(file.uri, file.bytes);
  if (!decoded.ok) return { diagnostics: [decoded.diagnostic] };
  const text = decoded.text;
  let ctx = newContext(file.uri, text);
  const stats = { chunks: 0, reparsed: false };
  // The tab check below reads the whole node tree, so a file with a tab keeps its entries' nodes.
  const early = text.includes('\t') ? undefined : (nodes: Node[], first: number, at: number) => constructEarly(ctx, nodes, first, at);
  let doc = parseBlueprintDocument(text, PARSE_OPTIONS, chunk, stats, early);
  if (doc.errors.length > 0) return { diagnostics: syntaxDiagnostics(file.uri, text, doc.errors) };
  const tab = tabDiagnostic(file.uri, text, doc);
  if (tab) return { diagnostics: [tab] };
  if (ctx.early) {
    const list = stats.reparsed ? undefined : earlyList(doc.contents);
    if (list) ctx.early.list = list;
    else {
      // Entries built early belong to a document the walk would not read in that order.
      ctx = newContext(file.uri, text);
      if (!stats.reparsed) doc = parseDocument(text, PARSE_OPTIONS);
    }
  }

  // Nothing reads the nodes of the entries again (an anchor keeps its own node), so they go as
  // their values are built. Not when an alias could construct the list, or the root, twice.
  if (isMap(doc.contents) && doc.contents.anchor === undefined) {
    for (const p of doc.contents.items) {
      if (isScalar(p.key) && p.key.value === 'entries' && isSeq(p.value) && p.value.anchor === undefined) ctx.consumed.add(p.value);
    }
  }
  const root = doc.contents === null ? null : construct(ctx, doc.contents, '', 0);
  if (isEmpty(root)) {
    ctx.diagnostics.push(
      diag(C.empty, msg(C.empty, 'fileHoldsNo', {}), {
        detail: msg(C.empty, 'fileHoldsNoDetail', {}),
        subject: ctx.pointers.get('') ?? { uri: file.uri, start: 0, end: 0 },
      }),
    );
    return { diagnostics: ctx.diagnostics };
  }
  if (!isMapping(root)) {
    const r = ctx.pointers.get('') ?? { uri: file.uri, start: 0, end: 0 };
    ctx.diagnostics.push(
      diag(
        C.topLevel,
        msg(C.topLevel, 'blueprintMustMapping', { found: Array.isArray(root) ? 'a list' : typeof root === 'object' ? 'a tag' : `a ${typeof root}` }),
        {
          detail: msg(C.topLevel, 'blueprintMustMappingDetail', {}),
          subject: r,
        },
      ),
    );
    return { diagnostics: ctx.diagnostics };
  }
  const st = buildStructure(ctx, root);
  const blueprint: LoadResult['blueprint'] = {
    uri: file.uri,
    text,
    origin: file.origin,
    path: file.path,
    version: st.version,
    labels: st.labels,
    context: st.context,
    entries: st.entries,
    pointers: ctx.pointers,
    sha256,
  };
  if (st.name !== undefined) blueprint.name = st.name;
  return { blueprint, diagnostics: ctx.diagnostics };
}

/**
 * The streamed entries list, when the walk over `root` reaches it as the first `entries` key of
 * a plain root mapping and constructs its items like any list: no tag or anchor on the root or
 * the list, no merge, JSON-form tag, alias or tagged key in the root that could construct
 * entries first or differently.
 */
function earlyList(root: unknown): Node | undefined {
  if (!isMap(root) || root.tag !== undefined || root.anchor !== undefined) return undefined;
  for (const p of root.items) {
    if (!isScalar(p.key) || p.key.tag !== undefined || p.key.anchor !== undefined) return undefined;
    const key = p.key.value;
    if (key === '<<' || key === JSON_TAG_KEY) return undefined;
    if (key !== 'entries') continue;
    return isSeq(p.value) && p.value.tag === undefined && p.value.anchor === undefined && p.value.items[0] === null ? p.value : undefined;
  }
  return undefined;
}

/** What PyYAML + authentik's discovery treat as "empty blueprint, skipping": any falsy value. */
function isEmpty(v: Value): boolean {
  if (v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && isMapping(v) && Object.keys(v).length === 0;
}
