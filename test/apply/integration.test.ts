// Over real HTTP: the sandbox on loopback, the real client, blueprints through load and compile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { apply, checkPlanFresh } from '../../src/apply/index.js';
import { emptyState } from '../../src/state/index.js';
import type { Plan } from '../../src/model/index.js';
import { compileYaml, makePlan, run, secretDigest, startWorld, writesIn, type World } from './sandbox-helpers.js';

let w: World;
before(async () => {
  w = await startWorld('2023.6');
});
after(async () => {
  await w.close();
});

const records = (): unknown => (w.sandbox.snapshot() as { records: unknown[] }).records;

const BP = `version: 1
metadata: {name: integration}
entries:
  - model: authentik_core.group
    id: staff
    identifiers: {name: it-staff}
    attrs: {attributes: {team: blue}}
  - model: authentik_core.user
    id: alice
    identifiers: {username: it-alice}
    attrs:
      name: Alice
      groups: [!KeyOf staff]
      password: !Env [IT_PASSWORD, CANARY-default-pw]
  - model: authentik_flows.flow
    id: flow
    identifiers: {slug: it-flow}
    attrs: {name: IT, title: IT, designation: authentication}
  - model: authentik_stages_dummy.dummystage
    id: stage
    identifiers: {name: it-dummy}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf flow, stage: !KeyOf stage, order: 10}
  - model: authentik_policies.policybinding
    identifiers: {target: !KeyOf flow, order: 0}
    attrs: {group: !KeyOf staff}
  - model: authentik_core.token
    identifiers: {identifier: it-token}
    attrs: {user: !KeyOf alice, intent: api, key: CANARY-token-key}
  - model: authentik_core.application
    identifiers: {slug: it-app}
    attrs: {name: IT App, icon: "https://example.com/icon.png"}
`;

test('two applies of the same blueprints: the second makes zero writes (sandbox request log)', async () => {
  w.sandbox.clearLog();
  const first = await run(w, BP);
  assert.equal(first.result.phase, 'succeeded', JSON.stringify(first.result.diagnostics));
  assert.deepEqual(first.plan.summary, { create: 8, update: 0, delete: 0, noop: 0, conflict: 0 });
  assert.ok(writesIn(w.sandbox.requestLog) >= 8);
  assert.equal(first.result.writes, writesIn(w.sandbox.requestLog), 'ApplyResult.writes counts what the server saw');

  w.sandbox.clearLog();
  const second = await run(w, BP, first.state);
  assert.deepEqual(second.plan.summary, { create: 0, update: 0, delete: 0, noop: 8, conflict: 0 });
  assert.equal(writesIn(w.sandbox.requestLog), 0, JSON.stringify(w.sandbox.requestLog));
  assert.equal(second.result.writes, 0);
  assert.ok(
    w.sandbox.requestLog.every((r) => !/\/[0-9a-f-]{36}\/$|\/\d+\/$/.test(r.path.split('?')[0]!)),
    'observe never GETs single objects',
  );
});

test('password: set once, not re-set, re-set after the blueprint changes it, never in any output', async () => {
  const yaml = BP.replace(/it-/g, 'pw-');
  const setPw = () => w.sandbox.requestLog.filter((r) => r.method === 'POST' && r.path.endsWith('/set_password/')).length;
  w.sandbox.clearLog();
  const r1 = await run(w, yaml, emptyState(), { env: { IT_PASSWORD: 'CANARY-first' } });
  assert.equal(setPw(), 1);
  w.sandbox.clearLog();
  const r2 = await run(w, yaml, r1.state, { env: { IT_PASSWORD: 'CANARY-first' } });
  assert.equal(setPw(), 0);
  w.sandbox.clearLog();
  const r3 = await run(w, yaml, r2.state, { env: { IT_PASSWORD: 'CANARY-second' } });
  assert.equal(setPw(), 1);
  assert.equal(writesIn(w.sandbox.requestLog), 1, 'only set_password');
  const user = r3.plan.changes.find((c) => c.key.endsWith('#alice'))!;
  assert.deepEqual(
    user.patch.map((p) => [p.path, p.sensitive]),
    [['/password', true]],
  );
  const outputs = JSON.stringify([r1.plan, r1.result, r1.state, r2.plan, r2.result, r3.plan, r3.result, r3.state, w.sandbox.requestLog]);
  assert.doesNotMatch(outputs, /CANARY/);
});

test('create / update / delete / no-op per entry state', async () => {
  const base = `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: st-present}
    attrs: {is_superuser: false}
  - model: authentik_core.group
    state: created
    identifiers: {name: st-created}
    attrs: {is_superuser: false}
  - model: authentik_core.group
    state: absent
    identifiers: {name: st-absent}
`;
  const r1 = await run(w, base);
  assert.deepEqual(
    r1.plan.changes.map((c) => c.action),
    ['create', 'create', 'noop'],
  );
  // Someone edits both groups on the server and creates the one that should be absent.
  for (const name of ['st-present', 'st-created']) {
    const [g] = await w.client.list('authentik_core.group', { filters: { name } });
    await w.client.patch('authentik_core.group', g!.pk, { is_superuser: true });
  }
  await w.client.create('authentik_core.group', { name: 'st-absent' });
  w.sandbox.clearLog();
  const r2 = await run(w, base, r1.state);
  assert.deepEqual(
    r2.plan.changes.map((c) => `${c.action}:${c.key.split('#')[1]}`),
    ['update:authentik_core.group[name=st-present]', 'noop:authentik_core.group[name=st-created]', 'delete:authentik_core.group[name=st-absent]'],
  );
  assert.deepEqual(
    w.sandbox.requestLog.filter((r) => r.method !== 'GET').map((r) => r.method),
    ['PATCH', 'DELETE'],
  );
  const [created] = await w.client.list('authentik_core.group', { filters: { name: 'st-created' } });
  assert.equal(created!.body.is_superuser, true, 'state created never updates');
  assert.equal((await w.client.list('authentik_core.group', { filters: { name: 'st-absent' } })).length, 0);
});

