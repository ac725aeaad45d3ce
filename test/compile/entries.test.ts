// Building CompiledEntry values: keys, model names, identifiers merged into attrs, blueprint-only
// fields, field origins, states and entries dropped by their conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../src/diag/index.js';
import { codes, compile, load } from './helpers.js';

test('keys use the id when there is one, else the model and identifiers; model names are canonical', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_flows.Flow
    id: flow
    identifiers: {slug: f}
    attrs: {name: F, title: F, designation: authentication}
  - model: authentik_tenants.Tenant
    identifiers: {domain: example.com}
`,
  );
  const res = compile([bp], {}, '2023.6');
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.id, e.model, e.state]),
    [
      ['a.yaml#flow', 'flow', 'authentik_flows.flow', 'present'],
      ['a.yaml#authentik_tenants.tenant[domain=example.com]', undefined, 'authentik_tenants.tenant', 'present'],
    ],
  );
  assert.equal(res.entries[1]!.source.kind, 'file');
});

test('a computed unknown model is an error at the model value naming the version, even when conditions are false', () => {
  // A model written out is validate's to check (AKB2001); compile reports the ones a tag computes.
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: !Format ["%s", authentik_interfaces.interface]
    conditions: [false]
    identifiers: {name: x}
`,
  );
  const res = compile([bp]);
  assert.deepEqual(codes(res), ['AKB3001 a.yaml:3:12']);
  assert.equal(res.diagnostics[0]!.summary, 'unknown model authentik_interfaces.interface for authentik 2026.5');
  assert.deepEqual(res.entries, []);
});

test('identifiers are always-merged into attrs as the importer does', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    identifiers:
      name: from-identifiers
      attributes: {other_key: [other_value]}
    attrs:
      name: test999
      attributes: {key: [updated_value]}
      roles: []
`,
  );
  const [e] = compile([bp]).entries;
  assert.deepEqual(e!.identifiers, { name: 'from-identifiers', attributes: { other_key: ['other_value'] } });
  assert.deepEqual(e!.attrs, { name: 'from-identifiers', attributes: { key: ['updated_value'], other_key: ['other_value'] }, roles: [] });
});

test('blueprint-only fields move to secrets, secret ones marked; origins point at each field', () => {
  const text = `version: 1
entries:
  - model: authentik_core.user
    identifiers:
      username: akadmin
    attrs:
      name: Admin
      password: !Env [AK_PW, changeme]
  - model: authentik_flows.flow
    identifiers: {slug: f}
    attrs: {background: /static/bg.png, name: F}
`;
  const bp = load('a.yaml', text);
  const res = compile([bp], { env: { AK_PW: 'hunter2' } }, '2023.6');
  const [user, flow] = res.entries;
  assert.deepEqual(user!.attrs, { name: 'Admin', username: 'akadmin' });
  assert.deepEqual(user!.secrets, { password: { value: 'hunter2', secret: true } });
  assert.deepEqual(flow!.secrets, { background: { value: '/static/bg.png', secret: false } });
  const ix = new LineIndex(text);
  const at = (r: { start: number } | undefined) => (r ? ix.lineCol(r.start) : undefined);
  assert.deepEqual(at(user!.origin.fields.username), { line: 5, col: 17 });
  assert.deepEqual(at(user!.origin.fields.password), { line: 8, col: 17 });
  assert.deepEqual(at(user!.origin.range), { line: 3, col: 5 });
});

test('a blueprint-only field that is a body field under another name is renamed (2026.5 application icon)', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.application
    identifiers: {slug: app}
    attrs: {name: App, icon: https://x/icon.png}
`,
  );
  const [app] = compile([bp]).entries;
  assert.deepEqual(app!.attrs, { name: 'App', slug: 'app', meta_icon: 'https://x/icon.png' });
  assert.deepEqual(app!.secrets, {});
  assert.ok(app!.origin.fields.meta_icon);
});

