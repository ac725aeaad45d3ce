// Every authentik tag: the shapes authentik's constructors accept become typed TagNodes; the
// shapes it crashes on (or that can only fail when resolved) are load diagnostics at the tag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, strip, where } from './helpers.js';

// The snippet is the value of attrs.v, which starts at line 6, column 10.
const doc = (snippet: string) => `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: g}\n    attrs:\n      v: ${snippet}\n`;

function loadV(snippet: string) {
  const text = doc(snippet);
  const r = load(text);
  const v = r.blueprint?.entries[0]?.attrs.v;
  return { text, r, v };
}

const VALID: [string, unknown][] = [
  ['!KeyOf my-id', { $tag: 'KeyOf', id: 'my-id' }],
  // Scalar forms take the node text verbatim: no int/bool resolution.
  ['!KeyOf 123', { $tag: 'KeyOf', id: '123' }],
  ['!Env FOO', { $tag: 'Env', name: 'FOO', default: null }],
  ['!Env 123', { $tag: 'Env', name: '123', default: null }],
  ['!Env FOO, bar', { $tag: 'Env', name: 'FOO, bar', default: null }],
  ['!Env [FOO, 5]', { $tag: 'Env', name: 'FOO', default: 5 }],
  ['!Env [FOO, null]', { $tag: 'Env', name: 'FOO', default: null }],
  ['!File /run/secret', { $tag: 'File', path: '/run/secret', default: null }],
  ['!File [/run/secret, "x"]', { $tag: 'File', path: '/run/secret', default: 'x' }],
  ['!Context foo', { $tag: 'Context', key: 'foo', default: null }],
  ['!Context [foo, {a: 1}]', { $tag: 'Context', key: 'foo', default: { a: 1 } }],
  ['!Format ["%s-%d", a, 1]', { $tag: 'Format', format: '%s-%d', args: ['a', 1] }],
  ['!Format [plain]', { $tag: 'Format', format: 'plain', args: [] }],
  ['!Format ["%s", !Context b]', { $tag: 'Format', format: '%s', args: [{ $tag: 'Context', key: 'b', default: null }] }],
  ['!Find [authentik_flows.flow, [slug, x]]', { $tag: 'Find', model: 'authentik_flows.flow', query: [['slug', 'x']] }],
  ['!Find [authentik_flows.flow]', { $tag: 'Find', model: 'authentik_flows.flow', query: [] }],
  [
    '!Find [!Format ["%s", m.x], [!Context k, !KeyOf v]]',
    {
      $tag: 'Find',
      model: { $tag: 'Format', format: '%s', args: ['m.x'] },
      query: [
        [
          { $tag: 'Context', key: 'k', default: null },
          { $tag: 'KeyOf', id: 'v' },
        ],
      ],
    },
  ],
  [
    '!FindObject [authentik_providers_oauth2.scopemapping, [scope_name, openid], [managed, x]]',
    {
      $tag: 'FindObject',
      model: 'authentik_providers_oauth2.scopemapping',
      query: [
        ['scope_name', 'openid'],
        ['managed', 'x'],
      ],
    },
  ],
  ['!Condition [AND, true, !Context x]', { $tag: 'Condition', mode: 'AND', args: [true, { $tag: 'Context', key: 'x', default: null }] }],
  ['!Condition [xnor, 1]', { $tag: 'Condition', mode: 'xnor', args: [1] }],
  ['!Condition ["Or", null]', { $tag: 'Condition', mode: 'Or', args: [null] }],
  ['!If [true, a, b]', { $tag: 'If', condition: true, then: 'a', else: 'b' }],
  ['!If [!Context x]', { $tag: 'If', condition: { $tag: 'Context', key: 'x', default: null } }],
  ['!If [yes, {k: !Format ["%s", x]}, [1]]', { $tag: 'If', condition: true, then: { k: { $tag: 'Format', format: '%s', args: ['x'] } }, else: [1] }],
  [
    '!Enumerate [!Context seq, SEQ, !Format ["%s", !Index 0]]',
    {
      $tag: 'Enumerate',
      iterable: { $tag: 'Context', key: 'seq', default: null },
      output: 'SEQ',
      body: { $tag: 'Format', format: '%s', args: [{ $tag: 'Index', depth: 0 }] },
    },
  ],
  [
    '!Enumerate [[a, b], map, [!Index 0, !Value 1]]',
    {
      $tag: 'Enumerate',
      iterable: ['a', 'b'],
      output: 'map',
      body: [
        { $tag: 'Index', depth: 0 },
        { $tag: 'Value', depth: 1 },
      ],
    },
  ],
  ['!Index 0', { $tag: 'Index', depth: 0 }],
  ['!Value 2', { $tag: 'Value', depth: 2 }],
  ['!Value 1_0', { $tag: 'Value', depth: 10 }],
  ['!AtIndex [!Context seq, 0]', { $tag: 'AtIndex', obj: { $tag: 'Context', key: 'seq', default: null }, key: 0, hasDefault: false, default: null }],
  ['!AtIndex [[1], 5, null]', { $tag: 'AtIndex', obj: [1], key: 5, hasDefault: true, default: null }],
  ['!AtIndex [{a: 1}, a, x]', { $tag: 'AtIndex', obj: { a: 1 }, key: 'a', hasDefault: true, default: 'x' }],
  [`!ParseJSON '{"foo": "bar"}'`, { $tag: 'ParseJSON', text: '{"foo": "bar"}' }],
];

