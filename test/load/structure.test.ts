// Blueprint structure: the type checks authentik makes when it turns the YAML into its
// dataclasses (errors: the whole file is rejected), plus typo warnings for keys it ignores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, where } from './helpers.js';

const E = (body: string) => `version: 1\nentries:\n  - model: authentik_core.group\n${body}`;

// [name, yaml, code, severity, line, col] — one expected diagnostic per row.
const ROWS: [string, string, string, string, number, number][] = [
  ['quoted version', 'version: "1"\n', 'AKB1031', 'error', 1, 10],
  ['version 2', 'version: 2\n', 'AKB1031', 'error', 1, 10],
  ['float version', 'version: 1.0\n', 'AKB1031', 'error', 1, 10],
  ['empty version', 'version:\nentries: []\n', 'AKB1031', 'error', 1, 9],
  ['metadata without name', 'version: 1\nmetadata:\n  labels: {}\n', 'AKB1032', 'error', 3, 3],
  ['metadata name not a string', 'version: 1\nmetadata:\n  name: 5\n', 'AKB1032', 'error', 3, 9],
  ['metadata a list', 'version: 1\nmetadata: [a]\n', 'AKB1032', 'error', 2, 11],
  ['unquoted false label', 'version: 1\nmetadata:\n  name: x\n  labels:\n    blueprints.goauthentik.io/instantiate: false\n', 'AKB1033', 'error', 5, 44],
  ['integer label', 'version: 1\nmetadata:\n  name: x\n  labels:\n    a: 1\n', 'AKB1033', 'error', 5, 8],
  ['labels a list', 'version: 1\nmetadata:\n  name: x\n  labels: [a]\n', 'AKB1033', 'error', 4, 11],
  ['context a list', 'version: 1\ncontext: [a]\n', 'AKB1034', 'error', 2, 10],
  ['context null', 'version: 1\ncontext:\n', 'AKB1034', 'error', 2, 9],
  ['entries a scalar', 'version: 1\nentries: 5\n', 'AKB1035', 'error', 2, 10],
  ['section not a list', 'version: 1\nentries:\n  s1: x\n', 'AKB1035', 'error', 3, 7],
  ['entry a string', 'version: 1\nentries:\n  - foo\n', 'AKB1036', 'error', 3, 5],
  ['entry a tag', 'version: 1\nentries:\n  - !Enumerate [[a], SEQ, {model: x}]\n', 'AKB1036', 'error', 3, 5],
  ['entry without model', 'version: 1\nentries:\n  - identifiers: {name: x}\n', 'AKB1037', 'error', 3, 5],
  ['model a number', 'version: 1\nentries:\n  - model: 5\n', 'AKB1037', 'error', 3, 12],
  ['state misspelt', E('    state: presnt\n'), 'AKB1038', 'error', 4, 12],
  ['state capitalised', E('    state: Present\n'), 'AKB1038', 'error', 4, 12],
  ['state boolean', E('    state: yes\n'), 'AKB1038', 'error', 4, 12],
  ['numeric id', E('    id: 5\n'), 'AKB1039', 'error', 4, 9],
  ['identifiers a list', E('    identifiers: [a]\n'), 'AKB1040', 'error', 4, 18],
  ['attrs a scalar', E('    attrs: 5\n'), 'AKB1040', 'error', 4, 12],
  ['identifier key an int', E('    identifiers:\n      1: x\n'), 'AKB1040', 'error', 5, 7],
  ['conditions a scalar', E('    conditions: true\n'), 'AKB1041', 'error', 4, 17],
  ['permission a string', E('    permissions: [view_flow]\n'), 'AKB1042', 'error', 4, 19],
  ['permission missing', E('    permissions: [{user: 1}]\n'), 'AKB1042', 'error', 4, 19],
  ['permission user a string', E('    permissions: [{permission: p, user: abc}]\n'), 'AKB1042', 'error', 4, 41],
  ['permission role a number', E('    permissions: [{permission: p, role: 5}]\n'), 'AKB1042', 'error', 4, 41],
  ['entry key typo attr', E('    attr: {name: x}\n'), 'AKB1043', 'warning', 4, 5],
  ['entry key typo identifer', E('    identifer: {name: x}\n'), 'AKB1043', 'warning', 4, 5],
  ['entry key unknown', E('    name: x\n'), 'AKB1043', 'warning', 4, 5],
  ['top-level typo', 'version: 1\nentry:\n  - model: x\n', 'AKB1044', 'warning', 2, 1],
  ['top-level typo metdata', 'version: 1\nmetdata: {name: x}\n', 'AKB1044', 'warning', 2, 1],
  ['top level list', '- a\n', 'AKB1030', 'error', 1, 1],
  ['top level scalar', 'hello\n', 'AKB1030', 'error', 1, 1],
];

