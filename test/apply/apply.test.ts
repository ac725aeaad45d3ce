import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, checkPlanFresh } from '../../src/apply/index.js';
import type { ChangeResult } from '../../src/model/index.js';
import { emptyState } from '../../src/state/index.js';
import { FakeServer, entry, planAgainst, reconcile, reg23, digest, NOW } from '../plan/fixtures.js';

const GROUP = 'authentik_core.group';

function blueprint() {
  const g = entry({ key: 'bp.yaml#g', model: GROUP, id: 'g', identifiers: { name: 'staff' }, attrs: { name: 'staff', attributes: { v: 1 } } });
  const u = entry({
    key: 'bp.yaml#u',
    model: 'authentik_core.user',
    id: 'u',
    identifiers: { username: 'alice' },
    attrs: { username: 'alice', name: 'Alice', groups: [{ $keyOf: 'g' }] },
    secrets: { password: { value: 'CANARY-s3cret', secret: true } },
    dependsOn: ['bp.yaml#g'],
    wave: 1,
  });
  const t = entry({
    key: 'bp.yaml#t',
    model: 'authentik_core.token',
    identifiers: { identifier: 'alice-api' },
    attrs: { identifier: 'alice-api', intent: 'api', user: { $keyOf: 'u' } },
    secrets: { key: { value: 'CANARY-tokenkey', secret: true } },
    dependsOn: ['bp.yaml#u'],
    wave: 2,
  });
  return [g, u, t];
}

test('create, then a second apply of the same blueprints makes zero writes', async () => {
  const s = new FakeServer(reg23);
  const first = await reconcile(blueprint(), s, reg23);
  assert.equal(first.result.phase, 'succeeded');
  assert.deepEqual(
    first.result.results.map((r) => r.status),
    ['applied', 'applied', 'applied'],
  );
  // group, user, set_password, token, set_key
  assert.equal(first.result.writes, 5);
  assert.equal(s.passwords.get(String(first.result.results[1]!.pk)), 'CANARY-s3cret');
  const u = s.store.get('authentik_core.user')![0]!;
  assert.deepEqual(u.body.groups, [s.store.get(GROUP)![0]!.pk], '!KeyOf filled with the pk created in the earlier wave');

  const before = s.writes().length;
  const second = await reconcile(blueprint(), s, reg23, { state: first.state });
  assert.equal(second.result.writes, 0);
  assert.equal(s.writes().length, before);
  assert.deepEqual(
    second.result.results.map((r) => r.status),
    ['unchanged', 'unchanged', 'unchanged'],
  );
  assert.doesNotMatch(JSON.stringify([first, second]), /CANARY/, 'no secret in plan, result or state');
});

test('the state records created objects and secret digests, and marks pre-existing objects adopted', async () => {
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'staff', attributes: {}, parent: null });
  const { state } = await reconcile(blueprint(), s, reg23);
  assert.equal(state.objects['bp.yaml#g']!.adopted, true);
  assert.equal(state.objects['bp.yaml#u']!.adopted, false);
  assert.equal(state.secrets['bp.yaml#u']!.password!.digest, digest('bp.yaml#u', 'password', 'CANARY-s3cret'));
  assert.equal(state.secrets['bp.yaml#t']!.key!.setAt, NOW.toISOString());
});

test('the password is re-set only after the blueprint changes it', async () => {
  const s = new FakeServer(reg23);
  const bp = blueprint();
  const r1 = await reconcile(bp, s, reg23);
  const r2 = await reconcile(bp, s, reg23, { state: r1.state });
  assert.equal(r2.result.writes, 0);
  bp[1]!.secrets.password!.value = 'CANARY-new';
  const r3 = await reconcile(bp, s, reg23, { state: r2.state });
  assert.deepEqual(s.writes().slice(-1), [{ method: 'POST', model: 'authentik_core.user', pk: r1.result.results[1]!.pk, action: 'set_password' }]);
  assert.equal(r3.result.writes, 1, 'set_password only: no PATCH of unchanged fields');
  assert.equal(s.passwords.get(String(r1.result.results[1]!.pk)), 'CANARY-new');
});