test('valid tag forms become typed nodes', () => {
  for (const [snippet, want] of VALID) {
    const { r, v } = loadV(snippet);
    assert.deepEqual(r.diagnostics, [], snippet);
    assert.deepEqual(strip(v), want, snippet);
  }
});

test('block-style tagged sequences work like flow ones', () => {
  const text =
    'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers:\n      name: !Format\n        - "%s-%s"\n        - !Context a\n        - b\n';
  const r = load(text);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(strip(r.blueprint!.entries[0]!.identifiers.name), {
    $tag: 'Format',
    format: '%s-%s',
    args: [{ $tag: 'Context', key: 'a', default: null }, 'b'],
  });
});

// [snippet, code, column on line 6]
const INVALID: [string, string, number][] = [
  ['!KeyOf [a]', 'AKB1021', 10],
  ['!KeyOf ""', 'AKB1021', 10],
  ['!Env [FOO]', 'AKB1021', 10],
  ['!Env {a: 1}', 'AKB1021', 10],
  ['!File []', 'AKB1021', 10],
  ['!Context [k]', 'AKB1021', 10],
  ['!Format []', 'AKB1021', 10],
  ['!Format fmt', 'AKB1021', 10],
  ['!Format [!Context f, x]', 'AKB1021', 19],
  ['!Format [5]', 'AKB1021', 19],
  ['!Find slug', 'AKB1021', 10],
  ['!Find [m, slug]', 'AKB1021', 20],
  ['!Find [m, [slug]]', 'AKB1021', 20],
  ['!Find [m, [a, b, c]]', 'AKB1021', 20],
  ['!FindObject [m, {a: b}]', 'AKB1021', 26],
  ['!Condition [ANDD, x]', 'AKB1022', 22],
  ['!Condition [yes, x]', 'AKB1022', 22],
  ['!Condition [!Context m, x]', 'AKB1022', 22],
  ['!Condition [AND]', 'AKB1021', 10],
  ['!Condition AND', 'AKB1021', 10],
  ['!If [a, b]', 'AKB1021', 10],
  ['!If []', 'AKB1021', 10],
  ['!If x', 'AKB1021', 10],
  ['!Enumerate [x, SEQ]', 'AKB1021', 10],
  ['!Enumerate [x, LIST, y]', 'AKB1023', 25],
  ['!Enumerate [x, !Context o, y]', 'AKB1023', 25],
  ['!Index -1', 'AKB1024', 10],
  ['!Index x', 'AKB1024', 10],
  ['!Value 1.5', 'AKB1024', 10],
  ['!Value [0]', 'AKB1021', 10],
  ['!AtIndex [x]', 'AKB1021', 10],
  ['!AtIndex x', 'AKB1021', 10],
  ["!ParseJSON '{a: 1}'", 'AKB1025', 10],
  ['!ParseJSON [1]', 'AKB1021', 10],
  ['!FindMany [m, [a, b]]', 'AKB1020', 10],
  ['!Foo x', 'AKB1020', 10],
  ['!!python/object:os.system x', 'AKB1020', 10],
];

test('invalid tag arguments are errors at the tag (or the offending item)', () => {
  for (const [snippet, code, col] of INVALID) {
    const { text, r } = loadV(snippet);
    const w = where(text, r.diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.severity, d.line, d.col]),
      [[code, 'error', 6, col]],
      snippet,
    );
    assert.ok(w[0]!.detail.startsWith('Expected'), `${snippet}: detail says what was expected`);
  }
});

test('unknown tags name the tag and list the known ones', () => {
  const { text, r } = loadV('!FindMany [m, [a, b]]');
  const [d] = where(text, r.diagnostics);
  assert.match(d!.summary, /!FindMany/);
  for (const t of ['!KeyOf', '!Find', '!FindObject', '!AtIndex', '!ParseJSON']) assert.ok(d!.detail.includes(t), t);
  assert.match(d!.detail, /never merged/);
});

test('extra arguments authentik ignores are warnings at the first extra one', () => {
  const rows: [string, number][] = [
    ['!Env [A, b, c]', 22],
    ['!If [a, b, c, d]', 24],
    ['!AtIndex [a, b, c, d]', 29],
    ['!Enumerate [a, SEQ, b, c]', 33],
  ];
  for (const [snippet, col] of rows) {
    const { text, r, v } = loadV(snippet);
    assert.deepEqual(
      where(text, r.diagnostics).map((d) => [d.code, d.severity, d.line, d.col]),
      [['AKB1027', 'warning', 6, col]],
      snippet,
    );
    assert.ok(v !== null && typeof v === 'object' && '$tag' in v, snippet);
  }
});

