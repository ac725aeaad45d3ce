// One row per tag rule: the YAML a user writes, the value compile produces for it, and the
// diagnostics (code file:line:col) it reports. `v` sits at line 8, column 12 unless a context
// block is added above it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CompileOptions } from '../../src/compile/index.js';
import type { DesiredValue, SourceOrigin } from '../../src/model/types.js';
import { codes, compile, groupWith, load } from './helpers.js';

interface Row {
  name: string;
  value: string;
  context?: string;
  opts?: Partial<CompileOptions>;
  origin?: Partial<SourceOrigin>;
  version?: string;
  want?: DesiredValue;
  diags?: string[];
}

const ctx = (body: string): string => `context:\n${body}`;

const rows: Row[] = [
  // !Env
  { name: 'Env set', value: '!Env AK_NAME', opts: { env: { AK_NAME: 'x' } }, want: 'x' },
  { name: 'Env unset → default keeps its YAML type', value: '!Env [AK_NAME, 5]', want: 5 },
  { name: 'Env empty counts as unset', value: '!Env [AK_NAME, dflt]', opts: { env: { AK_NAME: '' } }, want: 'dflt' },
  { name: 'Env unset without default → null', value: '!Env AK_NAME', want: null },
  { name: "Env refuses akbp's token", value: '!Env AUTHENTIK_TOKEN', opts: { env: { AUTHENTIK_TOKEN: 's3cret' } }, want: null, diags: ['AKB3005 a.yaml:8:12'] },
  {
    name: 'Env refuses AKBP_ settings',
    value: '!Env [AKBP_GIT_PASSWORD, x]',
    opts: { env: { AKBP_GIT_PASSWORD: 's3cret' } },
    want: null,
    diags: ['AKB3005 a.yaml:8:12'],
  },
  { name: 'Env refuses authentik secrets', value: '!Env AUTHENTIK_SECRET_KEY', want: null, diags: ['AKB3005 a.yaml:8:12'] },
  {
    name: 'Env from a git source needs an allow pattern',
    value: '!Env AK_NAME',
    origin: { kind: 'git', local: false },
    opts: { env: { AK_NAME: 'x' } },
    want: null,
    diags: ['AKB3006 a.yaml:8:12'],
  },
  {
    name: 'Env from a git source with a matching pattern',
    value: '!Env AK_NAME',
    origin: { kind: 'git', local: false },
    opts: { env: { AK_NAME: 'x' }, envAllow: ['AK_*'] },
    want: 'x',
  },
  // !Context
  { name: 'Context exact key', value: '!Context foo', context: ctx('  foo: bar\n'), want: 'bar' },
  { name: 'Context missing without default → null, no diagnostic', value: '!Context nope', want: null },
  { name: 'Context default', value: '!Context [nope, 7]', want: 7 },
  {
    name: 'Context tag-valued entry is resolved at lookup',
    value: '!Context b',
    context: ctx('  a: one\n  b: !Format ["%s-two", !Context a]\n'),
    want: 'one-two',
  },
  {
    name: 'Context override merges over the blueprint (lists append)',
    value: '!Context groups',
    context: ctx('  groups: [a]\n'),
    opts: { contextOverrides: { groups: ['b'] } },
    want: ['a', 'b'],
  },
  { name: 'Context dotted path on 2026.5', value: '!Context a.b.1', context: ctx('  a: {b: [x, y]}\n'), want: 'y' },
  { name: 'Context literal dotted key wins', value: '!Context a.b', context: ctx('  a.b: literal\n  a: {b: nested}\n'), want: 'literal' },
  {
    // validate warns about the written dotted key (AKB2016); compile does not repeat it.
    name: 'Context dotted path is not walked on 2023.6',
    value: '!Context [a.b, none]',
    context: ctx('  a: {b: nested}\n'),
    version: '2023.6',
    want: 'none',
  },
  {
    name: 'Context dotted override lands nested on 2026.5',
    value: '!Context a',
    context: ctx('  a: {b: 1, c: 2}\n'),
    opts: { contextOverrides: { 'a.b': 9 } },
    want: { b: 9, c: 2 },
  },
  { name: 'Context cycle', value: '!Context a', context: ctx('  a: !Context b\n  b: !Context a\n'), want: null, diags: ['AKB3022 a.yaml:4:6'] },
  // !Format
  { name: 'Format %s of Python values', value: '!Format ["%s|%s|%s|%s", null, true, [a, b], 3]', want: "None|True|['a', 'b']|3" },
  { name: 'Format %d of a string', value: '!Format ["%d", abc]', want: null, diags: ['AKB3004 a.yaml:8:12'] },
  { name: 'Format with too few arguments', value: '!Format ["%s-%s", a]', want: null, diags: ['AKB3004 a.yaml:8:12'] },
  {
    name: 'Format over !KeyOf stays residual',
    value: '!Format ["%s-x", !KeyOf other]',
    // The unknown id is validate's error (AKB2007).
    want: { $format: { format: '%s-x', args: [{ $keyOf: 'other', pbm: false }] } },
  },
  {
    name: 'Format arity is checked even when residual',
    value: '!Format ["%s", !KeyOf other, 2]',
    want: null,
    diags: ['AKB3004 a.yaml:8:12'],
  },
  // !If / !Condition
  { name: 'If picks the then branch and resolves it', value: '!If [yes, {a: !Format ["%s", x]}, null]', want: { a: 'x' } },
  { name: 'If empty list is false', value: '!If [[], 1, 2]', want: 2 },
  { name: 'If one-argument form', value: '!If [0]', want: false },
  // The short form on 2023.6 and tags newer than the target are validate's warnings (AKB2016).
  { name: 'If one-argument form on 2023.6', value: '!If [1]', version: '2023.6', want: true },
  {
    name: 'If over !Find stays residual',
    value: '!If [!Find [authentik_flows.flow, [slug, s]], 1, 2]',
    want: { $if: { condition: { $find: { model: 'authentik_flows.flow', query: [['slug', 's']] } }, then: 1, else: 2, short: false } },
  },
  { name: 'Condition XOR parity', value: '!Condition [XOR, 1, 1, 1]', want: true },
  { name: 'Condition mode is case-insensitive', value: '!Condition [nor, 0, ""]', want: true },
  { name: 'Condition decided by a known false AND argument', value: '!Condition [AND, false, !Find [authentik_flows.flow, [slug, s]]]', want: false },
  // !Enumerate / !Index / !Value
  { name: 'Enumerate string iterates characters', value: '!Enumerate [abc, SEQ, !Index 0]', want: [0, 1, 2] },
  {
    name: 'Enumerate MAP merges pairs (lists append on duplicate keys)',
    value: '!Enumerate [[a, b, a], MAP, [!Value 0, [!Index 0]]]',
    want: { a: [0, 2], b: [1] },
  },
  {
    name: 'Enumerate MAP of mappings merges them (scalars: last wins)',
    value: '!Enumerate [[x, y], MAP, {k: !Index 0, all: [!Value 0]}]',
    want: { k: 1, all: ['x', 'y'] },
  },
  { name: 'Enumerate over a number', value: '!Enumerate [!Context n, SEQ, x]', context: ctx('  n: 5\n'), want: null, diags: ['AKB3009 a.yaml:10:12'] },
  { name: 'Enumerate MAP body that is neither pair nor mapping', value: '!Enumerate [[a], MAP, plain]', want: null, diags: ['AKB3010 a.yaml:8:12'] },
  { name: 'Index outside Enumerate', value: '[ok, !Index 0]', want: ['ok', null], diags: ['AKB3011 a.yaml:8:17'] },
  { name: 'Value deeper than the stack', value: '!Enumerate [[a], SEQ, !Value 1]', want: [null], diags: ['AKB3011 a.yaml:8:34'] },
  {
    name: 'Enumerate iterable may not be its own item',
    value: '!Enumerate [[[a]], SEQ, !Enumerate [!Value 0, SEQ, x]]',
    want: [null],
    diags: ['AKB3011 a.yaml:8:48'],
  },
  // !AtIndex / !ParseJSON / !KeyOf / !Find
  { name: 'AtIndex negative index', value: '!AtIndex [[a, b, c], -1]', want: 'c' },
  { name: 'AtIndex default', value: '!AtIndex [{k: 1}, missing, null]', want: null },
  { name: 'AtIndex out of range without default', value: '!AtIndex [[a], 3]', want: null, diags: ['AKB3012 a.yaml:8:12'] },
  { name: 'AtIndex on a string', value: '!AtIndex [abc, 0]', want: null, diags: ['AKB3012 a.yaml:8:12'] },
  { name: 'ParseJSON', value: `!ParseJSON '{"a": [1, true, null]}'`, want: { a: [1, true, null] } },
  {
    name: 'Find stays deferred with a canonical model',
    value: '!Find [authentik_flows.Flow, [slug, x]]',
    want: { $find: { model: 'authentik_flows.flow', query: [['slug', 'x']] } },
  },
  { name: 'Find of an unknown model', value: '!Find [authentik_flows.nope, [slug, x]]', want: null, diags: ['AKB3025 a.yaml:8:12'] },
  { name: 'Tag newer than the target version is still evaluated', value: '!AtIndex [[a], 0]', version: '2023.6', want: 'a' },
];