test('structure rows: code, severity, line, column', () => {
  for (const [name, text, code, sev, line, col] of ROWS) {
    const w = where(text, load(text).diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.severity, d.line, d.col]),
      [[code, sev, line, col]],
      name,
    );
    assert.ok(w[0]!.detail.length > 0, `${name}: has detail`);
  }
});

test('typo warnings name the intended key', () => {
  const w = where(E('    attr: {}\n'), load(E('    attr: {}\n')).diagnostics);
  assert.match(w[0]!.summary, /"attr".*"attrs"/);
  const t = 'version: 1\nentry: []\n';
  assert.match(where(t, load(t).diagnostics)[0]!.summary, /"entries"/);
});

test('the label error says to quote the value', () => {
  const text = 'version: 1\nmetadata:\n  name: x\n  labels:\n    blueprints.goauthentik.io/instantiate: false\n';
  const [d] = where(text, load(text).diagnostics);
  assert.match(d!.detail, /"false"/);
});

test('valid blueprint: defaults, metadata, labels, context', () => {
  const text = [
    '# yaml-language-server: $schema=https://goauthentik.io/blueprints/schema.json',
    '$schema: ignored',
    'version: 1',
    'metadata:',
    '  name: Example',
    '  labels:',
    '    blueprints.goauthentik.io/instantiate: "false"',
    'context:',
    '  a: 1',
    'entries:',
    '  - model: authentik_flows.flow',
    '    id: flow',
    '    identifiers: {slug: x}',
    '  - model: authentik_core.group',
    '    state: absent',
    '    identifiers: {name: g}',
    '    attrs:',
    '    conditions: [true]',
    '    permissions: [{permission: view_group, user: 1}, {permission: change_group, role: !Find [authentik_rbac.role, [name, r]]}]',
    '',
  ].join('\n');
  const r = load(text);
  assert.deepEqual(r.diagnostics, []);
  const bp = r.blueprint!;
  assert.equal(bp.version, 1);
  assert.equal(bp.name, 'Example');
  assert.deepEqual(bp.labels, { 'blueprints.goauthentik.io/instantiate': 'false' });
  assert.deepEqual(bp.context, { a: 1 });
  assert.equal(bp.entries.length, 2);
  const [a, b] = bp.entries;
  assert.deepEqual(
    [a!.index, a!.pointer, a!.model, a!.state, a!.id, a!.attrs, a!.conditions, a!.permissions],
    [0, '/entries/0', 'authentik_flows.flow', 'present', 'flow', {}, [], []],
  );
  assert.deepEqual([b!.index, b!.state, b!.id, b!.attrs, b!.conditions, b!.permissions.length], [1, 'absent', undefined, {}, [true], 2]);
  assert.ok(text.slice(a!.range.start, a!.range.end).startsWith('model: authentik_flows.flow'));
});

test('missing version counts as 1; model and state may be tags', () => {
  const r = load('entries:\n  - model: !Format ["%s", authentik_core.group]\n    state: !Context st\n    identifiers: {name: x}\n');
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.blueprint!.version, 1);
  assert.equal((r.blueprint!.entries[0]!.model as { $tag: string }).$tag, 'Format');
  assert.equal((r.blueprint!.entries[0]!.state as { $tag: string }).$tag, 'Context');
});

test('entries as sections keep document order, pointers include the section', () => {
  const text = 'version: 1\nentries:\n  users:\n    - model: a.b\n      id: u\n  "1":\n    - model: a.c\n  groups:\n    - model: a.d\n    - model: a.e\n';
  const r = load(text);
  assert.deepEqual(r.diagnostics, []);
  const es = r.blueprint!.entries;
  assert.deepEqual(
    es.map((e) => [e.index, e.pointer, e.model]),
    [
      [0, '/entries/users/0', 'a.b'],
      [1, '/entries/1/0', 'a.c'],
      [2, '/entries/groups/0', 'a.d'],
      [3, '/entries/groups/1', 'a.e'],
    ],
  );
  assert.equal(text.slice(es[1]!.range.start, es[1]!.range.end).trim(), 'model: a.c');
});

test('a structurally invalid file still yields a blueprint so later stages can add context', () => {
  const r = load('version: 2\nentries:\n  - foo\n  - model: a.b\n');
  assert.deepEqual(
    r.diagnostics.map((d) => d.code),
    ['AKB1031', 'AKB1036'],
  );
  assert.equal(r.blueprint!.version, 2);
  assert.deepEqual(
    r.blueprint!.entries.map((e) => [e.index, e.pointer]),
    [[0, '/entries/1']],
  );
});
