import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observe, chooseReads } from '../../src/observe/index.js';
import { findQueryKey } from '../../src/values/index.js';
import { emptyState } from '../../src/state/index.js';
import { FakeServer, entry, reg23 } from '../plan/fixtures.js';

const GROUP = 'authentik_core.group';

test('one list per model, never one GET per entry', async () => {
  const s = new FakeServer(reg23);
  for (let i = 0; i < 50; i++) s.seed(GROUP, { name: `g${i}`, parent: null });
  const es = Array.from({ length: 50 }, (_, i) => entry({ model: GROUP, identifiers: { name: `g${i}` } }));
  es.push(entry({ model: 'authentik_core.user', identifiers: { username: 'a' } }), entry({ model: 'authentik_core.user', identifiers: { username: 'b' } }));
  const { snapshot, diagnostics } = await observe(es, s, reg23);
  assert.deepEqual(diagnostics, []);
  assert.equal(snapshot.requests, 2);
  assert.deepEqual(s.log.map((r) => `${r.method} ${r.model}`).sort(), ['GET authentik_core.group', 'GET authentik_core.user']);
  assert.equal([...snapshot.byKey.values()].filter(Boolean).length, 50);
});

test('identifiers match as the importer does: pk OR the rest, mappings by containment, {pk: X}, first match', async () => {
  const s = new FakeServer(reg23);
  const a = s.seed(GROUP, { name: 'dup', attributes: { team: 'x', extra: 1 }, parent: null });
  const b = s.seed(GROUP, { name: 'dup', attributes: { team: 'y' }, parent: null });
  const cases: [Record<string, unknown>, unknown][] = [
    [{ name: 'dup' }, a.pk], // first match in the server's order
    [{ name: 'dup', attributes: { team: 'y' } }, b.pk], // containment
    [{ pk: b.pk, name: 'nothing-like-it' }, b.pk], // pk OR rest
    [{ pk: '00000000-0000-4000-8000-000000000000', name: 'dup', attributes: { team: 'x' } }, a.pk],
    [{ pk: { pk: b.pk } }, b.pk], // {pk: X} means X
    [{ name: 'dup', attributes: { team: 'z' } }, null],
  ];
  const es = cases.map(([ids]) => entry({ model: GROUP, identifiers: ids as never }));
  const { snapshot } = await observe(es, s, reg23);
  assert.deepEqual(
    es.map((e) => snapshot.byKey.get(e.key)?.pk ?? null),
    cases.map(([, pk]) => pk),
  );
});

test('deferred identifiers resolve against the referenced entry; a missing referent means create', async () => {
  const s = new FakeServer(reg23);
  const flow = s.seed('authentik_flows.flow', { slug: 'f', name: 'f', title: 'f', designation: 'authentication' });
  const st = s.seed('authentik_stages_dummy.dummystage', { name: 'st' });
  const fsb = s.seed('authentik_flows.flowstagebinding', { target: flow.pk as string, stage: st.pk as string, order: 0 });
  const f = entry({ model: 'authentik_flows.flow', id: 'flow', identifiers: { slug: 'f' } });
  const stage = entry({ model: 'authentik_stages_dummy.dummystage', id: 'st', identifiers: { name: 'st' } });
  const bind = entry({ model: 'authentik_flows.flowstagebinding', identifiers: { target: { $keyOf: 'flow' }, stage: { $keyOf: 'st' }, order: 0 } });
  const nf = entry({ model: 'authentik_flows.flow', id: 'newflow', identifiers: { slug: 'new' } });
  const bind2 = entry({ model: 'authentik_flows.flowstagebinding', identifiers: { target: { $keyOf: 'newflow' }, stage: { $keyOf: 'st' }, order: 0 } });
  const { snapshot } = await observe([f, stage, bind, nf, bind2], s, reg23);
  assert.equal(snapshot.byKey.get(bind.key)?.pk, fsb.pk);
  assert.equal(snapshot.byKey.get(bind2.key), null);
});

