// The chunked parse of a large `entries:` list (src/load/stream.ts) must build exactly the
// document `yaml`'s parseDocument builds: every node, range, tag, anchor, comment and error.
// Small chunks make short texts take the chunked path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { parseBlueprintDocument, type StreamStats } from '../../src/load/stream.js';
import { KNOWN_TAGS } from '../../src/load/tags.js';
import { loadChunked } from '../../src/load/index.js';

// The options loadBlueprint parses with (src/load/index.ts).
const OPTIONS = {
  schema: 'failsafe',
  version: '1.1',
  uniqueKeys: false,
  prettyErrors: false,
  customTags: KNOWN_TAGS.flatMap((name) => [
    { tag: `!${name}`, resolve: (text: string) => text },
    { tag: `!${name}`, collection: 'seq' as const },
    { tag: `!${name}`, collection: 'map' as const },
  ]),
} as const;

/** Everything of a node tree that load or a diagnostic could read. */
function shape(n: unknown): unknown {
  if (n === null || n === undefined) return n ?? null;
  if (isPair(n)) return { key: shape(n.key), value: shape(n.value) };
  const common = (x: { range?: unknown; tag?: unknown; anchor?: unknown; comment?: unknown; commentBefore?: unknown; spaceBefore?: unknown }) => ({
    range: x.range,
    tag: x.tag,
    anchor: x.anchor,
    comment: x.comment,
    commentBefore: x.commentBefore,
    spaceBefore: x.spaceBefore,
  });
  if (isAlias(n)) return { alias: n.source, ...common(n) };
  if (isScalar(n)) return { scalar: n.value, type: n.type, ...common(n) };
  if (isMap(n) || isSeq(n)) return { [isMap(n) ? 'map' : 'seq']: n.items.map(shape), flow: n.flow, ...common(n) };
  return { other: String(n) };
}

function docShape(d: Document.Parsed): unknown {
  return {
    contents: shape(d.contents),
    range: d.range,
    comment: d.comment,
    commentBefore: d.commentBefore,
    errors: d.errors.map((e) => [e.code, e.pos, e.message]),
    warnings: d.warnings.map((e) => [e.code, e.pos, e.message]),
  };
}

function assertSame(text: string, chunk: number): StreamStats {
  const stats: StreamStats = { chunks: 0, reparsed: false };
  assert.deepEqual(docShape(parseBlueprintDocument(text, OPTIONS, chunk, stats)), docShape(parseDocument(text, OPTIONS)), `chunk ${chunk}:\n${text}`);
  return stats;
}

const HEAD = 'version: 1\nmetadata:\n  name: x\ncontext:\n  a: &ctx 1\n';