test('a saved plan is refused when the server changed since it was made', async () => {
  const yaml = `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: stale-g}
    attrs: {attributes: {v: 2}}
`;
  const [g] = [await w.client.create('authentik_core.group', { name: 'stale-g', attributes: { v: 1 } })];
  const c = compileYaml(yaml, w.registry);
  const saved = JSON.parse(JSON.stringify(await makePlan(w, c, emptyState()))) as Plan;
  assert.equal(saved.summary.update, 1);
  await w.client.patch('authentik_core.group', g!.pk, { attributes: { v: 'manual' } });
  const fresh = await checkPlanFresh(saved, w.client, w.registry);
  assert.equal(fresh[0]?.code, 'AKB5002');
  w.sandbox.clearLog();
  const { result } = await apply(saved, w.client, { registry: w.registry, entries: c.entries, state: emptyState(), secretDigest, now: () => new Date() });
  assert.equal(result.phase, 'failed');
  assert.match(result.results[0]!.diagnostics[0]!.summary, /attributes changed on the server since the plan/);
  assert.equal(writesIn(w.sandbox.requestLog), 0);
});

test('rollback on failure leaves the server as it was', async () => {
  await w.client.create('authentik_core.group', { name: 'rb-existing', attributes: { keep: true } });
  const beforeRecords = JSON.stringify(records());
  const { result } = await run(
    w,
    `version: 1
entries:
  - model: authentik_core.group
    identifiers: {name: rb-existing}
    attrs: {attributes: {keep: false}}
  - model: authentik_core.group
    id: g
    identifiers: {name: rb-new}
  - model: authentik_core.user
    identifiers: {username: rb-user}
    attrs: {name: RB, groups: [!KeyOf g]}
  - model: authentik_flows.flow
    identifiers: {slug: rb-bad}
    attrs: {name: Bad, title: Bad, designation: not-a-designation}
`,
    emptyState(),
    { rollback: true },
  );
  assert.equal(result.phase, 'rolled-back', JSON.stringify(result));
  const failed = result.results.find((r) => r.status === 'failed')!;
  assert.match(failed.diagnostics[0]!.summary, /designation/);
  assert.ok(failed.diagnostics[0]!.subject, 'mapped to the YAML value');
  assert.equal(JSON.stringify(records()), beforeRecords);
});

test('!Find of an object the same run creates is filled in at apply time', async () => {
  const yaml = `version: 1
entries:
  - model: authentik_flows.flow
    identifiers: {slug: fnd-flow}
    attrs: {name: F, title: F, designation: authorization}
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: fnd-provider}
    attrs: {authorization_flow: !Find [authentik_flows.flow, [slug__iexact, FND-FLOW]]}
`;
  const r1 = await run(w, yaml);
  const prov = r1.plan.changes[1]!;
  assert.ok(prov.after && '$find' in (prov.after.authorization_flow as object), 'known after apply in the plan');
  assert.equal(r1.result.phase, 'succeeded', JSON.stringify(r1.result));
  const [flow] = await w.client.list('authentik_flows.flow', { filters: { slug: 'fnd-flow' } });
  const [p] = await w.client.list('authentik_providers_oauth2.oauth2provider', { filters: { name: 'fnd-provider' } });
  assert.equal(p!.body.authorization_flow, flow!.pk);
  w.sandbox.clearLog();
  await run(w, yaml, r1.state);
  assert.equal(writesIn(w.sandbox.requestLog), 0);
});

test('prune deletes what akbp created once the blueprint stops declaring it', async () => {
  const two = `version: 1
entries:
  - model: authentik_core.group
    id: a
    identifiers: {name: pr-a}
  - model: authentik_core.group
    id: b
    identifiers: {name: pr-b}
`;
  const r1 = await run(w, two);
  const one = two.split('  - model')[0] + '  - model' + two.split('  - model')[1];
  const kept = await run(w, one, r1.state);
  assert.equal(kept.plan.summary.delete, 0, 'without --prune nothing is deleted');
  assert.ok(kept.plan.diagnostics.some((d) => d.code === 'AKB4010'));
  const pruned = await run(w, one, kept.state, { prune: true });
  assert.deepEqual(
    pruned.plan.changes.filter((c) => c.action === 'delete').map((c) => c.key),
    ['test.yaml#b'],
  );
  assert.equal((await w.client.list('authentik_core.group', { filters: { name: 'pr-b' } })).length, 0);
  assert.deepEqual(Object.keys(pruned.state.objects), ['test.yaml#a']);
});