test('update patches only the differing fields; deletes run; noop writes nothing', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed(GROUP, { name: 'staff', attributes: { v: 0 }, is_superuser: false, parent: null });
  s.seed(GROUP, { name: 'gone', parent: null });
  const es = [
    entry({ model: GROUP, identifiers: { name: 'staff' }, attrs: { name: 'staff', attributes: { v: 1 }, is_superuser: false } }),
    entry({ model: GROUP, state: 'absent', identifiers: { name: 'gone' } }),
  ];
  const { result } = await reconcile(es, s, reg23);
  assert.equal(result.phase, 'succeeded');
  assert.deepEqual(
    s.writes().map((w) => w.method),
    ['PATCH', 'DELETE'],
  );
  assert.deepEqual(
    s.store.get(GROUP)!.map((o) => [o.body.name, o.body.attributes]),
    [['staff', { v: 1 }]],
  );
  assert.equal(s.store.get(GROUP)![0]!.pk, g.pk);
});

test('a change made on the server after the plan is refused with a clear message', async () => {
  const s = new FakeServer(reg23);
  const g = s.seed(GROUP, { name: 'staff', attributes: { v: 0 }, parent: null });
  const es = [entry({ model: GROUP, identifiers: { name: 'staff' }, attrs: { name: 'staff', attributes: { v: 1 } } })];
  const p = await planAgainst(es, s, reg23);
  g.body.attributes = { v: 'edited by a human' };
  const fresh = await checkPlanFresh(p, s, reg23);
  assert.equal(fresh[0]?.code, 'AKB5002');
  assert.match(fresh[0]!.summary, /attributes changed on the server since the plan/);
  const { result } = await apply(p, s, { registry: reg23, entries: es, state: emptyState(), secretDigest: digest, now: () => NOW });
  assert.equal(result.phase, 'failed');
  assert.equal(result.results[0]!.diagnostics[0]!.code, 'AKB5002');
  assert.equal(s.writes().length, 0);
  assert.deepEqual(g.body.attributes, { v: 'edited by a human' });
});

test('a saved plan is refused for a different server, or when an object it creates appeared', async () => {
  const s = new FakeServer(reg23);
  const es = [entry({ model: GROUP, identifiers: { name: 'new' } })];
  const p = await planAgainst(es, s, reg23);
  s.seed(GROUP, { name: 'new', parent: null });
  assert.equal((await checkPlanFresh(p, s, reg23))[0]?.code, 'AKB5012');
  assert.equal((await checkPlanFresh({ ...p, server: { ...p.server, url: 'https://other/api/v3' } }, s, reg23))[0]?.code, 'AKB5010');
});

test('a secret different from the one the plan was made with is refused', async () => {
  const s = new FakeServer(reg23);
  const bp = blueprint();
  const p = await planAgainst(bp, s, reg23);
  bp[1]!.secrets.password!.value = 'CANARY-other';
  const { result } = await apply(p, s, { registry: reg23, entries: bp, state: emptyState(), secretDigest: digest, now: () => NOW });
  assert.equal(result.results[1]!.diagnostics[0]!.code, 'AKB5005');
  assert.equal(s.passwords.size, 0);
});

test('a failure stops the run: applied / failed with the YAML line of the field / not attempted', async () => {
  const s = new FakeServer(reg23);
  s.failNext.set('authentik_core.user', { username: ['This field must be unique.'] });
  const bp = blueprint();
  bp[1]!.origin.fields.username = { uri: 'bp.yaml', start: 123, end: 128 };
  const progress: string[] = [];
  const p = await planAgainst(bp, s, reg23);
  const { result, state } = await apply(p, s, {
    registry: reg23,
    entries: bp,
    state: emptyState(),
    secretDigest: digest,
    now: () => NOW,
    keepPartial: true,
    onProgress: (r: ChangeResult, done, total) => progress.push(`${done}/${total} ${r.status}`),
  });
  assert.equal(result.phase, 'partial');
  assert.deepEqual(
    result.results.map((r) => r.status),
    ['applied', 'failed', 'not-attempted'],
  );
  const d = result.results[1]!.diagnostics[0]!;
  assert.equal(d.code, 'AKB5003');
  assert.match(d.summary, /username: This field must be unique/);
  assert.equal(d.subject?.start, 123);
  assert.deepEqual(progress, ['1/3 applied', '2/3 failed', '3/3 not-attempted']);
  assert.ok(state.objects['bp.yaml#g'], 'what was applied is recorded');
  assert.equal(state.objects['bp.yaml#u'], undefined);
});