const CASES: [string, string][] = [
  ['plain entries', `${HEAD}entries:\n${'  - model: a.b\n    identifiers: {name: x}\n'.repeat(7)}`],
  ['entries at the key column', `${HEAD}entries:\n${'- model: a.b\n  attrs: {n: 1}\n'.repeat(7)}`],
  [
    'comments and blank lines between entries',
    `${HEAD}entries:\n  # first\n  - model: a\n\n  # between\n  - model: b\n    # inside\n    attrs: {}\n      # deeper\n  - {model: c}\n# at column 0\n  - [1, 2]\n  - model: d # trailing\n\n\n  - e\n  - f\n# end\n`,
  ],
  [
    'anchors and aliases across entries',
    `${HEAD}entries:\n  - &e1 {model: a, attrs: {x: *ctx}}\n  - *e1\n  - model: b\n    attrs: &at {n: 1}\n  - model: c\n    attrs: *at\n  - {model: d, <<: *at}\n  - model: e\n`,
  ],
  [
    'tags and block scalars',
    `${HEAD}entries:\n  - !KeyOf x\n  - model: a\n    attrs:\n      e: |\n        line\n\n        more\n      f: >-\n        folded\n  - !!str 1\n  - !Find [a.b, [name, x]]\n  - model: b\n`,
  ],
  ['keys after entries', `version: 1\nentries:\n${'  - model: a\n'.repeat(6)}context:\n  b: 2\nmetadata:\n  name: later\n`],
  ['two entries keys', `version: 1\nentries:\n${'  - model: a\n'.repeat(6)}entries:\n${'  - model: b\n'.repeat(6)}`],
  ['an error after the entries', `version: 1\nentries:\n${'  - model: a\n'.repeat(6)}context:\n  a: [1, 2\n  b: 2\n`],
  ['an error inside an entry', `version: 1\nentries:\n${'  - model: a\n'.repeat(4)}  - model: "abc\n${'  - model: a\n'.repeat(4)}`],
  ['a misaligned item', `version: 1\nentries:\n${'  - model: a\n'.repeat(4)} - model: b\n${'  - model: a\n'.repeat(4)}`],
  ['an empty item', `version: 1\nentries:\n  - model: a\n  -\n  - model: b\n  - \n  - model: c\n  - model: d\n`],
  ['two documents', `version: 1\nentries:\n${'  - model: a\n'.repeat(5)}---\nentries:\n${'  - model: a\n'.repeat(5)}`],
  ['a document end marker', `version: 1\nentries:\n${'  - model: a\n'.repeat(5)}...\n`],
  ['a sequence under another key', `version: 1\ncontext:\n  list:\n${'    - a\n'.repeat(6)}entries:\n${'  - model: a\n'.repeat(6)}`],
  ['sectioned entries', `version: 1\nentries:\n  users:\n${'    - model: a\n'.repeat(6)}`],
  ['a quoted entries key', `version: 1\n"entries":\n${'  - model: a\n'.repeat(6)}`],
  ['an anchored entries list', `version: 1\nentries: &all\n${'  - model: a\n'.repeat(6)}context:\n  again: *all\n`],
  ['a tab in an entry', `version: 1\nentries:\n${'  - model: a\n'.repeat(4)}  - model:\tb\n${'  - model: a\n'.repeat(4)}`],
  ['a nested list in an entry', `version: 1\nentries:\n  - - a\n    - b\n${'  - model: a\n'.repeat(5)}`],
  ['a BOM-less directive', `%YAML 1.1\n---\nversion: 1\nentries:\n${'  - model: a\n'.repeat(6)}`],
];

test('the chunked parse builds the document parseDocument builds', () => {
  for (const [name, text] of CASES) {
    for (const chunk of [1, 2, 3, 500]) {
      try {
        assertSame(text, chunk);
      } catch (e) {
        assert.fail(`${name}: ${(e as Error).message}`);
      }
    }
  }
});

// Random entries lists mixing every form an entry takes, with comments, blank lines, anchors
// and the occasional broken line.
const scalar = fc.constantFrom('a', '"q"', "'s'", '1', '~', 'yes', '!KeyOf x', '!Context p', '*ctx', '!!str 5');
const entry = fc.oneof(
  scalar.map((s) => `  - model: ${s}\n`),
  fc.tuple(scalar, scalar).map(([a, b]) => `  - {model: ${a}, attrs: {x: ${b}}}\n`),
  fc.tuple(scalar, scalar).map(([a, b]) => `  - model: ${a}\n    attrs:\n      k: ${b}\n      l: [${a}, ${b}]\n`),
  scalar.map((s) => `  - &n${s.length} model: ${s}\n`),
  fc.constantFrom(
    '  # comment\n',
    '\n',
    '# col0\n',
    '    # deep\n',
    '  -\n',
    '  - |\n    text\n',
    '  - !Find [a, [b, c]]\n',
    '  - *n1\n',
    '  - >\n\n    folded\n',
    '  - model:\n',
    '  - {model: }\n',
  ),
);
// Rarely, a line PyYAML and `yaml` reject.
const broken = fc.constantFrom(' - bad\n', '   - over\n', '  - model: "un\n', '  - model: @x\n', '  - {a: 1\n', '  - a\tb\n');
const line = fc.oneof({ arbitrary: entry, weight: 40 }, { arbitrary: broken, weight: 1 });
const blueprint = fc
  .tuple(fc.array(line, { minLength: 8, maxLength: 40 }), fc.constantFrom('', '', '', 'context:\n  z: 1\n', '...\n', '---\nx: 1\n'))
  .map(([es, tail]) => `${HEAD}entries:\n${es.join('')}${tail}`);

