// Transport-level behaviour over real HTTP: authentication answers (403, never 401), public
// endpoints, trailing slashes, content types, methods, seeded state and version probes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serve, TOKEN, type Served } from './util.js';

describe('sandbox over HTTP, 2023.6', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
  });
  after(() => s.close());

  test('missing, wrong and foreign credentials answer 403 with authentik texts', async () => {
    const none = await s.req('GET', '/core/users/', undefined, {});
    assert.equal(none.status, 403);
    assert.deepEqual(none.json, { detail: 'Authentication credentials were not provided.' });
    const wrong = await s.req('GET', '/core/users/', undefined, { authorization: 'Bearer nope' });
    assert.deepEqual([wrong.status, wrong.json], [403, { detail: 'Token invalid/expired' }]);
    const basic = await s.req('GET', '/core/users/', undefined, { authorization: 'Basic dXNlcjpwdw==' });
    assert.deepEqual([basic.status, basic.json], [403, { detail: 'Unsupported authentication type' }]);
    const lower = await s.req('GET', '/core/users/', undefined, { authorization: `bearer ${TOKEN}` });
    assert.equal(lower.status, 200, 'the scheme word is case-insensitive');
  });

  test('root config and schema are public; version needs the token', async () => {
    const cfg = await s.req('GET', '/root/config/', undefined, {});
    assert.equal(cfg.status, 200);
    assert.ok(Array.isArray(cfg.json.capabilities));
    assert.equal(cfg.json.cache_timeout_reputation, 300);
    const schema = await s.req('GET', '/schema/?format=json', undefined, {});
    assert.equal(schema.json.info.version, '2023.6.1');
    // Like authentik's, the document describes the API (what --schema-from-server builds a registry from).
    assert.ok(schema.json.paths['/core/users/']?.get, 'the schema lists the endpoints');
    assert.ok(schema.json.components.schemas.ModelEnum, 'and the blueprint model enum');
    assert.equal((await s.req('GET', '/admin/version/', undefined, {})).status, 403);
    const v = await s.req('GET', '/admin/version/');
    assert.deepEqual(Object.keys(v.json).sort(), ['build_hash', 'outdated', 'version_current', 'version_latest']);
    assert.equal(v.json.version_current, '2023.6.1');
    assert.equal(s.sb.version, '2023.6.1');
  });

  test('fresh state is akadmin in authentik Admins with the sandbox token, anonymous user hidden', async () => {
    const users = await s.req('GET', '/core/users/');
    assert.deepEqual(
      users.json.results.map((u: any) => [u.pk, u.username, u.is_superuser]),
      [[1, 'akadmin', true]],
    );
    assert.equal((await s.req('GET', '/core/users/2/')).status, 404, 'AnonymousUser is not reachable');
    const groups = await s.req('GET', '/core/groups/');
    assert.deepEqual(
      groups.json.results.map((g: any) => [g.name, g.is_superuser, g.users]),
      [['authentik Admins', true, [1]]],
    );
    const tokens = await s.req('GET', '/core/tokens/');
    assert.equal(tokens.json.results[0].identifier, 'akbp-sandbox-token');
    assert.equal(tokens.json.results[0].intent, 'api');
    assert.ok(!tokens.text.includes(TOKEN), 'the key is never in a token listing');
    const key = await s.req('GET', '/core/tokens/akbp-sandbox-token/view_key/');
    assert.deepEqual(key.json, { key: TOKEN });
    const certs = await s.req('GET', '/crypto/certificatekeypairs/');
    assert.deepEqual(certs.json.results.map((c: any) => c.name).sort(), ['authentik Internal JWT Certificate', 'authentik Self-signed Certificate']);
    const outposts = await s.req('GET', '/outposts/instances/');
    assert.deepEqual(
      outposts.json.results.map((o: any) => [o.name, o.managed]),
      [['authentik Embedded Outpost', 'goauthentik.io/outposts/embedded']],
    );
    assert.equal((await s.req('GET', '/flows/instances/')).json.pagination.count, 0, 'no blueprint has run');
  });

  test('paths need their trailing slash; unknown paths are HTML 404s', async () => {
    const r = await s.req('GET', '/core/users?page=1');
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), '/api/v3/core/users/?page=1');
    const unknown = await s.req('GET', '/core/nothing/');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('content-type') ?? '', /text\/html/);
    const missing = await s.req('GET', '/core/groups/00000000-0000-4000-8000-000000000000/');
    assert.deepEqual([missing.status, missing.json], [404, { detail: 'Not found.' }]);
  });

  test('JSON only (415), 405 for methods a path does not offer, unknown and read-only keys dropped', async () => {
    const form = await s.req('POST', '/core/groups/', 'name=x', { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.match(form.json.detail, /Unsupported media type/);
    const put = await s.req('PUT', '/policies/all/');
    assert.deepEqual([put.status, put.json], [405, { detail: 'Method "PUT" not allowed.' }]);
    const created = await s.req('POST', '/core/groups/', { name: 'ops', nmae: 'typo', pk: 'forced', num_pk: 999 });
    assert.equal(created.status, 201);
    assert.notEqual(created.json.pk, 'forced');
    assert.notEqual(created.json.num_pk, 999);
    assert.ok(!('nmae' in created.json));
    const got = await s.req('GET', `/core/groups/${created.json.pk}/`);
    assert.deepEqual(got.json, created.json, 'retrieve answers what create answered');
    assert.equal((await s.req('DELETE', `/core/groups/${created.json.pk}/`)).status, 204);
  });

  test('only superusers (also through a parent group) may use the API', async () => {
    const viewer = (await s.req('POST', '/core/users/', { username: 'viewer', name: 'Viewer' })).json;
    await s.req('POST', '/core/tokens/', { identifier: 'viewer-token', user: viewer.pk, expiring: false });
    await s.req('POST', '/core/tokens/viewer-token/set_key/', { key: 'viewer-key' });
    const denied = await s.req('GET', '/core/groups/', undefined, { authorization: 'Bearer viewer-key' });
    assert.deepEqual([denied.status, denied.json], [403, { detail: 'You do not have permission to perform this action.' }]);
    const admins = (await s.req('GET', '/core/groups/?name=authentik%20Admins')).json.results[0];
    await s.req('POST', '/core/groups/', { name: 'ops-admins', parent: admins.pk, users: [viewer.pk] });
    assert.equal((await s.req('GET', `/core/users/${viewer.pk}/`)).json.is_superuser, true);
    assert.equal((await s.req('GET', '/core/groups/', undefined, { authorization: 'Bearer viewer-key' })).status, 200);
    const nothing = await s.req('POST', '/core/groups/', 'null');
    assert.deepEqual(nothing.json, { non_field_errors: ['No data provided'] });
  });

  test('admin/models lists the blueprint models of the version', async () => {
    const r = await s.req('GET', '/admin/models/');
    const names = r.json.map((m: any) => m.name);
    assert.ok(names.includes('authentik_core.user'));
    assert.ok(names.includes('authentik_tenants.tenant'));
    assert.ok(!names.includes('authentik_blueprints.metaapplyblueprint'));
  });
});

