// Reading the file: UTF-8, YAML syntax errors, duplicate keys, anchors and merge keys, empty
// files — each checked against what PyYAML (authentik's parser) does with the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { load, where } from './helpers.js';

const enc = (s: string) => new TextEncoder().encode(s);

// [name, yaml, code, line, col] — files PyYAML refuses to load: no blueprint, one error.
const REJECTED: [string, string, string, number, number][] = [
  ['over-indented key', 'version: 1\nentries:\n  - model: a.b\n     attrs: {}\n', 'AKB1005', 4, 6],
  ['under-indented key', 'version: 1\ncontext:\n  a: 1\n b: 2\n', 'AKB1005', 4, 1],
  ['tab indentation', 'version: 1\ncontext:\n\ta: 1\n', 'AKB1005', 3, 1],
  ['misaligned list item', 'version: 1\nentries:\n- model: a\n  x: 1\n - y\n', 'AKB1005', 5, 2],
  ['unclosed flow sequence', 'version: 1\ncontext:\n  a: [1, 2\n  b: 2\n', 'AKB1005', 4, 3],
  ['value with ": "', 'version: 1\ncontext:\n  a: b: c\n', 'AKB1005', 3, 6],
  ['unclosed double quote', 'version: 1\ncontext:\n  a: "abc\n  b: 2\n', 'AKB1004', 5, 1],
  ['reserved @', 'version: 1\ncontext:\n  a: @x\n', 'AKB1004', 3, 6],
  ['bad escape', 'version: 1\ncontext:\n  a: "\\q"\n', 'AKB1004', 3, 7],
  ['two documents', 'version: 1\n---\nversion: 1\n', 'AKB1006', 2, 1],
  ['control character', 'version: 1\ncontext:\n  a: x\x07y\n', 'AKB1002', 3, 7],
  ['DEL character', 'version: 1\ncontext:\n  a: \x7f\n', 'AKB1002', 3, 6],
];

test('files PyYAML rejects: one error at the place to fix, no blueprint', () => {
  for (const [name, text, code, line, col] of REJECTED) {
    const r = load(text);
    assert.equal(r.blueprint, undefined, name);
    const w = where(text, r.diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.severity, d.line, d.col]),
      [[code, 'error', line, col]],
      name,
    );
    assert.match(w[0]!.detail, /^Expected/, `${name}: says what was expected`);
    assert.doesNotMatch(w[0]!.summary + w[0]!.detail, /at line \d+|\n {4}at /, `${name}: no parser location text or stack`);
  }
});

test('invalid UTF-8 names the byte and its offset', () => {
  const bytes = new Uint8Array([...enc('version: 1\ncontext:\n  a: "caf'), 0xe9, ...enc('"\n')]);
  const r = load(bytes);
  assert.equal(r.blueprint, undefined);
  const [d] = r.diagnostics;
  assert.equal(d!.code, 'AKB1001');
  assert.match(d!.summary, /0xe9 at byte offset 29/);
  assert.equal(d!.subject!.start, 29);
  // Overlong encodings and lone surrogates are not UTF-8 either.
  for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8]]) {
    const r2 = load(new Uint8Array([...enc('a: '), ...bad]));
    assert.deepEqual([r2.diagnostics[0]!.code, r2.diagnostics[0]!.subject!.start], ['AKB1001', 3]);
  }
});

test('a UTF-8 BOM is allowed and offsets are into the text after it', () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc('version: 1\nentries:\n  - model: a.b\n')]);
  const r = load(bytes);
  assert.deepEqual(r.diagnostics, []);
  const bp = r.blueprint!;
  assert.equal(bp.text.startsWith('version'), true);
  const m = bp.pointers.get('/entries/0/model')!;
  assert.equal(bp.text.slice(m.start, m.end), 'a.b');
  assert.equal(bp.sha256, createHash('sha256').update(bytes).digest('hex'));
});

test('empty files are skipped by authentik: a warning and no blueprint', () => {
  for (const text of ['', '\n\n', '# just a comment\n# another\n', '---\n', '~\n', 'null\n', '{}\n', '[]\n']) {
    const r = load(text);
    assert.equal(r.blueprint, undefined, JSON.stringify(text));
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [['AKB1003', 'warning']],
      JSON.stringify(text),
    );
  }
});

test('duplicate keys: the last one wins, with a warning at the second key', () => {
  const text = 'version: 1\ncontext:\n  a: 1\n  b: 2\n  a: 3\nentries:\n  - model: x.y\n    attrs: {n: 1, n: 2}\n';
  const r = load(text);
  assert.deepEqual(r.blueprint!.context, { a: 3, b: 2 });
  assert.deepEqual(r.blueprint!.entries[0]!.attrs, { n: 2 });
  assert.deepEqual(
    where(text, r.diagnostics).map((d) => [d.code, d.severity, d.line, d.col]),
    [
      ['AKB1007', 'warning', 5, 3],
      ['AKB1007', 'warning', 8, 19],
    ],
  );
  // The pointer follows the value authentik uses.
  const p = r.blueprint!.pointers.get('/context/a')!;
  assert.equal(text.slice(p.start, p.end), '3');
});

