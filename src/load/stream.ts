// The document of one blueprint file, without its whole syntax tree in memory at once.
//
// `yaml`'s parseDocument builds the concrete syntax tree (CST) of the whole document before it
// composes the first node. For one file of 50,000 entries that tree is ~370 MB and the node
// tree ~220 MB, both alive at the peak of `akbp plan` (and V8 sizes the heap after that peak for
// the rest of the run). Here the lexer and parser are driven by hand, and the items of the
// top-level `entries` block sequence are composed in chunks as soon as the parser is done with
// them, so only one chunk's CST is alive at a time.
//
// The nodes are the ones parseDocument builds: a block sequence composes each item on its own,
// carrying from one item to the next only the offset where the previous one ended (the chunks
// start there). Whenever that might not hold (a parse error or warning anywhere, an item
// without its `-`, a second streamed sequence, a second document) the file is parsed again
// with parseDocument, so what is reported never depends on the chunking.
import {
  Composer,
  Lexer,
  Parser,
  isMap,
  isSeq,
  parseDocument,
  type CST,
  type Document,
  type DocumentOptions,
  type ParseOptions,
  type ParsedNode,
  type SchemaOptions,
} from 'yaml';

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** Items composed per chunk: enough to make the per-chunk Document negligible, few enough to keep its CST small. */
const CHUNK = 500;

/** What a parse did, for tests: chunks composed on the way, and whether the file was parsed again whole. */
export interface StreamStats {
  chunks: number;
  reparsed: boolean;
}

/**
 * Takes the composed items `first…` of the streamed list (which starts at `start`) instead of the
 * document: their places in the list are then null. False to give up streaming (the file is
 * parsed again whole).
 */
export type ConsumeItems = (nodes: ParsedNode[], first: number, start: number) => boolean;

/**
 * parseDocument(text, options) for a blueprint file (prettyErrors off), composing the items of a
 * large top-level `entries:` block sequence as they are parsed. `chunk` and `stats` are for tests.
 */
export function parseBlueprintDocument(text: string, options: Options, chunk = CHUNK, stats?: StreamStats, consume?: ConsumeItems): Document.Parsed {
  const reparse = (): Document.Parsed => {
    if (stats) stats.reparsed = true;
    return parseDocument(text, options);
  };
  const parser = new Parser();
  const composed: ParsedNode[][] = [];
  let streamed: CST.BlockSequence | undefined;
  let end = 0;
  /** Items detached so far, and how many of them `consume` took. */
  let taken = 0;
  let consumed = 0;
  let exact = true;
  /** Items were taken out of the CST: the document cannot be composed without them any more. */
  let detached = false;
  let documents = 0;

  const detach = (): void => {
    const [doc, map, seq] = parser.stack;
    if (doc?.type !== 'document' || map?.type !== 'block-map' || seq?.type !== 'block-seq') return;
    // The parser still edits the last two items (a comment may move to the one before).
    if (seq.items.length < chunk + 2) return;
    if (streamed === undefined) {
      const it = map.items[map.items.length - 1];
      const isEntries = it?.key?.type === 'scalar' && it.key.source === 'entries' && !it.explicitKey && it.value === undefined;
      if (!isEntries || !it.sep?.some((t) => t.type === 'map-value-ind')) return;
      streamed = seq;
      end = seq.offset;
    } else if (seq !== streamed) {
      exact = false;
      return;
    }
    const n = seq.items.length - 2;
    for (let i = 0; i < n; i++) {
      const it = seq.items[i]!;
      if (!it.start.some((t) => t.type === 'seq-item-ind')) {
        exact = false;
        return;
      }
    }
    const items = seq.items.splice(0, n);
    detached = true;
    const token: CST.Document = { type: 'document', offset: end, start: [], value: { type: 'block-seq', offset: end, indent: seq.indent, items } };
    const docs = [...new Composer(options).compose([token])];
    const part = docs[0];
    if (docs.length !== 1 || !part || part.errors.length > 0 || part.warnings.length > 0 || !isSeq(part.contents)) {
      exact = false;
      return;
    }
    const nodes = part.contents.items;
    const last = (nodes[nodes.length - 1] as { range?: [number, number, number] } | undefined)?.range;
    if (nodes.length !== n || last === undefined) {
      exact = false;
      return;
    }
    end = last[2];
    if (stats) stats.chunks++;
    if (consume) {
      if (!consume(nodes, taken, streamed.offset)) {
        exact = false;
        return;
      }
      consumed += n;
    } else composed.push(nodes);
    taken += n;
  };

  function* tokens(): Generator<CST.Token> {
    const lexer = new Lexer();
    for (const lexeme of lexer.lex(text)) {
      for (const token of parser.next(lexeme)) {
        if (token.type === 'document') documents++;
        yield token;
      }
      // Items are added at their `-`: the moment the items before are finished.
      if (lexeme === '-' && documents === 0 && exact) detach();
      if (!exact && detached) return;
    }
    yield* parser.end();
  }

  let doc: Document.Parsed | undefined;
  for (const d of new Composer(options).compose(tokens(), true, text.length)) {
    if (doc !== undefined) return reparse();
    doc = d;
  }
  if (!detached) return doc!;
  if (!exact || doc === undefined || doc.errors.length > 0 || doc.warnings.length > 0) return reparse();
  const root = doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isSeq(p.value) && p.value.range?.[0] === streamed!.offset) : undefined;
  if (pair === undefined || !isSeq(pair.value)) return reparse();
  const rest = pair.value.items;
  const items: ParsedNode[] = [];
  // Placeholders the caller fills in (they are never composed or read as nodes).
  for (let i = 0; i < consumed; i++) items.push(null as unknown as ParsedNode);
  for (const nodes of composed) for (const n of nodes) items.push(n);
  for (const n of rest) items.push(n);
  pair.value.items = items;
  return doc;
}