describe('sandbox over HTTP, 2026.5 differences', () => {
  let s: Served;
  before(async () => {
    s = await serve('2026.5');
  });
  after(() => s.close());

  test('another scheme is anonymous; 404 names the model; version has the newer fields', async () => {
    const basic = await s.req('GET', '/core/users/', undefined, { authorization: 'Basic dXNlcjpwdw==' });
    assert.deepEqual([basic.status, basic.json], [403, { detail: 'Authentication credentials were not provided.' }]);
    const missing = await s.req('GET', '/core/users/99/');
    assert.deepEqual([missing.status, missing.json], [404, { detail: 'No User matches the given query.' }]);
    const v = await s.req('GET', '/admin/version/');
    assert.equal(v.json.version_current, '2026.5.0-rc1');
    assert.equal(v.json.outpost_outdated, false);
    const cfg = await s.req('GET', '/root/config/', undefined, {});
    assert.ok(!('cache_timeout_reputation' in cfg.json));
  });

  test('lists carry autocomplete; group names are unique; brands replace tenants', async () => {
    const list = await s.req('GET', '/core/groups/');
    assert.deepEqual(list.json.autocomplete, {});
    const dup = await s.req('POST', '/core/groups/', { name: 'authentik Admins' });
    assert.equal(dup.status, 400);
    assert.deepEqual(Object.keys(dup.json), ['name']);
    assert.equal((await s.req('GET', '/core/tenants/')).status, 404);
    assert.equal((await s.req('GET', '/core/brands/')).status, 200);
  });
});