test('rollback deletes what was created and patches back what was updated', async () => {
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'keep', attributes: { v: 0 }, parent: null });
  const before = JSON.stringify([...s.store.entries()]);
  const es = [
    entry({ model: GROUP, identifiers: { name: 'keep' }, attrs: { name: 'keep', attributes: { v: 1 } } }),
    entry({ model: GROUP, identifiers: { name: 'made' }, attrs: { name: 'made' } }),
    entry({ model: 'authentik_core.user', identifiers: { username: 'x' }, attrs: { username: 'x', name: 'x' }, wave: 1 }),
  ];
  s.failNext.set('authentik_core.user', { name: ['nope'] });
  const { result, state } = await reconcile(es, s, reg23, { rollback: true });
  assert.equal(result.phase, 'rolled-back');
  assert.deepEqual(
    result.results.map((r) => r.status),
    ['rolled-back', 'rolled-back', 'failed'],
  );
  assert.equal(JSON.stringify([...s.store.entries()]), before);
  // Undone with its record: the update's adoption of `keep` is rolled back too.
  assert.deepEqual(Object.keys(state.objects), []);
});

test('policy-binding PATCH resends its subject (API-NOTES §11)', async () => {
  const s = new FakeServer(reg23);
  const f = s.seed('authentik_flows.flow', { slug: 'f', name: 'f', title: 'f', designation: 'authentication' });
  const g = s.seed(GROUP, { name: 'g', parent: null });
  s.seed('authentik_policies.policybinding', { target: f.pk as string, group: g.pk as string, order: 0, timeout: 30, policy: null, user: null });
  const es = [
    entry({ model: 'authentik_flows.flow', id: 'f', identifiers: { slug: 'f' } }),
    entry({
      model: 'authentik_policies.policybinding',
      identifiers: { target: { $keyOf: 'f', pbm: true }, order: 0 },
      attrs: { target: { $keyOf: 'f', pbm: true }, order: 0, timeout: 60 },
      wave: 1,
    }),
  ];
  let sent: unknown;
  const orig = s.patch.bind(s);
  s.patch = async (m, pk, body) => {
    sent = body;
    return orig(m, pk, body);
  };
  const { result } = await reconcile(es, s, reg23);
  assert.equal(result.phase, 'succeeded');
  assert.deepEqual(sent, { timeout: 60, group: g.pk });
});

test('a plan with errors writes nothing', async () => {
  const s = new FakeServer(reg23);
  s.seed(GROUP, { name: 'x', parent: null });
  const { result } = await reconcile([entry({ model: GROUP, state: 'must_created', identifiers: { name: 'x' } })], s, reg23);
  assert.equal(result.phase, 'failed');
  assert.equal(result.diagnostics[0]!.code, 'AKB5001');
  assert.equal(s.writes().length, 0);
});

test('a saved plan that changes an application icon is fresh until the icon the server shows moves (2023.6 meta_icon)', async () => {
  const s = new FakeServer(reg23);
  const app = s.seed('authentik_core.application', { slug: 'a', name: 'A', meta_icon: 'https://x/old.png' });
  const es = [
    entry({
      model: 'authentik_core.application',
      identifiers: { slug: 'a' },
      attrs: { slug: 'a', name: 'A' },
      secrets: { icon: { value: 'https://x/new.png', secret: false } },
    }),
  ];
  const p = await planAgainst(es, s, reg23);
  assert.deepEqual(
    p.changes[0]!.patch.map((fc) => fc.path),
    ['/icon'],
  );
  assert.deepEqual(await checkPlanFresh(p, s, reg23), [], 'an untouched icon is not a change on the server');
  app.body.meta_icon = 'https://x/edited.png';
  const fresh = await checkPlanFresh(p, s, reg23);
  assert.equal(fresh[0]?.code, 'AKB5002');
  assert.match(fresh[0]!.summary, /icon changed on the server/);
  const { result } = await apply(p, s, { registry: reg23, entries: es, state: emptyState(), secretDigest: digest, now: () => NOW });
  assert.equal(result.results[0]!.diagnostics[0]?.code, 'AKB5002');
  assert.equal(s.writes().length, 0);
});

