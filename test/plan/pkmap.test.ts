// The pk rewrite map of authentik's exports, through compile → observe → plan → apply against the
// fake server: which values are rewritten, which are not, and what a raw pk that exists nowhere
// (or only later in the file) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileYaml } from '../apply/sandbox-helpers.js';
import { FakeServer, planAgainst, reconcile, reg26 } from './fixtures.js';

const G = '5a1f0c2e-7b3d-4e8f-9a0b-1c2d3e4f5a6b';
const S = '6b2a1d3f-8c4e-4f90-ab1c-2d3e4f5a6b7c';

test('only reference fields naming a model the pk belongs to are rewritten: an integer pk equal to an order or an attribute stays', () => {
  const c = compileYaml(
    `version: 1
entries:
  - model: authentik_core.user
    identifiers: {pk: 7}
    attrs: {username: u7, name: u7}
  - model: authentik_core.group
    identifiers: {pk: ${G}}
    attrs: {name: g, users: [7], attributes: {seven: 7}}
  - model: authentik_stages_prompt.prompt
    identifiers: {pk: ${S}}
    attrs: {name: p, field_key: p, label: p, type: text, order: 7}
  - model: authentik_core.user
    identifiers: {username: other}
    attrs: {name: other, groups: ['${G.toUpperCase()}', '${S}']}
`,
    reg26,
  );
  const byName = (n: string) => c.entries.find((e) => e.attrs.name === n)!;
  const [user, group, prompt, other] = [byName('u7'), byName('g'), byName('p'), byName('other')];
  assert.equal(user!.id, 'pk:7', 'the exported entry is named for !KeyOf');
  assert.deepEqual(group!.attrs.users, [{ $keyOf: 'pk:7' }]);
  assert.deepEqual(group!.attrs.attributes, { seven: 7 }, 'authentik would rewrite this too; akbp does not');
  assert.equal(prompt!.attrs.order, 7);
  // Group pks compare without case; a prompt pk in a field of groups is no group.
  assert.deepEqual(other!.attrs.groups, [{ $keyOf: `pk:${G}` }, S]);
  assert.ok(other!.dependsOn.includes(group!.key));
});

test('a reference to an exported pk waits for the create (known after apply) and apply writes the new pk', async () => {
  const s = new FakeServer(reg26);
  const c = compileYaml(
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {pk: ${G}}
    attrs: {name: exported-group}
  - model: authentik_core.user
    identifiers: {pk: 41, username: exported-user}
    attrs: {name: x, groups: [${G}]}
`,
    reg26,
  );
  const { plan, result } = await reconcile(c.entries, s, reg26);
  assert.deepEqual(plan.diagnostics, []);
  const userChange = plan.changes.find((x) => x.model === 'authentik_core.user')!;
  assert.deepEqual(userChange.after?.groups, [{ $keyOf: `pk:${G}` }]);
  assert.ok(userChange.wave > plan.changes.find((x) => x.model === 'authentik_core.group')!.wave);
  assert.equal(result.phase, 'succeeded');
  const group = (await s.list('authentik_core.group'))[0]!;
  assert.notEqual(String(group.pk), G, 'the server picked the pk');
  assert.deepEqual((await s.list('authentik_core.user'))[0]!.body.groups, [group.pk]);
});

test('an exported pk the server has is that object: its references resolve to it and nothing changes', async () => {
  const s = new FakeServer(reg26);
  s.seed('authentik_core.group', { pk: G, name: 'kept', attributes: {}, parents: [], users: [] });
  const u = s.seed('authentik_core.user', { username: 'member', name: 'member', groups: [G] });
  const c = compileYaml(
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {pk: ${G}}
    attrs: {name: kept}
  - model: authentik_core.user
    identifiers: {pk: ${String(u.pk)}, username: member}
    attrs: {name: member, groups: [${G}]}
`,
    reg26,
  );
  const p = await planAgainst(c.entries, s, reg26);
  assert.deepEqual(
    p.changes.map((x) => [x.action, x.pk]),
    [
      ['noop', G],
      ['noop', u.pk],
    ],
  );
});

test('a raw pk used before the entry that exports it is an error saying to move that entry up', async () => {
  const s = new FakeServer(reg26);
  const yaml = `version: 1
entries:
  - model: authentik_core.user
    identifiers: {pk: 41, username: early}
    attrs:
      name: early
      groups:
        - ${G}
  - model: authentik_core.group
    identifiers: {pk: ${G}}
    attrs: {name: late}
`;
  const c = compileYaml(yaml, reg26);
  const p = await planAgainst(c.entries, s, reg26);
  assert.equal(p.applyable, false);
  const d = p.diagnostics.find((x) => x.code === 'AKB4027')!;
  assert.match(d.summary, new RegExp(`groups: pk "${G}" is neither on the server`));
  assert.equal(yaml.slice(0, d.subject!.start).split('\n').length, 8, 'the list element line');
  assert.match(d.detail!, /exports it, but after this one/);
});

test('a re-import whose earlier object was deleted by hand creates it again', async () => {
  const s = new FakeServer(reg26);
  const c = compileYaml(`version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {pk: ${G}}\n    attrs: {name: recreated}\n`, reg26);
  const first = await reconcile(c.entries, s, reg26);
  await s.delete('authentik_core.group', first.result.results[0]!.pk!);
  const again = await planAgainst(c.entries, s, reg26, { state: first.state });
  assert.deepEqual(
    again.changes.map((x) => x.action),
    ['create'],
  );
});

test('an exported integer pk that is another object here (its username differs) is matched, as authentik does, with a warning', async () => {
  const s = new FakeServer(reg26);
  const bob = s.seed('authentik_core.user', { username: 'bob', name: 'Bob', groups: [] });
  const yaml = `version: 1\nentries:\n  - model: authentik_core.user\n    identifiers: {pk: ${String(bob.pk)}}\n    attrs: {username: alice, name: Alice}\n`;
  const p = await planAgainst(compileYaml(yaml, reg26).entries, s, reg26);
  assert.deepEqual(
    p.changes.map((c) => [c.action, c.pk]),
    [['update', bob.pk]],
  );
  const w = p.diagnostics.find((d) => d.code === 'AKB4028')!;
  assert.equal(w.severity, 'warning');
  assert.equal(w.summary, `pk ${String(bob.pk)} is authentik_core.user "bob" here, not "alice"`);
  assert.equal(yaml.slice(0, w.subject!.start).split('\n').length, 4, 'on the pk identifier');
  assert.ok(p.applyable);
});
