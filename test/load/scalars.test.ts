// YAML 1.1 scalar resolution must match PyYAML's SafeLoader (authentik's loader), not the
// `yaml` package's yaml-1.1 schema. Every expected row below was produced by PyYAML 6.0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, where } from './helpers.js';

// [plain scalar, PyYAML type, value] — timestamps as DRF's JSON encoder prints the Python
// object; "big" = an integer beyond 2^53; Infinity/NaN as strings for JSON-safety of the table.
const PLAIN: [string, string, unknown][] = [
  ['yes', 'bool', true],
  ['Yes', 'bool', true],
  ['YES', 'bool', true],
  ['no', 'bool', false],
  ['No', 'bool', false],
  ['NO', 'bool', false],
  ['true', 'bool', true],
  ['True', 'bool', true],
  ['TRUE', 'bool', true],
  ['false', 'bool', false],
  ['False', 'bool', false],
  ['FALSE', 'bool', false],
  ['on', 'bool', true],
  ['On', 'bool', true],
  ['ON', 'bool', true],
  ['off', 'bool', false],
  ['Off', 'bool', false],
  ['OFF', 'bool', false],
  ['y', 'str', 'y'],
  ['Y', 'str', 'Y'],
  ['n', 'str', 'n'],
  ['N', 'str', 'N'],
  ['tRue', 'str', 'tRue'],
  ['yEs', 'str', 'yEs'],
  ['oN', 'str', 'oN'],
  ['~', 'null', null],
  ['null', 'null', null],
  ['Null', 'null', null],
  ['NULL', 'null', null],
  ['nULL', 'str', 'nULL'],
  ['', 'null', null],
  ['0', 'int', 0],
  ['-0', 'int', 0],
  ['+0', 'int', 0],
  ['00', 'int', 0],
  ['0_', 'int', 0],
  ['12', 'int', 12],
  ['+12', 'int', 12],
  ['-12', 'int', -12],
  ['1_000', 'int', 1000],
  ['1__0', 'int', 10],
  ['_1', 'str', '_1'],
  ['0777', 'int', 511],
  ['-0777', 'int', -511],
  ['07_7', 'int', 63],
  ['08', 'str', '08'],
  ['0778', 'str', '0778'],
  ['0o17', 'str', '0o17'],
  ['0b101', 'int', 5],
  ['-0b11', 'int', -3],
  ['0b2', 'str', '0b2'],
  ['0x1F', 'int', 31],
  ['-0x1F', 'int', -31],
  ['0x_1f', 'int', 31],
  ['0X1F', 'str', '0X1F'],
  ['190:20:30', 'int', 685230],
  ['-1:30', 'int', -90],
  ['1:59', 'int', 119],
  ['1:60', 'str', '1:60'],
  ['0:1', 'str', '0:1'],
  ['123456789012345678901234567890', 'int', 'big'],
  ['1.5', 'float', 1.5],
  ['-1.5', 'float', -1.5],
  ['1.', 'float', 1.0],
  ['0.', 'float', 0.0],
  ['.5', 'float', 0.5],
  ['+.5', 'str', '+.5'],
  ['-.5', 'str', '-.5'],
  ['1e3', 'str', '1e3'],
  ['1E3', 'str', '1E3'],
  ['1.0e3', 'str', '1.0e3'],
  ['1.0e+3', 'float', 1000.0],
  ['1.0E-3', 'float', 0.001],
  ['1.e-3', 'float', 0.001],
  ['.5e+1', 'float', 5.0],
  ['12e03', 'str', '12e03'],
  ['1_000.5_0', 'float', 1000.5],
  ['0.1_2', 'float', 0.12],
  ['190:20:30.15', 'float', 685230.15],
  ['-190:20:30.5', 'float', -685230.5],
  ['.inf', 'float', 'Infinity'],
  ['-.Inf', 'float', '-Infinity'],
  ['+.INF', 'float', 'Infinity'],
  ['.NaN', 'float', 'NaN'],
  ['.nan', 'float', 'NaN'],
  ['.NAN', 'float', 'NaN'],
  ['inf', 'str', 'inf'],
  ['nan', 'str', 'nan'],
  ['NaN', 'str', 'NaN'],
  ['2001-12-14', 'timestamp', '2001-12-14'],
  ['2001-12-14t21:59:43.10-05:00', 'timestamp', '2001-12-14T21:59:43.100000-05:00'],
  ['2001-12-14 21:59:43.10 -5', 'timestamp', '2001-12-14T21:59:43.100000-05:00'],
  ['2001-12-14 21:59:43.10', 'timestamp', '2001-12-14T21:59:43.100000'],
  ['2001-1-1T1:00:00Z', 'timestamp', '2001-01-01T01:00:00Z'],
  ['2001-12-14  21:59:43.1234567 Z', 'timestamp', '2001-12-14T21:59:43.123456Z'],
  ['2001-12-14 21:59:43.10 -05:30', 'timestamp', '2001-12-14T21:59:43.100000-05:30'],
  ['2001-12-14T21:59:43+5', 'timestamp', '2001-12-14T21:59:43+05:00'],
  ['2001-12-14 21:59:43.', 'timestamp', '2001-12-14T21:59:43'],
  ['2001-1-14', 'str', '2001-1-14'],
  ['=x', 'str', '=x'],
  ['<<x', 'str', '<<x'],
  ['~x', 'str', '~x'],
  ['a:b', 'str', 'a:b'],
  ['hello', 'str', 'hello'],
  ['0x', 'str', '0x'],
  ['1,000', 'str', '1,000'],
  ['1:2:3.x', 'str', '1:2:3.x'],
  ['-x', 'str', '-x'],
  ['+', 'str', '+'],
  ['.', 'str', '.'],
  ['..5', 'str', '..5'],
  ['0.0.1', 'str', '0.0.1'],
  ['1.2.3', 'str', '1.2.3'],
  ['v1', 'str', 'v1'],
  ['1_', 'int', 1],
  ['0b', 'str', '0b'],
  ['+-1', 'str', '+-1'],
];