test('rollback restores a secret the server echoes; one it never shows is reported as not undone', async () => {
  const PROVIDER = 'authentik_providers_oauth2.oauth2provider';
  const LDAP = 'authentik_sources_ldap.ldapsource';
  const s = new FakeServer(reg23);
  const prov = s.seed(PROVIDER, { name: 'p', client_secret: 'CANARY-old' });
  s.seed(LDAP, { slug: 'l', name: 'l' });
  const es = [
    entry({ model: PROVIDER, identifiers: { name: 'p' }, attrs: { name: 'p' }, secrets: { client_secret: { value: 'CANARY-new', secret: true } } }),
    entry({ model: 'authentik_core.user', identifiers: { username: 'x' }, attrs: { username: 'x', name: 'x' }, wave: 1 }),
  ];
  s.failNext.set('authentik_core.user', { name: ['nope'] });
  const echoed = await reconcile(es, s, reg23, { rollback: true });
  assert.equal(echoed.result.phase, 'rolled-back');
  assert.equal(prov.body.client_secret, 'CANARY-old');

  const ldap = [
    entry({ model: LDAP, identifiers: { slug: 'l' }, attrs: { slug: 'l', name: 'l' }, secrets: { bind_password: { value: 'CANARY-bind', secret: true } } }),
    entry({ model: 'authentik_core.user', identifiers: { username: 'y' }, attrs: { username: 'y', name: 'y' }, wave: 1 }),
  ];
  s.failNext.set('authentik_core.user', { name: ['nope'] });
  const blind = await reconcile(ldap, s, reg23, { rollback: true });
  assert.equal(blind.result.phase, 'partial', 'a write-only secret cannot be put back: not reported as rolled back');
  assert.equal(blind.result.diagnostics[0]?.code, 'AKB5008');
  assert.doesNotMatch(JSON.stringify([echoed, blind]), /CANARY/);
});

test("two entries of one existing object: the later one's fields are final, the earlier leaves them, one write", async () => {
  const s = new FakeServer(reg23);
  const g = s.seed(GROUP, { name: 'staff', attributes: { v: 0 }, is_superuser: false, parent: null });
  const twice = (v: number) => [
    entry({ key: 'bp.yaml#a', model: GROUP, identifiers: { name: 'staff' }, attrs: { name: 'staff', attributes: { v: 1 } } }),
    entry({ key: 'bp.yaml#b', model: GROUP, identifiers: { name: 'staff' }, attrs: { name: 'staff', attributes: { v }, is_superuser: true } }),
  ];
  const first = await reconcile(twice(1), s, reg23);
  const [a, b] = first.plan.changes;
  assert.equal(a!.action, 'noop', 'the later declaration sets attributes: the earlier leaves them to it');
  assert.deepEqual(
    b!.patch.map((fc) => fc.path),
    ['/attributes', '/is_superuser'],
  );
  assert.ok(b!.wave > a!.wave && b!.dependsOn.includes('bp.yaml#a'));
  assert.deepEqual(first.plan.diagnostics, []);
  assert.equal(first.result.phase, 'succeeded');
  assert.equal(first.result.writes, 1);
  assert.equal((await reconcile(twice(1), s, reg23, { state: first.state })).result.writes, 0);

  const clash = await reconcile(twice(2), s, reg23);
  assert.deepEqual(
    clash.plan.diagnostics.map((d) => [d.code, d.severity]),
    [['AKB4018', 'warning']],
  );
  assert.equal(clash.result.phase, 'succeeded', 'the later write is not mistaken for a change made on the server');
  assert.deepEqual(g.body.attributes, { v: 2 }, 'the later entry wins, as in authentik');
});