test('random entries lists: the chunked parse builds the document parseDocument builds', () => {
  let clean = 0;
  fc.assert(
    fc.property(blueprint, fc.integer({ min: 1, max: 4 }), (text, chunk) => {
      const stats = assertSame(text, chunk);
      if (stats.chunks > 0 && !stats.reparsed) clean++;
    }),
    { numRuns: 400, seed: 20261203 },
  );
  // Most cases must take the chunked path to the end, not the fallback for broken files.
  assert.ok(clean > 200, `${clean} of 400 cases took the chunked path to the end`);
});

// What load builds from the chunked parse, where entries are constructed while the file is still
// being parsed, must be what it builds from the whole document: values, every pointer, and the
// diagnostics in their order.
// Anchors and aliases make load build the entries after the parse (in document order): rare here.
const plainScalar = fc.constantFrom('a', '"q"', "'s'", '1', '~', 'yes', '!KeyOf x', '!Context p', '!!str 5', '1.5', '0777');
const plainEntry = fc.oneof(
  plainScalar.map((s) => `  - model: ${s}\n`),
  fc.tuple(plainScalar, plainScalar).map(([a, b]) => `  - {model: ${a}, attrs: {x: ${b}}}\n`),
  fc.tuple(plainScalar, plainScalar).map(([a, b]) => `  - model: ${a}\n    attrs:\n      k: ${b}\n      l: [${a}, ${b}]\n`),
  fc.constantFrom('  # comment\n', '\n', '# col0\n', '  -\n', '  - |\n    text\n', '  - !Find [a, [b, c]]\n', '  - model:\n', '  - {model: }\n'),
);
const loaded = fc.oneof(
  { arbitrary: plainEntry, weight: 60 },
  { arbitrary: entry, weight: 1 },
  {
    arbitrary: fc.constantFrom(
      '  - {model: a, model: b}\n',
      '  - model: a\n    attr: {x: 1}\n',
      '  - model: a\n    attrs: {on: 1, 1: x}\n',
      '  - model: a\n    attrs: {x: !!float nope}\n',
      '  - model: a\n    attrs: {x: !Unknown y}\n',
      '  - model: a\n    attrs: {big: 123456789012345678901234567890}\n',
      '  - model: a\n    attrs: {<<: {b: 1}, c: 2}\n',
      '  - model: a\n    attrs: {x: {goauthentik.io/yaml-key: "!KeyOf", args: y}}\n',
      '  - model: a\n    state: gone\n',
      '  - {model: a, attrs: {x: *ctx}}\n',
      '  - [1, 2]\n',
      '  - 5\n',
    ),
    weight: 6,
  },
  { arbitrary: broken, weight: 1 },
);
const head = fc.constantFrom(
  HEAD,
  'version: 1\n',
  'version: 1\n',
  'version: 1\nmetadata: {name: x}\ncontext: {a: 1}\n',
  'version: 1\ncontext: &c {a: 1}\n',
  '%YAML 1.1\n---\nversion: 1\n',
  '--- !!map\nversion: 1\n',
  'version: 1\n<<: {context: {a: 1}}\n',
  'version: 1\ngoauthentik.io/yaml-key: "!Format"\nargs: [x]\n',
  'version: 1\n"entries": [{model: first}]\n',
  'version: 1\n!!str entries: [{model: first}]\n',
  'version: 2\nmetdata: {}\n',
);
const tail = fc.constantFrom('', '', '', '', '', 'context:\n  z: 1\n', 'entries:\n  - model: again\n', '...\n', '---\nx: 1\n', 'metadata:\n  name: "a\tb"\n');
const file = fc.tuple(head, fc.array(loaded, { minLength: 8, maxLength: 40 }), tail).map(([h, es, t]) => `${h}entries:\n${es.join('')}${t}`);

function loadResult(text: string, chunk: number): unknown {
  const r = loadChunked({ uri: 'f.yaml', path: 'f.yaml', bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri: 'f.yaml', local: true } }, chunk);
  return { ...r, ...(r.blueprint ? { blueprint: { ...r.blueprint, pointers: new Map(r.blueprint.pointers) } } : {}) };
}

test('random blueprints: a chunked load builds what a whole-document load builds', () => {
  fc.assert(
    fc.property(file, fc.integer({ min: 1, max: 4 }), (text, chunk) => {
      assert.deepEqual(loadResult(text, chunk), loadResult(text, 1_000_000), text);
    }),
    { numRuns: 400, seed: 20261203 },
  );
});
