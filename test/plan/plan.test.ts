import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { EntryState, JsonObject } from '../../src/model/index.js';
import { emptyState } from '../../src/state/index.js';
import { FakeServer, entry, planAgainst, reconcile, reg23, reg26, digest } from './fixtures.js';

const GROUP = 'authentik_core.group';

// state × live × desired → action, as the importer's §5 table says, plus akbp's must_created check.
const table: { state: EntryState; live: 'none' | 'same' | 'differs'; action: string; error?: string }[] = [
  { state: 'present', live: 'none', action: 'create' },
  { state: 'present', live: 'same', action: 'noop' },
  { state: 'present', live: 'differs', action: 'update' },
  { state: 'created', live: 'none', action: 'create' },
  { state: 'created', live: 'same', action: 'noop' },
  { state: 'created', live: 'differs', action: 'noop' },
  { state: 'must_created', live: 'none', action: 'create' },
  { state: 'must_created', live: 'same', action: 'conflict', error: 'AKB4003' },
  { state: 'absent', live: 'none', action: 'noop' },
  { state: 'absent', live: 'differs', action: 'delete' },
];

for (const row of table) {
  test(`state ${row.state} × live ${row.live} → ${row.action}`, async () => {
    const s = new FakeServer(reg23);
    if (row.live !== 'none') s.seed(GROUP, { name: 'ops', is_superuser: row.live === 'differs', attributes: {}, parent: null });
    const e = entry({ model: GROUP, state: row.state, identifiers: { name: 'ops' }, attrs: { name: 'ops', is_superuser: false } });
    const p = await planAgainst([e], s, reg23);
    const c = p.changes.find((x) => x.key === e.key)!;
    assert.equal(c.action, row.action);
    if (row.action === 'noop') assert.deepEqual(c.patch, []);
    if (row.action === 'update') assert.deepEqual(c.patch, [{ path: '/is_superuser', op: 'replace', before: true, after: false }]);
    assert.equal(p.applyable, row.error === undefined);
    if (row.error) assert.ok(p.diagnostics.some((d) => d.code === row.error && d.entry === e.key));
  });
}