function expected(kind: string, v: unknown): unknown {
  if (kind === 'float' && v === 'Infinity') return Infinity;
  if (kind === 'float' && v === '-Infinity') return -Infinity;
  if (kind === 'float' && v === 'NaN') return NaN;
  return v;
}

test('plain scalars resolve as PyYAML SafeLoader does', () => {
  const text = `version: 1\ncontext:\n${PLAIN.map(([s], i) => `  k${i}: ${s}`).join('\n')}\n`;
  const r = load(text);
  assert.ok(r.blueprint, JSON.stringify(r.diagnostics));
  const ctx = r.blueprint.context;
  PLAIN.forEach(([src, kind, v], i) => {
    const got = ctx[`k${i}`];
    if (v === 'big') assert.ok(typeof got === 'number' && got > 2 ** 53, `${src}: ${String(got)}`);
    else assert.deepEqual(got, expected(kind, v), `plain ${JSON.stringify(src)} should be ${kind} ${String(v)}`);
  });
  // Only the out-of-range integer is worth a diagnostic.
  const w = where(text, r.diagnostics);
  assert.deepEqual(
    w.map((d) => d.code),
    ['AKB1016'],
  );
});

test('quoted and block scalars are always strings', () => {
  const samples = ['yes', 'no', 'on', 'null', '~', '12', '0777', '1.5', '.inf', '2001-12-14', '<<', '='];
  const text = 'version: 1\ncontext:\n' + samples.map((s, i) => `  s${i}: '${s}'\n  d${i}: "${s}"\n  b${i}: |-\n    ${s}`).join('\n') + '\n';
  const r = load(text);
  assert.ok(r.blueprint, JSON.stringify(r.diagnostics));
  samples.forEach((s, i) => {
    for (const p of ['s', 'd', 'b']) assert.equal(r.blueprint!.context[`${p}${i}`], s, `${p}${i}`);
  });
  assert.deepEqual(r.diagnostics, []);
});

test('explicit standard tags construct like PyYAML', () => {
  const r = load(
    'version: 1\ncontext:\n  a: !!str 12\n  b: !!int "12"\n  c: !!float 1\n  d: !!bool yes\n  e: !!null x\n  f: !!timestamp 2001-01-01\n  g: !!int 0x10\n  h: !!str yes\n',
  );
  assert.ok(r.blueprint);
  assert.deepEqual(r.blueprint.context, { a: '12', b: 12, c: 1, d: true, e: null, f: '2001-01-01', g: 16, h: 'yes' });
  assert.deepEqual(r.diagnostics, []);
});

test('scalars PyYAML cannot construct are errors at their position', () => {
  const rows: [string, string][] = [
    ['!!int abc', 'AKB1014'],
    ['!!bool y', 'AKB1014'],
    ['2001-02-30', 'AKB1014'],
    ['2001-12-14 25:00:00', 'AKB1014'],
    ['0b_', 'AKB1014'],
    ['=', 'AKB1014'],
    ['<<', 'AKB1014'],
    ['!!binary aGVsbG8=', 'AKB1015'],
    ['!!set {a: null}', 'AKB1015'],
    ['!!omap [a: 1]', 'AKB1015'],
    ['!!str [a]', 'AKB1015'],
  ];
  for (const [src, code] of rows) {
    const text = `version: 1\ncontext:\n  x: ${src}\n`;
    const w = where(text, load(text).diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.severity, d.line, d.col]),
      [[code, 'error', 3, 6]],
      src,
    );
  }
});

test('mapping keys become the JSON key PyYAML + json.dumps would give', () => {
  const text = 'version: 1\ncontext:\n  1: a\n  on: b\n  ~: c\n  "yes": d\n  2001-01-01: e\n  1.5: f\n';
  const r = load(text);
  assert.ok(r.blueprint);
  assert.deepEqual(r.blueprint.context, { '1': 'a', true: 'b', null: 'c', yes: 'd', '2001-01-01': 'e', '1.5': 'f' });
  // Plain keys that turn into booleans or null are a classic YAML 1.1 trap: warn.
  const w = where(text, r.diagnostics);
  assert.deepEqual(
    w.map((d) => [d.code, d.line, d.col]),
    [
      ['AKB1013', 4, 3],
      ['AKB1013', 5, 3],
    ],
  );
  assert.match(w[0]!.summary, /boolean true/);
});

test('typed-scalar errors never quote the value (it may be a password)', () => {
  for (const src of ['!!int hunter2', '!!bool hunter2', '!!float hunter2', '!!timestamp hunter2', '2001-02-30', '2001-12-14 25:00:00']) {
    const text = `version: 1\nentries:\n  - model: authentik_core.user\n    identifiers: {username: u}\n    attrs:\n      password: ${src}\n`;
    const w = where(text, load(text).diagnostics);
    assert.deepEqual(
      w.map((d) => [d.code, d.line, d.col]),
      [['AKB1014', 6, 17]],
      src,
    );
    const secret = src.replace(/^!!\w+ /, '');
    assert.ok(!`${w[0]!.summary}\n${w[0]!.detail}`.includes(secret), `${src}: ${w[0]!.summary}`);
  }
});