test('a tag on a mapping key is rejected', () => {
  const text = 'version: 1\ncontext:\n  !KeyOf x: 1\n';
  assert.deepEqual(
    where(text, load(text).diagnostics).map((d) => [d.code, d.line, d.col]),
    [['AKB1012', 3, 3]],
  );
});

test('two tags on one node are a syntax error', () => {
  const text = doc('!ParseJSON !Env X');
  const r = load(text);
  assert.equal(r.blueprint, undefined);
  assert.deepEqual(
    where(text, r.diagnostics).map((d) => [d.code, d.line]),
    [['AKB1004', 6]],
  );
});

test('tag nodes carry their range (from the tag) and pointer; arguments have pointers', () => {
  const text = doc('!Find [authentik_flows.flow, [slug, !Context s]]');
  const r = load(text);
  const bp = r.blueprint!;
  const v = bp.entries[0]!.attrs.v as { range: { start: number; end: number }; pointer: string };
  assert.equal(v.pointer, '/entries/0/attrs/v');
  assert.equal(text.slice(v.range.start, v.range.end), '!Find [authentik_flows.flow, [slug, !Context s]]');
  const slice = (p: string) => {
    const rg = bp.pointers.get(p);
    assert.ok(rg, p);
    return text.slice(rg.start, rg.end);
  };
  assert.equal(slice('/entries/0/attrs/v/0'), 'authentik_flows.flow');
  assert.equal(slice('/entries/0/attrs/v/1'), '[slug, !Context s]');
  assert.equal(slice('/entries/0/attrs/v/1/0'), 'slug');
  assert.equal(slice('/entries/0/attrs/v/1/1'), '!Context s');
});

test('JSON form of tags (goauthentik.io/yaml-key + args)', () => {
  const text = `{
  "version": 1,
  "entries": [{
    "model": "authentik_core.application",
    "identifiers": {"slug": "a"},
    "attrs": {
      "provider": {"goauthentik.io/yaml-key": "!KeyOf", "args": "provider"},
      "flow": {"goauthentik.io/yaml-key": "!Find", "args": ["authentik_flows.flow", ["pk", {"goauthentik.io/yaml-key": "!Context", "args": "flow"}]]},
      "depth": {"goauthentik.io/yaml-key": "!Index", "args": 0},
      "other": {"goauthentik.io/yaml-key": "!FindMany", "args": []},
      "noargs": {"goauthentik.io/yaml-key": "!KeyOf", "x": 1},
      "extra": {"goauthentik.io/yaml-key": "!KeyOf", "args": "p", "note": "hi"}
    }
  }]
}
`;
  const r = load(text, 'test.json');
  const attrs = r.blueprint!.entries[0]!.attrs;
  assert.deepEqual(strip(attrs.provider), { $tag: 'KeyOf', id: 'provider' });
  assert.deepEqual(strip(attrs.flow), { $tag: 'Find', model: 'authentik_flows.flow', query: [['pk', { $tag: 'Context', key: 'flow', default: null }]] });
  assert.deepEqual(strip(attrs.depth), { $tag: 'Index', depth: 0 });
  // Unknown names and mappings without args stay plain mappings, as in authentik's decoder.
  assert.deepEqual(attrs.other, { 'goauthentik.io/yaml-key': '!FindMany', args: [] });
  assert.deepEqual(attrs.noargs, { 'goauthentik.io/yaml-key': '!KeyOf', x: 1 });
  assert.deepEqual(strip(attrs.extra), { $tag: 'KeyOf', id: 'p' });
  const w = where(text, r.diagnostics);
  assert.deepEqual(
    w.map((d) => [d.code, d.severity, d.line, d.col]),
    [
      ['AKB1026', 'warning', 10, 16],
      ['AKB1026', 'warning', 11, 17],
      ['AKB1026', 'warning', 12, 16],
    ],
  );
  assert.equal((attrs.flow as { pointer: string }).pointer, '/entries/0/attrs/flow');
  assert.ok(r.blueprint!.pointers.has('/entries/0/attrs/flow/1/1'));
});

test('!ParseJSON errors never quote the JSON text (it may hold a secret)', () => {
  for (const snippet of ["!ParseJSON 'hunter2'", `!ParseJSON '{"key": hunter2}'`]) {
    const { text, r } = loadV(snippet);
    const w = where(text, r.diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.line, d.col]),
      [['AKB1025', 6, 10]],
      snippet,
    );
    assert.ok(!`${w[0]!.summary}\n${w[0]!.detail}`.includes('hunter2'), w[0]!.summary);
  }
  // Reasons that only locate the fault are kept.
  const { text, r } = loadV("!ParseJSON '[1,'");
  assert.match(where(text, r.diagnostics)[0]!.summary, /not valid JSON: Unexpected end of JSON input/);
});