test('entries whose conditions are false are dropped with the reason; their attrs are never evaluated', () => {
  const bp = load(
    'a.yaml',
    `version: 1
context:
  enabled: false
entries:
  - model: authentik_core.group
    identifiers: {name: kept}
    conditions: [true, !Condition [OR, 1, 0]]
  - model: authentik_core.group
    identifiers: {name: skipped}
    conditions:
      - true
      - !Context enabled
    attrs:
      attributes: {broken: !Format ["%d", not-a-number]}
  - model: authentik_core.group
    identifiers: {name: later}
    conditions: [!Find [authentik_core.group, [name, x]]]
`,
  );
  const res = compile([bp]);
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => e.key),
    ['a.yaml#authentik_core.group[name=kept]', 'a.yaml#authentik_core.group[name=later]'],
  );
  assert.deepEqual(
    res.dropped.map((d) => [d.key, d.model, d.reason]),
    [['a.yaml#authentik_core.group[name=skipped]', 'authentik_core.group', 'condition 2 (line 12) is false']],
  );
  assert.deepEqual(res.entries[1]!.conditions, [{ $find: { model: 'authentik_core.group', query: [['name', 'x']] } }]);
});

test('!KeyOf inside a policy binding asks for the pbm uuid; elsewhere the pk', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: f}
  - model: authentik_policies.PolicyBinding
    identifiers: {target: !KeyOf flow, order: 0}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf flow, stage: !Find [authentik_stages_dummy.dummystage, [name, d]], order: 0}
`,
  );
  const res = compile([bp]);
  assert.deepEqual(res.entries[1]!.identifiers.target, { $keyOf: 'flow', pbm: true });
  assert.deepEqual(res.entries[2]!.identifiers.target, { $keyOf: 'flow', pbm: false });
});

test('states: tag-valued, version-dependent, invalid', () => {
  const bp = load(
    'a.yaml',
    `version: 1
context:
  st: absent
entries:
  - model: authentik_core.group
    state: !Context st
    identifiers: {name: a}
  - model: authentik_core.group
    state: must_created
    identifiers: {name: b}
  - model: authentik_core.group
    state: !Context [missing, gone]
    identifiers: {name: c}
`,
  );
  const res = compile([bp], {}, '2023.6');
  // must_created written out on 2023.6 is validate's (AKB2011); the computed state is compile's.
  assert.deepEqual(codes(res), ['AKB3003 a.yaml:12:12']);
  assert.match(res.diagnostics[0]!.detail!, /expected one of present, created, absent/);
  assert.deepEqual(
    res.entries.map((e) => [e.key, e.state]),
    [['a.yaml#authentik_core.group[name=a]', 'absent']],
  );
});

test("a second entry with the same id is keyed by its content (the duplicate is validate's error, AKB2006)", () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_core.group
    id: g
    identifiers: {name: a}
  - model: authentik_core.group
    id: g
    identifiers: {name: b}
`,
  );
  const res = compile([bp]);
  assert.deepEqual(codes(res), []);
  assert.deepEqual(
    res.entries.map((e) => e.key),
    ['a.yaml#g', 'a.yaml#authentik_core.group[name=b]'],
  );
});

test('an identifier given as {pk: X} means X, in the lookup and in the written data', () => {
  const bp = load(
    'a.yaml',
    `version: 1
entries:
  - model: authentik_policies.policybinding
    identifiers:
      target: {pk: 5f3c1e8a-0000-4000-8000-000000000001}
      order: 0
    attrs:
      group: {pk: 3}
`,
  );
  const [e] = compile([bp]).entries;
  assert.deepEqual(e!.identifiers, { target: '5f3c1e8a-0000-4000-8000-000000000001', order: 0 });
  assert.deepEqual(e!.attrs, { group: { pk: 3 }, target: '5f3c1e8a-0000-4000-8000-000000000001', order: 0 }, 'attrs keep their own shape');
});