test('policy binding target from !KeyOf (pbm uuid) matches the target read back as the flow pk', async () => {
  const s = new FakeServer(reg23);
  const flow = s.seed('authentik_flows.flow', { slug: 'f', name: 'f', title: 'f', designation: 'authentication' });
  const g = s.seed(GROUP, { name: 'g', parent: null });
  const pb = s.seed('authentik_policies.policybinding', { target: flow.pk as string, group: g.pk as string, order: 5 });
  const f = entry({ model: 'authentik_flows.flow', id: 'flow', identifiers: { slug: 'f' } });
  const bind = entry({ model: 'authentik_policies.policybinding', identifiers: { target: { $keyOf: 'flow', pbm: true }, order: 5 } });
  const { snapshot } = await observe([f, bind], s, reg23);
  assert.equal(snapshot.byKey.get(bind.key)?.pk, pb.pk);
});

test('!Find answers are recorded under the canonical query key', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed(GROUP, { name: 'Admins', parent: null });
  const q = { model: GROUP, query: [['name__iexact', 'admins']] as [string, string][] };
  const e = entry({ model: 'authentik_core.user', identifiers: { username: 'u' }, attrs: { username: 'u', groups: [{ $find: q }] } });
  const { snapshot } = await observe([e], s, reg23);
  assert.equal(snapshot.finds.get(findQueryKey(q)), g.pk);
  assert.equal(snapshot.requests, 2, 'users and groups, once each');
});

test('a lone entry identified by exact list filters is read filtered; everything else whole', () => {
  const one = [entry({ model: 'authentik_core.user', identifiers: { username: 'u' } })];
  assert.deepEqual(chooseReads(one, reg23, {}).reads, [{ model: 'authentik_core.user', filters: [{ filters: { username: 'u' } }], why: ['entries'] }]);
  const two = [...one, entry({ model: 'authentik_core.user', identifiers: { username: 'v' } })];
  assert.deepEqual(chooseReads(two, reg23, {}).reads[0]!.filters, []);
  const containment = [entry({ model: GROUP, identifiers: { attributes: { a: 1 } } })];
  assert.deepEqual(chooseReads(containment, reg23, {}).reads[0]!.filters, []);
});

test('models of objects akbp recorded but no longer declared are read for prune', () => {
  const state = emptyState();
  state.objects['old#1'] = { model: 'authentik_core.token', pk: 'x', identifiers: {}, adopted: false };
  state.objects['old#2'] = { model: 'authentik_core.application', pk: 'y', identifiers: {}, adopted: true };
  assert.deepEqual(
    chooseReads([], reg23, { state }).reads.map((r) => r.model),
    ['authentik_core.token'],
  );
});

test('a failed list becomes a diagnostic, not an exception', async () => {
  const s = new FakeServer(reg23);
  s.list = async () => {
    throw new Error('boom');
  };
  const { diagnostics, snapshot } = await observe(
    [entry({ model: GROUP, identifiers: { name: 'x' } }), entry({ model: GROUP, identifiers: { name: 'y' } })],
    s,
    reg23,
  );
  assert.equal(diagnostics[0]?.code, 'AKB4101');
  assert.equal(snapshot.byKey.size, 0, 'unobserved entries stay unknown so plan refuses them');
});

test('a lookup neither the indexes nor a list filter can answer leaves the entry unobserved, never guessed absent', async () => {
  const s = new FakeServer(reg23);
  const pol = s.seed('authentik_policies_dummy.dummypolicy', { name: 'p' });
  s.seed('authentik_policies.policybinding', { policy: pol.pk as string, order: 0, target: '00000000-0000-4000-8000-000000000001' });
  // `policy` points into a family of models: observe does not read them all for one lookup.
  const e = entry({ model: 'authentik_policies.policybinding', identifiers: { policy__name: 'p', order: 0 } });
  const { snapshot, diagnostics } = await observe([e], s, reg23);
  assert.equal(snapshot.byKey.has(e.key), false, 'plan then refuses it (AKB4006) instead of creating a duplicate');
  assert.deepEqual(
    diagnostics.map((d) => d.code),
    ['AKB4102'],
  );
});

test('an answer from a server-side filter is re-checked: a filter the server ignored never matches the wrong object', async () => {
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'other' });
  const staff = s.seed(GROUP, { name: 'staff' });
  // Neither group shows is_superuser, so only the server can answer it; this server ignores filters.
  const list = s.list.bind(s);
  s.list = (model) => list(model);
  const es = [entry({ model: GROUP, identifiers: { name: 'staff', is_superuser: false } }), entry({ model: GROUP, identifiers: { name: 'third' } })];
  const { snapshot } = await observe(es, s, reg23);
  assert.equal(snapshot.byKey.get(es[0]!.key)?.pk, staff.pk);
});
