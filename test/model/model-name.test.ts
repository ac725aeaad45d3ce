// Model names are canonicalised once, by the registry, where a name written by a person or kept on
// disk enters; later stages compare them as they are. These check the boundaries that still take
// outside spellings: ownership records and `!Find` queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalModel, findModel } from '../../src/authentik/registry.js';
import { emptyState } from '../../src/state/index.js';
import { FakeServer, entry, planAgainst, reg23 } from '../plan/fixtures.js';

test('the registry spells a model one way whatever case the name was written in', () => {
  assert.equal(canonicalModel(reg23, 'authentik_core.Group'), 'authentik_core.group');
  assert.equal(canonicalModel(reg23, 'authentik_core.group'), findModel(reg23, 'authentik_core.group')?.model);
  // An unknown model still compares equal to itself however it was written.
  assert.equal(canonicalModel(reg23, 'acme_app.Widget'), canonicalModel(reg23, 'acme_app.widget'));
});

test('an ownership record written with a mixed-case model is pruned like any other', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed('authentik_core.group', { name: 'old', parent: null });
  const state = emptyState();
  state.objects['old.yaml#g'] = { model: 'authentik_core.Group', pk: g.pk, identifiers: { name: 'old' }, adopted: false };
  const p = await planAgainst([], s, reg23, { state, options: { prune: true } });
  const del = p.changes.filter((c) => c.action === 'delete');
  assert.deepEqual(
    del.map((c) => [c.model, c.pk]),
    [['authentik_core.group', g.pk]],
  );
});

test('a record whose object a current entry declares under another key is not an orphan, whatever its case', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed('authentik_core.group', { name: 'kept', parent: null });
  const state = emptyState();
  state.objects['renamed.yaml#g'] = { model: 'authentik_core.GROUP', pk: g.pk, identifiers: { name: 'kept' }, adopted: false };
  const p = await planAgainst([entry({ model: 'authentik_core.group', identifiers: { name: 'kept' } })], s, reg23, { state, options: { prune: true } });
  assert.equal(p.changes.filter((c) => c.action === 'delete').length, 0, JSON.stringify(p.changes.map((c) => [c.key, c.action])));
});

test('a !Find written with a mixed-case model answers from the objects read', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed('authentik_core.group', { name: 'staff', parent: null });
  const u = entry({
    model: 'authentik_core.user',
    identifiers: { username: 'alice' },
    attrs: { username: 'alice', name: 'Alice', groups: [{ $find: { model: 'authentik_core.Group', query: [['name', 'staff']] } }] },
  });
  const p = await planAgainst([u], s, reg23);
  const create = p.changes.find((c) => c.action === 'create');
  assert.deepEqual(create?.after?.groups, [g.pk]);
});
