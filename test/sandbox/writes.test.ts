// Writes as authentik's serializers judge them: DRF-shaped 400s, uniqueness (with 2023.6's
// null-parent loophole), PUT vs PATCH, the policy-binding PATCH trap, secrets in and out.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowBody, oauth2Body, serve, type Served } from './util.js';

describe('validation and uniqueness, 2023.6', () => {
  let s: Served;
  let flow: any;
  before(async () => {
    s = await serve('2023.6');
    flow = (await s.req('POST', '/flows/instances/', flowBody('auth'))).json;
  });
  after(() => s.close());

  test('field errors in DRF shape', async () => {
    const r = await s.req('POST', '/flows/instances/', { name: 'x', slug: 'not a slug!', title: null, designation: 'nope', compatibility_mode: 'maybe' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, {
      slug: ['Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.'],
      title: ['This field may not be null.'],
      designation: ['"nope" is not a valid choice.'],
      compatibility_mode: ['Must be a valid boolean.'],
    });
    const long = await s.req('POST', '/flows/instances/', flowBody('a'.repeat(51)));
    assert.deepEqual(long.json, { slug: ['Ensure this field has no more than 50 characters.'] });
    const blank = await s.req('POST', '/core/users/', { username: '  ', name: 'x' });
    assert.deepEqual(blank.json, { username: ['This field may not be blank.'] });
    const notDict = await s.req('POST', '/core/groups/', [1]);
    assert.deepEqual(notDict.json, { non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
  });

  test('references: malformed uuid, unknown pk, wrong type', async () => {
    const bad = await s.req('POST', '/flows/bindings/', { target: 'xyz', stage: '00000000-0000-4000-8000-000000000000', order: 'first' });
    assert.deepEqual(bad.json, {
      target: ['“xyz” is not a valid UUID.'],
      stage: ['Invalid pk "00000000-0000-4000-8000-000000000000" - object does not exist.'],
      order: ['A valid integer is required.'],
    });
    const user = await s.req('POST', '/core/tokens/', { identifier: 't1', user: 'abc' });
    assert.deepEqual(user.json, { user: ['Incorrect type. Expected pk value, received str.'] });
  });

  test('unique fields and unique-together sets', async () => {
    const dup = await s.req('POST', '/flows/instances/', flowBody('auth'));
    assert.deepEqual([dup.status, dup.json], [400, { slug: ['Flow with this slug already exists.'] }]);
    const stage = (await s.req('POST', '/stages/dummy/', { name: 'dummy' })).json;
    const other = await s.req('POST', '/stages/deny/', { name: 'dummy' });
    assert.equal(other.status, 400, 'stage names are unique across every stage type');
    assert.ok('name' in other.json);
    assert.equal((await s.req('POST', '/flows/bindings/', { target: flow.pk, stage: stage.pk, order: 10 })).status, 201);
    const again = await s.req('POST', '/flows/bindings/', { target: flow.pk, stage: stage.pk, order: 10 });
    assert.deepEqual(again.json, { non_field_errors: ['The fields target, stage, order must make a unique set.'] });
    assert.equal((await s.req('POST', '/flows/bindings/', { target: flow.pk, stage: stage.pk, order: 20 })).status, 201, 'same stage, other order');
  });

  test('2023.6 group (name, parent): duplicates pass while parent is null', async () => {
    const a = await s.req('POST', '/core/groups/', { name: 'dup' });
    const b = await s.req('POST', '/core/groups/', { name: 'dup' });
    assert.deepEqual([a.status, b.status], [201, 201]);
    assert.equal((await s.req('POST', '/core/groups/', { name: 'child', parent: a.json.pk })).status, 201);
    const c = await s.req('POST', '/core/groups/', { name: 'child', parent: a.json.pk });
    assert.deepEqual(c.json, { non_field_errors: ['The fields name, parent must make a unique set.'] });
  });

  test('PUT resets user groups when omitted; PATCH leaves them', async () => {
    const g = (await s.req('POST', '/core/groups/', { name: 'members' })).json;
    const u = (await s.req('POST', '/core/users/', { username: 'dana', name: 'Dana', groups: [g.pk] })).json;
    assert.deepEqual(u.groups, [g.pk]);
    const members = (await s.req('GET', `/core/groups/${g.pk}/`)).json.users;
    assert.deepEqual(members, [u.pk], 'membership is visible from the group side');
    const patched = await s.req('PATCH', `/core/users/${u.pk}/`, { name: 'Dana S' });
    assert.deepEqual(patched.json.groups, [g.pk]);
    const putNoName = await s.req('PUT', `/core/users/${u.pk}/`, { username: 'dana' });
    assert.deepEqual(putNoName.json, { name: ['This field is required.'] });
    const put = await s.req('PUT', `/core/users/${u.pk}/`, { username: 'dana', name: 'Dana S' });
    assert.deepEqual(put.json.groups, []);
    assert.deepEqual((await s.req('GET', `/core/groups/${g.pk}/`)).json.users, []);
  });

  test('PUT clears nullable unique-together members it omits (DRF default=None): group parent, binding policy', async () => {
    const parent = (await s.req('POST', '/core/groups/', { name: 'put-parent' })).json;
    const child = (await s.req('POST', '/core/groups/', { name: 'put-child', parent: parent.pk })).json;
    const put = await s.req('PUT', `/core/groups/${child.pk}/`, { name: 'put-child' });
    assert.equal(put.json.parent, null);
    const pol = (await s.req('POST', '/policies/dummy/', { name: 'put-policy' })).json;
    const b = (await s.req('POST', '/policies/bindings/', { target: flow.pk, order: 40, policy: pol.pk })).json;
    const swapped = await s.req('PUT', `/policies/bindings/${b.pk}/`, { target: flow.pk, order: 40, group: parent.pk });
    assert.deepEqual([swapped.status, swapped.json.policy, swapped.json.group], [200, null, parent.pk], 'never a binding with two subjects');
  });

  test('policy binding: exactly one subject, checked on the submitted fields only', async () => {
    const g = (await s.req('POST', '/core/groups/', { name: 'binding-subject' })).json;
    const none = await s.req('POST', '/policies/bindings/', { target: flow.pk, order: 1 });
    assert.deepEqual(none.json, { non_field_errors: ["One of 'policy', 'group' or 'user' must be set."] });
    const two = await s.req('POST', '/policies/bindings/', { target: flow.pk, order: 1, group: g.pk, user: 1 });
    assert.deepEqual(two.json, { non_field_errors: ["Only one of 'policy', 'group' or 'user' can be set."] });
    const b = (await s.req('POST', '/policies/bindings/', { target: flow.pk, order: 1, group: g.pk })).json;
    const trap = await s.req('PATCH', `/policies/bindings/${b.pk}/`, { order: 5 });
    assert.deepEqual([trap.status, trap.json], [400, { non_field_errors: ["One of 'policy', 'group' or 'user' must be set."] }]);
    const fixed = await s.req('PATCH', `/policies/bindings/${b.pk}/`, { order: 5, group: g.pk });
    assert.equal(fixed.json.order, 5);
  });

  test('write-only secrets are never returned; the OAuth2 client_secret is', async () => {
    const src = await s.req('POST', '/sources/ldap/', { name: 'corp', slug: 'corp', server_uri: 'ldap://x', base_dn: 'dc=x', bind_password: 'hunter2' });
    assert.equal(src.status, 201);
    assert.ok(!src.text.includes('hunter2'));
    assert.ok(!(await s.req('GET', '/sources/ldap/corp/')).text.includes('hunter2'));
    const p = await s.req('POST', '/providers/oauth2/', oauth2Body('2023.6', 'app', flow.pk, { client_secret: 'shh' }));
    assert.equal(p.json.client_secret, 'shh');
    assert.equal(p.json.client_type, 'confidential');
    assert.equal(typeof p.json.client_id, 'string');
  });

  test('polymorphic /all/: base fields + component + meta_model_name; list/retrieve/delete only', async () => {
    const pol = (await s.req('POST', '/policies/expression/', { name: 'expr', expression: 'return True' })).json;
    const all = await s.req('GET', '/policies/all/');
    const row = all.json.results.find((r: any) => r.pk === pol.pk);
    assert.equal(row.meta_model_name, 'authentik_policies_expression.expressionpolicy');
    assert.equal(row.component, 'ak-policy-expression-form');
    assert.equal(row.verbose_name, 'Expression Policy');
    assert.ok(!('expression' in row), 'the base serializer has no subclass fields');
    assert.equal((await s.req('PATCH', `/policies/all/${pol.pk}/`, { name: 'x' })).status, 405);
    assert.equal((await s.req('POST', '/policies/all/', { name: 'x' })).status, 405);
    assert.equal((await s.req('DELETE', `/policies/all/${pol.pk}/`)).status, 204);
    assert.equal((await s.req('GET', `/policies/expression/${pol.pk}/`)).status, 404);
  });
});

describe('deletes cascade as authentik does', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
  });
  after(() => s.close());

  test('flow → providers using it as authorization_flow deleted, authentication_flow nulled, bindings deleted', async () => {
    const authz = (await s.req('POST', '/flows/instances/', flowBody('authz', { designation: 'authorization' }))).json;
    const authn = (await s.req('POST', '/flows/instances/', flowBody('authn'))).json;
    const keep = (await s.req('POST', '/flows/instances/', flowBody('keep', { designation: 'authorization' }))).json;
    const doomed = (await s.req('POST', '/providers/oauth2/', oauth2Body('2023.6', 'doomed', authz.pk))).json;
    const nulled = (await s.req('POST', '/providers/oauth2/', oauth2Body('2023.6', 'nulled', keep.pk, { authentication_flow: authz.pk }))).json;
    const stage = (await s.req('POST', '/stages/dummy/', { name: 'st' })).json;
    const fsb = (await s.req('POST', '/flows/bindings/', { target: authz.pk, stage: stage.pk, order: 0 })).json;
    const g = (await s.req('POST', '/core/groups/', { name: 'gg' })).json;
    const pb = (await s.req('POST', '/policies/bindings/', { target: authz.pk, group: g.pk, order: 0 })).json;
    const fsbPb = (await s.req('POST', '/policies/bindings/', { target: fsb.pk, group: g.pk, order: 0 })).json;

    const usedBy = await s.req('GET', '/flows/instances/authz/used_by/');
    const actions = Object.fromEntries(usedBy.json.map((u: any) => [`${u.model_name}:${u.pk}`, u.action]));
    assert.equal(actions[`oauth2provider:${doomed.pk}`], 'CASCADE');
    assert.equal(actions[`oauth2provider:${nulled.pk}`], 'SET_NULL');
    assert.equal(actions[`flowstagebinding:${fsb.pk}`], 'CASCADE');

    assert.equal((await s.req('DELETE', '/flows/instances/authz/')).status, 204);
    assert.equal((await s.req('GET', `/providers/oauth2/${doomed.pk}/`)).status, 404);
    assert.equal((await s.req('GET', `/providers/oauth2/${nulled.pk}/`)).json.authentication_flow, null);
    assert.equal((await s.req('GET', `/flows/bindings/${fsb.pk}/`)).status, 404);
    assert.equal((await s.req('GET', `/policies/bindings/${pb.pk}/`)).status, 404);
    assert.equal((await s.req('GET', `/policies/bindings/${fsbPb.pk}/`)).status, 404, 'bindings on the deleted fsb go too');
    assert.equal((await s.req('GET', '/stages/dummy/')).json.pagination.count, 1, 'the stage itself stays');
    void authn;
  });

  test('user → tokens; group → parent nulled on children, members dropped', async () => {
    const u = (await s.req('POST', '/core/users/', { username: 'erin', name: 'Erin' })).json;
    const t = await s.req('POST', '/core/tokens/', { identifier: 'erin-token', user: u.pk, intent: 'api' });
    assert.equal(t.status, 201);
    const parent = (await s.req('POST', '/core/groups/', { name: 'parent', users: [u.pk] })).json;
    const child = (await s.req('POST', '/core/groups/', { name: 'child', parent: parent.pk })).json;
    assert.deepEqual((await s.req('GET', `/core/users/${u.pk}/`)).json.groups, [parent.pk]);
    assert.equal((await s.req('DELETE', `/core/groups/${parent.pk}/`)).status, 204);
    assert.equal((await s.req('GET', `/core/groups/${child.pk}/`)).json.parent, null);
    assert.deepEqual((await s.req('GET', `/core/users/${u.pk}/`)).json.groups, []);
    assert.equal((await s.req('DELETE', `/core/users/${u.pk}/`)).status, 204);
    assert.equal((await s.req('GET', '/core/tokens/erin-token/')).status, 404);
  });

  test('application → its backchannel providers; provider → application.provider nulled', async () => {
    const f = (await s.req('POST', '/flows/instances/', flowBody('f2', { designation: 'authorization' }))).json;
    const main = (await s.req('POST', '/providers/oauth2/', oauth2Body('2023.6', 'main', f.pk))).json;
    const back = (await s.req('POST', '/providers/oauth2/', oauth2Body('2023.6', 'back', f.pk))).json;
    const app = await s.req('POST', '/core/applications/', { name: 'App', slug: 'app', provider: main.pk, backchannel_providers: [back.pk] });
    assert.equal(app.status, 201);
    assert.equal(app.json.provider_obj.name, 'main');
    const taken = await s.req('POST', '/core/applications/', { name: 'App2', slug: 'app2', provider: main.pk });
    assert.equal(taken.status, 400, 'provider is one-to-one');
    assert.equal((await s.req('DELETE', `/providers/oauth2/${main.pk}/`)).status, 204);
    assert.equal((await s.req('GET', '/core/applications/app/')).json.provider, null);
    assert.equal((await s.req('DELETE', '/core/applications/app/')).status, 204);
    assert.equal((await s.req('GET', `/providers/oauth2/${back.pk}/`)).status, 404);
  });
});

test('choices are matched as DRF does (by str) and answered with the declared choice key', async () => {
  const old = await serve('2023.6');
  const neu = await serve('2026.5');
  try {
    const a = await old.req('POST', '/stages/authenticator/totp/', { name: 'totp', digits: '8' });
    assert.equal(a.json.digits, 8, '2023.6 declares integer choices');
    const b = await neu.req('POST', '/stages/authenticator/totp/', { name: 'totp', digits: 6 });
    assert.equal(b.json.digits, '6', '2026.5 declares string choices, so authentik answers "6"');
    const bad = await neu.req('POST', '/stages/authenticator/totp/', { name: 'totp2', digits: 7 });
    assert.deepEqual(bad.json, { digits: ['"7" is not a valid choice.'] });
  } finally {
    await old.close();
    await neu.close();
  }
});
