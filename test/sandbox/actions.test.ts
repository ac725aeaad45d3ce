// The blueprint-only actions a reconciler drives: passwords, token keys, icons and backgrounds,
// blueprint apply — with each version's quirks.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowBody, serve, type Served } from './util.js';

describe('actions, 2023.6', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
  });
  after(() => s.close());

  test('set_password stores a salted hash, never returns it; an empty body sets an unusable password', async () => {
    const u = (await s.req('POST', '/core/users/', { username: 'frank', name: 'Frank', password: 'ignored-on-create' })).json;
    const r = await s.req('POST', `/core/users/${u.pk}/set_password/`, { password: 'correct horse' });
    assert.deepEqual([r.status, r.text], [204, '']);
    const got = await s.req('GET', `/core/users/${u.pk}/`);
    assert.ok(!got.text.includes('correct horse'));
    assert.ok(!('password' in got.json));
    assert.ok(!('password_change_date' in got.json), '2023.6 exposes no password change date');
    const state = JSON.stringify(s.sb.snapshot());
    assert.ok(!state.includes('correct horse'), 'the state holds a hash, not the password');
    assert.ok(!state.includes('ignored-on-create'));
    assert.match(state, /scrypt\$/);
    const unusable = await s.req('POST', `/core/users/${u.pk}/set_password/`, {});
    assert.equal(unusable.status, 204);
  });

  test('add_user / remove_user change both sides of the membership; the pk may be sent as a string', async () => {
    const u = (await s.req('POST', '/core/users/', { username: 'gina', name: 'Gina' })).json;
    const g = (await s.req('POST', '/core/groups/', { name: 'crew' })).json;
    assert.equal((await s.req('POST', `/core/groups/${g.pk}/add_user/`, { pk: String(u.pk) })).status, 204);
    assert.deepEqual((await s.req('GET', `/core/users/${u.pk}/`)).json.groups, [g.pk]);
    assert.deepEqual((await s.req('GET', `/core/groups/${g.pk}/`)).json.users, [u.pk]);
    assert.equal((await s.req('POST', `/core/groups/${g.pk}/add_user/`, { pk: 2 })).status, 404, 'the anonymous user is not visible');
    assert.equal((await s.req('POST', `/core/groups/${g.pk}/remove_user/`, { pk: u.pk })).status, 204);
    assert.deepEqual((await s.req('GET', `/core/users/${u.pk}/`)).json.groups, []);
  });

  test('token keys: set_key (400 with empty body without key), view_key, and the new key authenticates', async () => {
    const t = await s.req('POST', '/core/tokens/', { identifier: 'ci', intent: 'api', expiring: false });
    assert.equal(t.json.user, 1, 'user defaults to the caller');
    const missing = await s.req('POST', '/core/tokens/ci/set_key/', {});
    assert.deepEqual([missing.status, missing.text], [400, '']);
    assert.equal((await s.req('POST', '/core/tokens/ci/set_key/', { key: 'ci-secret-key' })).status, 204);
    assert.deepEqual((await s.req('GET', '/core/tokens/ci/view_key/')).json, { key: 'ci-secret-key' });
    assert.ok(!(await s.req('GET', '/core/tokens/')).text.includes('ci-secret-key'));
    assert.ok(!JSON.stringify(s.sb.snapshot()).includes('ci-secret-key'), 'snapshots redact token keys');
    const asCi = await s.req('GET', '/core/users/', undefined, { authorization: 'Bearer ci-secret-key' });
    assert.equal(asCi.status, 200);
    const recovery = await s.req('POST', '/core/tokens/', { identifier: 'rec', intent: 'recovery' });
    assert.deepEqual(recovery.json, { intent: ['Invalid intent recovery'] });
  });

  test('set_icon_url / set_background_url fill the read-only meta_icon, icon and background', async () => {
    await s.req('POST', '/core/applications/', { name: 'Wiki', slug: 'wiki' });
    assert.equal((await s.req('POST', '/core/applications/wiki/set_icon_url/', { url: 'https://x/icon.png' })).status, 200);
    assert.equal((await s.req('GET', '/core/applications/wiki/')).json.meta_icon, 'https://x/icon.png');
    assert.equal((await s.req('POST', '/core/applications/wiki/set_icon_url/', {})).status, 400);
    await s.req('POST', '/sources/saml/', {
      name: 'idp',
      slug: 'idp',
      sso_url: 'https://idp/sso',
      pre_authentication_flow: (await s.req('POST', '/flows/instances/', flowBody('pre'))).json.pk,
    });
    assert.equal((await s.req('POST', '/sources/all/idp/set_icon_url/', { url: 'https://x/s.png' })).status, 200);
    assert.equal((await s.req('GET', '/sources/saml/idp/')).json.icon, 'https://x/s.png');
    assert.equal((await s.req('POST', '/flows/instances/pre/set_background_url/', { url: 'https://x/bg.jpg' })).status, 200);
    assert.equal((await s.req('GET', '/flows/instances/pre/')).json.background, 'https://x/bg.jpg');
  });

  test('blueprint instances: path must exist on the server, apply/ answers the instance, available/ is empty', async () => {
    const bad = await s.req('POST', '/managed/blueprints/', { name: 'bp', path: 'custom/x.yaml' });
    assert.deepEqual(bad.json, { path: ['Blueprint file does not exist'] });
    const neither = await s.req('POST', '/managed/blueprints/', { name: 'bp' });
    assert.deepEqual(neither.json, { non_field_errors: ['Either path or content must be set.'] });
    // authentik's importer raises on YAML it cannot parse; nothing turns that into a 400.
    const broken = await s.req('POST', '/managed/blueprints/', { name: 'bp', content: 'version: 1\nentries: [\n' });
    assert.equal(broken.status, 500);
    const bp = (
      await s.req('POST', '/managed/blueprints/', {
        name: 'bp',
        content: 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: !Format [x]}\n',
      })
    ).json;
    const applied = await s.req('POST', `/managed/blueprints/${bp.pk}/apply/`);
    assert.equal(applied.status, 200);
    assert.equal(applied.json.status, 'successful');
    assert.deepEqual((await s.req('GET', '/managed/blueprints/available/')).json, []);
  });
});

describe('actions, 2026.5', () => {
  let s: Served;
  before(async () => {
    s = await serve('2026.5');
  });
  after(() => s.close());

  test('set_password requires a password and updates password_change_date', async () => {
    const u = (await s.req('POST', '/core/users/', { username: 'gina', name: 'Gina' })).json;
    const before = u.password_change_date;
    const missing = await s.req('POST', `/core/users/${u.pk}/set_password/`, {});
    assert.deepEqual([missing.status, missing.json], [400, { password: ['This field is required.'] }]);
    await new Promise((r) => setTimeout(r, 5));
    assert.equal((await s.req('POST', `/core/users/${u.pk}/set_password/`, { password: 'pw' })).status, 204);
    const after = (await s.req('GET', `/core/users/${u.pk}/`)).json.password_change_date;
    assert.ok(after > before, `${after} > ${before}`);
  });

  test('icons are plain fields; the set_icon_url action is gone', async () => {
    const app = await s.req('POST', '/core/applications/', { name: 'Wiki', slug: 'wiki', meta_icon: 'https://x/i.png' });
    assert.equal(app.status, 201);
    assert.equal((await s.req('POST', '/core/applications/wiki/set_icon_url/', { url: 'https://x' })).status, 404);
  });
});
