// validateBlueprints as a whole: the code catalogue, --strict, ordering, several files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { load, located, yaml } from './rule-tester.js';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { RULES, VALIDATE_CODES, validateBlueprints } from '../../src/validate/index.js';
import { modelValidator } from '../../src/validate/ajv.js';

const reg = bundledRegistry('2026.5');

test('codes are unique, in the AKB2xxx range, and every rule message uses one of them', () => {
  const codes = VALIDATE_CODES.map((c) => c.code);
  assert.equal(new Set(codes).size, codes.length);
  for (const c of codes) assert.match(c, /^AKB2\d{3}$/);
  const ids = new Set<string>();
  for (const rule of RULES) {
    assert.ok(!ids.has(rule.id), `duplicate rule id ${rule.id}`);
    ids.add(rule.id);
    for (const [id, m] of Object.entries(rule.meta.messages)) {
      assert.ok(codes.includes(m.code.code), `${rule.id}.${id} uses ${m.code.code}, not in VALIDATE_CODES`);
    }
  }
});

const typo = yaml`
  version: 1
  entries:
    - model: authentik_flows.flow
      id: f
      identifiers: {slug: f}
      attrs: {name: F, title: F, designation: authentication, titel: x}
    - model: authentik_flows.flowstagebinding
      identifiers: {target: !KeyOf g, stage: !KeyOf f, order: 0}`;

test('every diagnostic is located, keyed to its entry and sorted by position', () => {
  const ds = validateBlueprints([load(typo)], { registry: reg });
  assert.deepEqual(
    ds.map((d) => located(d, typo)).map(({ code, severity, line, column }) => ({ code, severity, line, column })),
    [
      { code: 'AKB2004', severity: 'error', line: 6, column: 61 },
      { code: 'AKB2007', severity: 'error', line: 8, column: 27 },
    ],
  );
  assert.deepEqual(
    ds.map((d) => d.entry),
    ['test.yaml#f', 'test.yaml#1'],
  );
});

test('a typo in a field name is an error (authentik would drop it silently); --lenient keeps the warning', () => {
  const lenient = validateBlueprints([load(typo)], { registry: reg, lenient: true });
  assert.deepEqual(
    lenient.map((d) => `${d.code} ${d.severity}`),
    ['AKB2004 warning', 'AKB2007 error'],
  );
  const far = validateBlueprints(
    [
      load(yaml`
    version: 1
    entries:
      - model: authentik_stages_prompt.prompt
        identifiers: {field_key: k}
        attrs: {label: K, type: text, prompt_type: text}`),
    ],
    { registry: reg },
  );
  assert.deepEqual(
    far.filter((d) => d.code === 'AKB2004').map((d) => d.severity),
    ['warning'],
    'a field of another release, not a near miss, stays a warning',
  );
});

test('--strict turns warnings into errors and keeps errors', () => {
  const ds = validateBlueprints([load(typo)], { registry: reg, strict: true });
  assert.deepEqual(
    ds.map((d) => `${d.code} ${d.severity}`),
    ['AKB2004 error', 'AKB2007 error'],
  );
});

test('ids are per blueprint: the same id in two files is no duplicate and no cross-file !KeyOf', () => {
  const a = load(
    yaml`
    version: 1
    entries:
      - {model: authentik_core.group, id: g, identifiers: {name: a}}`,
    'a.yaml',
  );
  const b = load(
    yaml`
    version: 1
    entries:
      - {model: authentik_core.group, id: g, identifiers: {name: b}}
      - {model: authentik_core.user, identifiers: {username: u}, attrs: {name: U, groups: [!KeyOf g, !KeyOf h]}}`,
    'b.yaml',
  );
  const ds = validateBlueprints([a, b], { registry: reg });
  assert.deepEqual(
    ds.map((d) => `${d.subject?.uri} ${d.code} ${d.summary}`),
    ['b.yaml AKB2007 !KeyOf `h`: no entry has this id'],
  );
});

test('one compiled validator per model and registry, reused across calls', () => {
  const v1 = modelValidator(reg, 'authentik_core.user');
  validateBlueprints([load(typo)], { registry: reg });
  assert.equal(modelValidator(reg, 'authentik_core.user'), v1);
  assert.notEqual(modelValidator(bundledRegistry('2023.6'), 'authentik_core.user'), v1);
});

test('a clean blueprint gives nothing', () => {
  const ds = validateBlueprints(
    [
      load(yaml`
    version: 1
    metadata: {name: clean}
    entries:
      - model: authentik_flows.flow
        id: flow
        identifiers: {slug: clean}
        attrs: {name: Clean, title: Clean, designation: authentication}
      - model: authentik_stages_dummy.dummystage
        id: stage
        identifiers: {name: clean}
      - model: authentik_flows.flowstagebinding
        identifiers: {target: !KeyOf flow, stage: !KeyOf stage, order: 10}`),
    ],
    { registry: reg },
  );
  assert.deepEqual(ds, []);
});

// Some checks of the issue live in load, which sees the raw YAML; validate must not repeat them.
test('load reports id / !Condition / state / version problems once, validate adds nothing', async () => {
  const { loadBlueprint } = await import('../../src/load/index.js');
  const cases: [string, string][] = [
    ['version: 1\nentries:\n  - {model: authentik_core.group, id: 5, identifiers: {name: a}}\n', 'AKB1039'],
    ['version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: !Condition [MAYBE, true]}}\n', 'AKB1022'],
    ['version: 1\nentries:\n  - {model: authentik_core.group, identifiers: {name: !Condition [AND]}}\n', 'AKB1021'],
    ['version: 1\nentries:\n  - {model: authentik_core.group, state: gone, identifiers: {name: a}}\n', 'AKB1038'],
    ['version: 2\nentries: []\n', 'AKB1031'],
  ];
  for (const [text, code] of cases) {
    const r = loadBlueprint({ uri: 't.yaml', path: 't.yaml', bytes: new TextEncoder().encode(text), origin: { kind: 'file', uri: 't.yaml', local: true } });
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
      [code],
      text,
    );
    if (r.blueprint)
      assert.deepEqual(
        validateBlueprints([r.blueprint], { registry: reg }).map((d) => d.code),
        [],
        text,
      );
  }
});