for (const row of rows) {
  test(`tag: ${row.name}`, () => {
    const bp = load('a.yaml', groupWith(row.value, row.context ?? ''), row.origin);
    const res = compile([bp], row.opts, row.version);
    assert.deepEqual(codes(res), row.diags ?? []);
    assert.equal(res.entries.length, 1);
    const attrs = res.entries[0]!.attrs.attributes as { [k: string]: DesiredValue };
    assert.deepEqual(attrs.v, row.want);
  });
}

test('diagnostics never contain the value of a refused variable', () => {
  const bp = load('a.yaml', groupWith('!Env AUTHENTIK_TOKEN'));
  const res = compile([bp], { env: { AUTHENTIK_TOKEN: 'tok-123456' } });
  assert.ok(!JSON.stringify(res).includes('tok-123456'));
  assert.match(res.diagnostics[0]!.summary, /AUTHENTIK_TOKEN/);
});

test('remote-origin refusal says how to allow the variable', () => {
  const bp = load('a.yaml', groupWith('!Env AK_NAME'), { kind: 'oci', local: false, uri: 'oci://r/x:1' });
  const res = compile([bp], { env: { AK_NAME: 'x' } });
  assert.match(res.diagnostics[0]!.detail ?? '', /--env-allow 'AK_NAME'/);
});

test('!ParseJSON failing at compile never quotes the text', () => {
  const bp = load('a.yaml', groupWith(`!ParseJSON '{"a": 1}'`));
  const attrs = bp.entries[0]!.attrs.attributes as { [k: string]: { $tag: string; text: string } };
  attrs.v!.text = '{"key": hunter2}';
  const res = compile([bp]);
  assert.deepEqual(codes(res), ['AKB3008 a.yaml:8:12']);
  assert.ok(!JSON.stringify(res.diagnostics).includes('hunter2'), res.diagnostics[0]!.summary);
});

test("a blueprint's context merges into the built-in keys, not over them", () => {
  const text = groupWith(`!Context goauthentik.io/rbac/models`, 'context:\n  goauthentik.io/rbac/models: {mymodel: my_app}\n');
  const res = compile([load('a.yaml', text)]);
  assert.deepEqual(codes(res), []);
  const models = (res.entries[0]!.attrs.attributes as { [k: string]: { [m: string]: string } }).v!;
  assert.equal(models.mymodel, 'my_app');
  assert.equal(models.flow, 'authentik_flows');
});