test('values equal after normalisation plan no change: trimmed strings, numeric strings, set-like M2M, uuid case, JSON key order', async () => {
  const s = new FakeServer(reg23);
  const g1 = s.seed(GROUP, { name: 'a', attributes: {}, parent: null });
  const g2 = s.seed(GROUP, { name: 'b', attributes: {}, parent: null });
  s.seed('authentik_core.user', {
    username: 'u',
    name: 'User',
    path: 'users',
    groups: [g1.pk as string, g2.pk as string],
    attributes: { x: 1, y: { z: [1, 2] } },
    is_active: true,
  });
  s.seed('authentik_policies_password.passwordpolicy', { name: 'pw', length_min: 8, execution_logging: false });
  const p = await planAgainst(
    [
      entry({
        model: 'authentik_core.user',
        identifiers: { username: 'u' },
        attrs: {
          username: 'u',
          name: 'User\n',
          groups: [String(g2.pk).toUpperCase(), g1.pk],
          attributes: { y: { z: [1, 2] }, x: 1 },
          is_active: 'true',
          uid: 'read-only-ignored',
        },
      }),
      entry({ model: 'authentik_policies_password.passwordpolicy', identifiers: { name: 'pw' }, attrs: { name: 'pw', length_min: '8' } }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(
    p.changes.map((c) => [c.action, c.reason]),
    [
      ['noop', 'up to date'],
      ['noop', 'up to date'],
    ],
  );
});

test('JSON fields and M2M lists are replaced whole; the patch shows what goes', async () => {
  const s = new FakeServer(reg23);
  const g1 = s.seed(GROUP, { name: 'a', attributes: {}, parent: null });
  s.seed('authentik_core.user', { username: 'u', name: 'U', groups: [g1.pk as string], attributes: { keep: 1, drop: 2 } });
  const p = await planAgainst(
    [entry({ model: 'authentik_core.user', identifiers: { username: 'u' }, attrs: { username: 'u', groups: [], attributes: { keep: 1 } } })],
    s,
    reg23,
  );
  const c = p.changes[0]!;
  assert.equal(c.action, 'update');
  assert.deepEqual(c.patch, [
    { path: '/attributes', op: 'replace', before: { keep: 1, drop: 2 }, after: { keep: 1 } },
    { path: '/groups', op: 'replace', before: [g1.pk], after: [] },
  ]);
  assert.deepEqual(c.after, { attributes: { keep: 1 }, groups: [] });
  assert.equal(c.reason, 'attributes (removes key drop), groups (removes 1 member) differ');
});

test('a reference to an object this run creates is known after apply and orders the change after it', async () => {
  const s = new FakeServer(reg23);
  const flow = entry({
    model: 'authentik_flows.flow',
    id: 'flow',
    identifiers: { slug: 'f' },
    attrs: { slug: 'f', name: 'F', title: 'F', designation: 'authentication' },
  });
  const app = entry({ model: 'authentik_core.application', identifiers: { slug: 'app' }, attrs: { slug: 'app', name: 'App' } });
  const prov = entry({
    model: 'authentik_providers_oauth2.oauth2provider',
    identifiers: { name: 'p' },
    attrs: { name: 'p', authorization_flow: { $keyOf: 'flow' } },
    dependsOn: [flow.key],
    wave: 1,
  });
  const p = await planAgainst([prov, app, flow], s, reg23);
  assert.equal(p.changes.at(-1)!.key, prov.key, 'wave 1 runs after wave 0');
  const c = p.changes.find((x) => x.key === prov.key)!;
  assert.equal(c.action, 'create');
  assert.deepEqual(c.after!.authorization_flow, { $keyOf: 'flow' });
  assert.deepEqual(c.dependsOn, [flow.key]);
  assert.ok(p.changes.findIndex((x) => x.key === flow.key) < p.changes.findIndex((x) => x.key === prov.key));
});

test('!Find that matches nothing where a value is required is an error, never a silent null (#19715)', async () => {
  const s = new FakeServer(reg23);
  const e = entry({
    model: 'authentik_providers_oauth2.oauth2provider',
    identifiers: { name: 'p' },
    attrs: { name: 'p', authorization_flow: { $find: { model: 'authentik_flows.flow', query: [['slug', 'nope']] } } },
    origin: { uri: 'bp.yaml', range: { uri: 'bp.yaml', start: 0, end: 9 }, fields: { authorization_flow: { uri: 'bp.yaml', start: 40, end: 60 } } },
  });
  const p = await planAgainst([e], s, reg23);
  const d = p.diagnostics.find((x) => x.code === 'AKB4001');
  assert.ok(d, 'expected AKB4001');
  assert.equal(d.subject?.start, 40, 'points at the field in the YAML');
  assert.equal(p.applyable, false);
});

test('!Find that matches nothing on a nullable field writes null, as authentik does, with a warning on the field', async () => {
  const s = new FakeServer(reg26);
  const find = { $find: { model: 'authentik_flows.flow', query: [['slug', 'default-authentication-flow']] as [string, string][] } };
  const e = entry({
    model: 'authentik_brands.brand',
    identifiers: { domain: 'd', default: true },
    attrs: { domain: 'd', default: true, flow_authentication: find },
    origin: { uri: 'bp.yaml', range: { uri: 'bp.yaml', start: 0, end: 9 }, fields: { flow_authentication: { uri: 'bp.yaml', start: 30, end: 50 } } },
  });
  const p = await planAgainst([e], s, reg26);
  assert.equal(p.applyable, true);
  assert.deepEqual(
    p.diagnostics.map((d) => [d.code, d.severity, d.subject?.start]),
    [['AKB4020', 'warning', 30]],
  );
  assert.match(
    p.diagnostics[0]!.summary,
    /^flow_authentication: null — !Find \[authentik_flows\.flow, \[slug, "?default-authentication-flow"?\]\] matched nothing/,
  );
  assert.equal(p.changes[0]!.after!.flow_authentication, null);
  const many = entry({ model: 'authentik_core.user', identifiers: { username: 'u' }, attrs: { username: 'u', name: 'u', groups: [find] } });
  const q = await planAgainst([many], s, reg26);
  assert.ok(
    q.diagnostics.some((d) => d.code === 'AKB4001'),
    'a null inside a list of pks is still an error',
  );
});

test('!Find in a condition may match nothing: the entry is skipped', async () => {
  const s = new FakeServer(reg23);
  const e = entry({ model: GROUP, identifiers: { name: 'g' }, conditions: [{ $find: { model: GROUP, query: [['name', 'missing']] } }] });
  const p = await planAgainst([e], s, reg23);
  assert.equal(p.changes[0]!.action, 'noop');
  assert.match(p.changes[0]!.reason, /skipped/);
  assert.equal(p.applyable, true);
});

test('!Find sees an object an earlier entry creates: known after apply, runs after it', async () => {
  const s = new FakeServer(reg23);
  const flow = entry({
    model: 'authentik_flows.flow',
    identifiers: { slug: 'later' },
    attrs: { slug: 'later', name: 'L', title: 'L', designation: 'authentication' },
  });
  const prov = entry({
    model: 'authentik_providers_oauth2.oauth2provider',
    identifiers: { name: 'p' },
    attrs: { name: 'p', authorization_flow: { $find: { model: 'authentik_flows.flow', query: [['slug__iexact', 'LATER']] } } },
  });
  const p = await planAgainst([flow, prov], s, reg23);
  assert.equal(p.applyable, true, JSON.stringify(p.diagnostics));
  const c = p.changes.find((x) => x.key === prov.key)!;
  assert.ok('$find' in (c.after!.authorization_flow as object));
  assert.deepEqual(c.dependsOn, [flow.key]);
  assert.equal(c.wave, 1);
});

test('!Find answered from the objects read, including relation and case-insensitive lookups', async () => {
  const s = new FakeServer(reg23);
  const f = s.seed('authentik_flows.flow', { slug: 'Default-Auth', name: 'x', title: 'x', designation: 'authentication' });
  const st = s.seed('authentik_stages_dummy.dummystage', { name: 'st' });
  const b = s.seed('authentik_flows.flowstagebinding', { target: f.pk as string, stage: st.pk as string, order: 10 });
  const p = await planAgainst(
    [
      entry({
        model: GROUP,
        identifiers: { name: 'g' },
        attrs: {
          name: 'g',
          attributes: {
            flow: { $find: { model: 'authentik_flows.flow', query: [['slug__iexact', 'default-auth']] } },
            binding: {
              $find: {
                model: 'authentik_flows.flowstagebinding',
                query: [
                  ['target__slug', 'Default-Auth'],
                  ['order', 10],
                ],
              },
            },
          },
        },
      }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(p.changes[0]!.after!.attributes, { flow: f.pk, binding: b.pk });
});

test('password: set on create, not re-set while unchanged, re-set when the blueprint changes it; never in the plan', async () => {
  const s = new FakeServer(reg23);
  s.seed('authentik_core.user', { username: 'u', name: 'U' });
  const mk = (pw: string) =>
    entry({
      key: 'bp.yaml#u',
      model: 'authentik_core.user',
      identifiers: { username: 'u' },
      attrs: { username: 'u' },
      secrets: { password: { value: pw, secret: true } },
    });
  const state = emptyState();
  let p = await planAgainst([mk('CANARY-one')], s, reg23, { state });
  assert.equal(p.changes[0]!.action, 'update', 'akbp never set it: set it once');
  assert.doesNotMatch(JSON.stringify(p), /CANARY/);
  assert.deepEqual(p.changes[0]!.patch, [{ path: '/password', op: 'replace', sensitive: true, digest: digest('bp.yaml#u', 'password', 'CANARY-one') }]);
  state.secrets['bp.yaml#u'] = { password: { digest: digest('bp.yaml#u', 'password', 'CANARY-one'), setAt: 'x' } };
  p = await planAgainst([mk('CANARY-one')], s, reg23, { state });
  assert.equal(p.changes[0]!.action, 'noop');
  p = await planAgainst([mk('CANARY-two')], s, reg23, { state });
  assert.equal(p.changes[0]!.action, 'update');
  assert.match(p.changes[0]!.reason, /changed in the blueprint/);
  p = await planAgainst([mk('CANARY-two')], s, reg23, { state, options: { passwordPolicy: 'on-create' } });
  assert.equal(p.changes[0]!.action, 'noop', 'on-create never touches an existing user');
  p = await planAgainst([mk('CANARY-one')], s, reg23, { state, options: { passwordPolicy: 'always' } });
  assert.equal(p.changes[0]!.action, 'update', 'always re-sets');
});

test('password is re-set when the server says it changed since akbp set it (2026.5 password_change_date)', async () => {
  const s = new FakeServer(reg26);
  s.seed('authentik_core.user', { username: 'u', name: 'U', password_change_date: '2026-02-01T00:00:00Z' });
  const e = entry({
    key: 'bp.yaml#u',
    model: 'authentik_core.user',
    identifiers: { username: 'u' },
    attrs: { username: 'u' },
    secrets: { password: { value: 'pw', secret: true } },
  });
  const state = emptyState();
  state.secrets[e.key] = { password: { digest: digest(e.key, 'password', 'pw'), setAt: 'x', serverChangeDate: '2026-01-01T00:00:00Z' } };
  const p = await planAgainst([e], s, reg26, { state });
  assert.equal(p.changes[0]!.action, 'update');
  assert.match(p.changes[0]!.reason, /changed on the server/);
});

test('icon compares with the read-only meta_icon the server shows', async () => {
  const s = new FakeServer(reg23);
  s.seed('authentik_core.application', { slug: 'a', name: 'A', meta_icon: 'https://x/icon.png' });
  const mk = (url: string) =>
    entry({
      model: 'authentik_core.application',
      identifiers: { slug: 'a' },
      attrs: { slug: 'a', name: 'A' },
      secrets: { icon: { value: url, secret: false } },
    });
  assert.equal((await planAgainst([mk('https://x/icon.png')], s, reg23)).changes[0]!.action, 'noop');
  const c = (await planAgainst([mk('https://x/new.png')], s, reg23)).changes[0]!;
  assert.deepEqual(c.patch, [{ path: '/icon', op: 'replace', before: 'https://x/icon.png', after: 'https://x/new.png' }]);
});

test('prune deletes only what akbp created, never adopted or managed objects, capped by maxDeletes', async () => {
  const s = new FakeServer(reg23);
  const mine = s.seed(GROUP, { name: 'mine', parent: null });
  const adopted = s.seed(GROUP, { name: 'adopted', parent: null });
  const managed = s.seed('authentik_core.token', { identifier: 'tok', managed: 'goauthentik.io/x', intent: 'api' });
  const state = emptyState();
  state.objects['old.yaml#1'] = { model: GROUP, pk: mine.pk, identifiers: { name: 'mine' }, adopted: false };
  state.objects['old.yaml#2'] = { model: GROUP, pk: adopted.pk, identifiers: { name: 'adopted' }, adopted: true };
  state.objects['old.yaml#3'] = { model: 'authentik_core.token', pk: managed.pk, identifiers: {}, adopted: false };
  state.objects['old.yaml#4'] = { model: GROUP, pk: '00000000-0000-4000-8000-000000000000', identifiers: {}, adopted: false };

  const without = await planAgainst([], s, reg23, { state });
  assert.equal(without.summary.delete, 0);
  assert.ok(
    without.diagnostics.some((d) => d.code === 'AKB4010'),
    'tells the user what --prune would do',
  );

  const p = await planAgainst([], s, reg23, { state, options: { prune: true } });
  assert.deepEqual(
    p.changes.filter((c) => c.action === 'delete').map((c) => c.pk),
    [mine.pk],
  );
  assert.ok(p.diagnostics.some((d) => d.code === 'AKB4009'));
  assert.ok(
    p.changes.some((c) => c.key === 'old.yaml#4' && c.action === 'noop'),
    'a vanished record is forgotten',
  );

  const capped = await planAgainst([], s, reg23, { state, options: { prune: true, maxDeletes: 0 } });
  assert.equal(capped.applyable, false);
  assert.ok(capped.diagnostics.some((d) => d.code === 'AKB4004'));
});

test('deletes run after every write, dependants first', async () => {
  const s = new FakeServer(reg23);
  const f = s.seed('authentik_flows.flow', { slug: 'f', name: 'f', title: 'f', designation: 'authentication' });
  s.seed('authentik_providers_oauth2.oauth2provider', { name: 'p', authorization_flow: f.pk as string });
  const p = await planAgainst(
    [
      entry({ model: 'authentik_flows.flow', state: 'absent', identifiers: { slug: 'f' } }),
      entry({ model: 'authentik_providers_oauth2.oauth2provider', state: 'absent', identifiers: { name: 'p' } }),
      entry({ model: GROUP, identifiers: { name: 'new' } }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(
    p.changes.map((c) => `${c.action} ${c.model}`),
    ['create authentik_core.group', 'delete authentik_providers_oauth2.oauth2provider', 'delete authentik_flows.flow'],
  );
});

test('identical inputs give an identical plan, whatever order the entries arrive in', async () => {
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'a', attributes: { v: 1 }, parent: null });
  const es = ['a', 'b', 'c', 'd'].map((n, i) =>
    entry({ key: `bp.yaml#${n}`, order: i, model: GROUP, identifiers: { name: n }, attrs: { name: n, attributes: { v: 2 } } }),
  );
  const p1 = await planAgainst(es, s, reg23);
  const p2 = await planAgainst([...es].reverse(), s, reg23);
  assert.equal(JSON.stringify(p1), JSON.stringify(p2));
});

test('plans validate against schemas/plan.schema.json', async () => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as JsonObject;
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'old', parent: null });
  s.seed('authentik_core.user', { username: 'u', name: 'x' });
  const p = await planAgainst(
    [
      entry({ model: GROUP, id: 'g', identifiers: { name: 'g' } }),
      entry({ model: GROUP, state: 'absent', identifiers: { name: 'old' } }),
      entry({
        model: 'authentik_core.user',
        identifiers: { username: 'u' },
        attrs: { username: 'u', name: 'y', groups: [{ $keyOf: 'g' }] },
        secrets: { password: { value: 's', secret: true } },
      }),
      entry({ model: GROUP, state: 'must_created', identifiers: { name: 'old' } }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(p.summary, { create: 1, update: 1, delete: 1, noop: 0, conflict: 1 });
  assert.ok(validate(JSON.parse(JSON.stringify(p))), JSON.stringify(validate.errors));
});

test('token expiry in another UTC notation is the same instant: no change', async () => {
  const s = new FakeServer(reg23);
  s.seed('authentik_core.token', { identifier: 't', intent: 'api', expires: '2030-01-01T00:00:00Z', expiring: true });
  const p = await planAgainst(
    [entry({ model: 'authentik_core.token', identifiers: { identifier: 't' }, attrs: { identifier: 't', expires: '2030-01-01T00:00:00.000+00:00' } })],
    s,
    reg23,
  );
  assert.equal(p.changes[0]!.action, 'noop');
});

test('two instances creating the same object: one create, then the later declaration patches what it sets differently', async () => {
  const s = new FakeServer(reg23);
  const at = (uri: string) => ({ uri, range: { uri, start: 0, end: 1 }, fields: {} });
  const p = await planAgainst(
    [
      entry({ key: 'a.yaml#g', model: GROUP, identifiers: { name: 'twice' }, attrs: { name: 'twice', is_superuser: false }, order: 0, origin: at('a.yaml') }),
      entry({ key: 'b.yaml#g', model: GROUP, identifiers: { name: 'twice' }, attrs: { name: 'twice', is_superuser: true }, order: 1, origin: at('b.yaml') }),
      entry({ key: 'c.yaml#g', model: GROUP, identifiers: { name: 'twice' }, attrs: { name: 'twice' }, order: 2, origin: at('c.yaml') }),
    ],
    s,
    reg23,
  );
  assert.equal(p.applyable, true);
  assert.deepEqual(
    p.changes.map((c) => [c.key, c.action, c.sameObjectAs ?? null, c.patch.map((f) => f.path)]),
    [
      ['a.yaml#g', 'create', null, ['/is_superuser', '/name']],
      ['b.yaml#g', 'update', 'a.yaml#g', ['/is_superuser']],
      ['c.yaml#g', 'noop', 'a.yaml#g', []],
    ],
  );
  assert.ok(p.changes[1]!.dependsOn.includes('a.yaml#g') && p.changes[1]!.wave > p.changes[0]!.wave);
  const conflict = p.diagnostics.filter((d) => d.code === 'AKB4018');
  assert.equal(conflict.length, 1);
  assert.equal(conflict[0]!.severity, 'warning');
  assert.equal(conflict[0]!.subject?.uri, 'b.yaml', 'the winning declaration is the subject');
  assert.match(conflict[0]!.summary, /is_superuser .*b\.yaml:0 wins over a\.yaml:0/);
  const ajv = new Ajv.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/plan.schema.json', import.meta.url), 'utf8')) as JsonObject);
  assert.ok(validate(JSON.parse(JSON.stringify(p))), JSON.stringify(validate.errors));
});

test('two instances binding their own !KeyOf of one shared object match one binding', async () => {
  const s = new FakeServer(reg23);
  const flow = (uri: string, order: number) =>
    entry({
      key: `${uri}#flow`,
      id: 'flow',
      model: 'authentik_flows.flow',
      identifiers: { slug: 'f' },
      attrs: { slug: 'f', name: 'F', title: 'F', designation: 'authentication' },
      order,
      origin: { uri, range: { uri, start: 0, end: 1 }, fields: {} },
    });
  const stage = (uri: string, order: number) =>
    entry({
      key: `${uri}#stage`,
      id: 'stage',
      model: 'authentik_stages_dummy.dummystage',
      identifiers: { name: 'd' },
      attrs: { name: 'd' },
      order,
      origin: { uri, range: { uri, start: 0, end: 1 }, fields: {} },
    });
  const binding = (uri: string, order: number) =>
    entry({
      key: `${uri}#b`,
      model: 'authentik_flows.flowstagebinding',
      identifiers: { target: { $keyOf: 'flow' }, stage: { $keyOf: 'stage' }, order: 10 },
      attrs: { target: { $keyOf: 'flow' }, stage: { $keyOf: 'stage' }, order: 10 },
      order,
      origin: { uri, range: { uri, start: 0, end: 1 }, fields: {} },
    });
  const p = await planAgainst(
    [flow('a.yaml', 0), stage('a.yaml', 1), binding('a.yaml', 2), flow('b.yaml', 3), stage('b.yaml', 4), binding('b.yaml', 5)],
    s,
    reg23,
  );
  assert.deepEqual(p.summary.create, 3, 'flow, stage and binding are created once');
  assert.equal(p.changes.find((c) => c.key === 'b.yaml#b')!.sameObjectAs, 'a.yaml#b');
  assert.equal(p.applyable, true);
});

test('each change names its origin line when the blueprint text is given', async () => {
  const s = new FakeServer(reg23);
  const text = 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: x}\n';
  const start = text.indexOf('- model');
  const e = entry({ model: GROUP, identifiers: { name: 'x' }, origin: { uri: 'bp.yaml', range: { uri: 'bp.yaml', start, end: start + 5 }, fields: {} } });
  const { snapshot } = await (await import('../../src/observe/index.js')).observe([e], s, reg23);
  const p = (await import('../../src/plan/index.js')).plan({
    entries: [e],
    dropped: [],
    snapshot,
    registry: reg23,
    state: emptyState(),
    now: new Date(0),
    source: { uris: ['bp.yaml'], digest: 'x' },
    server: { url: s.baseUrl, version: '2023.6.1' },
    options: { secretDigest: digest },
    texts: (u) => (u === 'bp.yaml' ? text : undefined),
  });
  assert.deepEqual(p.changes[0]!.origin, { uri: 'bp.yaml', line: 3, range: { uri: 'bp.yaml', start, end: start + 5 } });
});

test('!KeyOf to an entry that has no object (absent) is an error, reported once', async () => {
  const s = new FakeServer(reg23);
  const p = await planAgainst(
    [
      entry({ model: GROUP, id: 'gone', state: 'absent', identifiers: { name: 'gone' } }),
      entry({
        model: 'authentik_core.user',
        identifiers: { username: 'u', groups_ref: { $keyOf: 'gone' } },
        attrs: { username: 'u', name: 'u', groups_ref: { $keyOf: 'gone' } },
      }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(
    p.diagnostics.map((d) => d.code),
    ['AKB4002'],
  );
  assert.equal(p.applyable, false);
});

test('an entry identified only by pk is created with a pk the server picks, and the next plan finds that object again', async () => {
  const s = new FakeServer(reg23);
  const e = entry({ model: GROUP, identifiers: { pk: '0c3b2a4e-0000-4000-8000-000000000000' }, attrs: { name: 'exported' } });
  const first = await reconcile([e], s, reg23);
  assert.deepEqual(
    first.plan.changes.map((c) => c.action),
    ['create'],
  );
  assert.deepEqual(first.plan.diagnostics, []);
  const again = await planAgainst([e], s, reg23, { state: first.state });
  assert.deepEqual(
    again.changes.map((c) => [c.action, c.pk]),
    [['noop', first.result.results[0]!.pk]],
  );
});

test('a number given for an enum of strings compares as the string the server returns (TOTP digits)', async () => {
  const s = new FakeServer(reg26);
  s.seed('authentik_stages_authenticator_totp.authenticatortotpstage', { name: 'totp', digits: '6' });
  const p = await planAgainst(
    [entry({ model: 'authentik_stages_authenticator_totp.authenticatortotpstage', identifiers: { name: 'totp' }, attrs: { name: 'totp', digits: 6 } })],
    s,
    reg26,
  );
  assert.equal(p.changes[0]!.action, 'noop');
});

test('prune says so when an object it should delete was never observed, instead of skipping it silently', async () => {
  const s = new FakeServer(reg23);
  const state = emptyState();
  state.objects['old.yaml#1'] = { model: GROUP, pk: 'x', identifiers: {}, adopted: false };
  const { snapshot } = await (await import('../../src/observe/index.js')).observe([], s, reg23); // no state passed
  const p = (await import('../../src/plan/index.js')).plan({
    entries: [],
    dropped: [],
    snapshot,
    registry: reg23,
    state,
    now: new Date(0),
    source: { uris: ['x'], digest: 'x' },
    server: { url: s.baseUrl, version: '2023.6.1' },
    options: { secretDigest: digest, prune: true },
  });
  assert.deepEqual(
    p.diagnostics.map((d) => d.code),
    ['AKB4016'],
  );
});

test('prune warns once per unread model, not once per recorded object of it', async () => {
  const s = new FakeServer(reg23);
  const state = emptyState();
  for (const n of [1, 2, 3]) state.objects[`old.yaml#${n}`] = { model: GROUP, pk: `x${n}`, identifiers: { name: `g${n}` }, adopted: false };
  const { snapshot } = await (await import('../../src/observe/index.js')).observe([], s, reg23); // no state passed
  const p = (await import('../../src/plan/index.js')).plan({
    entries: [],
    dropped: [],
    snapshot,
    registry: reg23,
    state,
    now: new Date(0),
    source: { uris: ['x'], digest: 'x' },
    server: { url: s.baseUrl, version: '2023.6.1' },
    options: { secretDigest: digest, prune: true },
  });
  assert.deepEqual(
    p.diagnostics.map((d) => [d.code, d.summary]),
    [['AKB4016', '3 objects of authentik_core.group were not read, so they cannot be pruned (observe needs the ownership state)']],
  );
  assert.match(p.diagnostics[0]!.detail ?? '', /group name=g1\ngroup name=g2\ngroup name=g3/);
});

test('prune never deletes an object a current entry finds with !Find (the delete would cascade into that entry)', async () => {
  const s = new FakeServer(reg23);
  const flow = s.seed('authentik_flows.flow', { slug: 'f', name: 'f', title: 'f', designation: 'authorization' });
  const state = emptyState();
  state.objects['old.yaml#flow'] = { model: 'authentik_flows.flow', pk: flow.pk, identifiers: { slug: 'f' }, adopted: false };
  const provider = entry({
    model: 'authentik_providers_oauth2.oauth2provider',
    identifiers: { name: 'p' },
    attrs: { name: 'p', authorization_flow: { $find: { model: 'authentik_flows.flow', query: [['slug', 'f']] } } },
  });
  const p = await planAgainst([provider], s, reg23, { state, options: { prune: true } });
  assert.equal(p.summary.delete, 0);
  assert.ok(p.diagnostics.some((d) => d.code === 'AKB4019' && d.entry === 'old.yaml#flow'));
  const kept = await planAgainst([provider], s, reg23, { state });
  assert.ok(!kept.diagnostics.some((d) => d.code === 'AKB4010'), 'not listed as something --prune would delete');
});

test('a field the server requires on create, missing from an entry whose object does not exist, is a plan error before any write', async () => {
  const s = new FakeServer(reg23);
  const p = await planAgainst(
    [
      entry({
        model: 'authentik_stages_prompt.prompt',
        identifiers: { field_key: 'password' },
        attrs: { field_key: 'password', label: 'Password', type: 'password' },
        origin: { uri: 'bp.yaml', range: { uri: 'bp.yaml', start: 0, end: 9 }, fields: { field_key: { uri: 'bp.yaml', start: 20, end: 28 } } },
      }),
    ],
    s,
    reg23,
  );
  const d = p.diagnostics.filter((x) => x.code === 'AKB4021');
  assert.equal(d.length, 1);
  assert.match(d[0]!.summary, /authentik_stages_prompt\.prompt field_key="password" does not exist and `name` is required to create it/);
  assert.equal(d[0]!.subject?.start, 20, 'on the identifier line');
  assert.equal(p.applyable, false);
  s.seed('authentik_stages_prompt.prompt', { name: 'pw', field_key: 'password', label: 'Password', type: 'password' });
  const q = await planAgainst(
    [
      entry({
        model: 'authentik_stages_prompt.prompt',
        identifiers: { field_key: 'password' },
        attrs: { field_key: 'password', label: 'Password', type: 'password' },
      }),
    ],
    s,
    reg23,
  );
  assert.deepEqual(
    q.diagnostics.filter((x) => x.code === 'AKB4021'),
    [],
    'an existing object is patched: nothing else is required',
  );
});