test('anchors, aliases and merge keys behave as in PyYAML', () => {
  const text = [
    'version: 1',
    'context:',
    '  A: &A {x: 1, y: 1, k: A}',
    '  B: &B {x: 2, z: 2, k: B}',
    '  one:',
    '    <<: *A',
    '    y: own',
    '  many:',
    '    <<: [*A, *B]',
    '    y: own',
    '  late:',
    '    x: own',
    '    <<: {x: merged, w: 1}',
    '  quoted:',
    '    "<<": {x: 1}',
    '  list: &L [a, !Context c]',
    '  copy: *L',
    '',
  ].join('\n');
  const r = load(text);
  assert.deepEqual(r.diagnostics, []);
  const c = r.blueprint!.context;
  assert.deepEqual(c.one, { x: 1, y: 'own', k: 'A' });
  // Earlier mappings in the merge list win; own keys win over all.
  assert.deepEqual(c.many, { x: 1, y: 'own', k: 'A', z: 2 });
  assert.deepEqual(Object.keys(c.many as object), ['x', 'z', 'k', 'y']);
  assert.deepEqual(c.late, { x: 'own', w: 1 });
  assert.deepEqual(c.quoted, { '<<': { x: 1 } });
  assert.deepEqual((c.copy as unknown[])[0], 'a');
  assert.equal(((c.copy as unknown[])[1] as { $tag: string }).$tag, 'Context');
  // Pointers exist under the alias site; the alias itself points at `*L`.
  const bp = r.blueprint!;
  const slice = (p: string) => text.slice(bp.pointers.get(p)!.start, bp.pointers.get(p)!.end);
  assert.equal(slice('/context/copy'), '*L');
  assert.equal(slice('/context/copy/0'), 'a');
  assert.equal(slice('/context/late/x'), 'own');
  assert.equal(slice('/context/one/x'), '1');
});

test('alias and merge errors', () => {
  const rows: [string, string, string, number, number][] = [
    ['undefined alias', 'version: 1\ncontext:\n  a: *nope\n', 'AKB1008', 3, 6],
    ['alias before anchor', 'version: 1\ncontext:\n  a: *x\n  b: &x 1\n', 'AKB1008', 3, 6],
    ['recursive alias', 'version: 1\ncontext:\n  a: &x [1, *x]\n', 'AKB1009', 3, 13],
    ['merge of a scalar', 'version: 1\ncontext:\n  a:\n    <<: 1\n', 'AKB1010', 4, 9],
    ['merge list with a scalar', 'version: 1\ncontext:\n  b: &b {x: 1}\n  a:\n    <<: [*b, 2]\n', 'AKB1010', 5, 14],
    ['list as a key', 'version: 1\ncontext:\n  ? [1]\n  : 2\n', 'AKB1011', 3, 5],
  ];
  for (const [name, text, code, line, col] of rows) {
    const w = where(text, load(text).diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.severity, d.line, d.col]),
      [[code, 'error', line, col]],
      name,
    );
  }
});

test('an alias bomb stops at the expansion budget instead of exhausting memory', () => {
  // 100^4 nodes if expanded; refused once aliases pass 100,000 expanded nodes.
  const lines = ['version: 1', 'context:', `  l0: &l0 [${Array(100).fill('x').join(', ')}]`];
  for (let i = 1; i <= 4; i++)
    lines.push(
      `  l${i}: &l${i} [${Array(100)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  const text = lines.join('\n') + '\n';
  const t0 = performance.now();
  const r = load(text);
  assert.ok(performance.now() - t0 < 5000, 'refused quickly');
  assert.deepEqual(
    where(text, r.diagnostics).map((d) => [d.code, d.line]),
    [['AKB1009', 5]],
  );
});

test('sha256 is of the raw bytes and the text is kept for code frames', () => {
  const text = 'version: 1\nentries: []\n';
  const r = load(text);
  assert.equal(r.blueprint!.sha256, createHash('sha256').update(enc(text)).digest('hex'));
  assert.equal(r.blueprint!.text, text);
  assert.equal(r.blueprint!.uri, 'test.yaml');
});

test('tabs: PyYAML rejects them outside quoted/block scalars and comments', () => {
  const rejected: [string, number, number][] = [
    ['x: a\tb\n', 1, 5],
    ['x: b\t\n', 1, 5],
    ['x:\tb\n', 1, 3],
    ['x: [a,\tb]\n', 1, 7],
    ['x: 1\n\t\ny: 2\n', 2, 1],
    ['x: b\t# c\n', 1, 5],
  ];
  for (const [text, line, col] of rejected) {
    const r = load(text);
    assert.equal(r.blueprint, undefined, JSON.stringify(text));
    assert.deepEqual(
      where(text, r.diagnostics).map((d) => [d.code, d.line, d.col]),
      [['AKB1004', line, col]],
      JSON.stringify(text),
    );
  }
  const accepted: [string, unknown][] = [
    ["x: 'a\tb'\n", 'a\tb'],
    ['x: "a\tb"\n', 'a\tb'],
    ['x: |\n  a\tb\n', 'a\tb\n'],
    ['# c\td\nx: 1\n', 1],
    ['x: 1 # c\td\n', 1],
  ];
  for (const [text, value] of accepted) {
    const r = load(`version: 1\ncontext:\n  ${text.replace(/\n(?!$)/g, '\n  ')}`);
    assert.deepEqual(r.diagnostics, [], JSON.stringify(text));
    assert.deepEqual(r.blueprint!.context.x, value, JSON.stringify(text));
  }
});

test('CRLF line endings load like LF ones', () => {
  const text = 'version: 1\r\nentries:\r\n  - model: a.b\r\n    attrs:\r\n      name: x\r\n';
  const r = load(text);
  assert.deepEqual(r.diagnostics, []);
  const p = r.blueprint!.pointers.get('/entries/0/attrs/name')!;
  assert.equal(text.slice(p.start, p.end), 'x');
});
