// GET /core/users/me/: the token's own user, as akbp's self-lockout check reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { call, haveOpenapi, loadOpenapi, Validators } from './oas.js';

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: /core/users/me/ names the token's user and its superuser group; the client's whoami reads it`, async () => {
    const registry = bundledRegistry(version);
    const sandbox = await createSandbox({ registry, token: 'me-token-0123456789' });
    const res = await sandbox.handle({ method: 'GET', path: '/core/users/me/', headers: { authorization: 'Bearer me-token-0123456789' } });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { user: { pk: number; username: string; is_superuser: boolean; groups: { name: string; pk: string }[] } };
    assert.equal(body.user.username, 'akadmin');
    assert.equal(body.user.is_superuser, true);
    assert.deepEqual(
      body.user.groups.map((g) => g.name),
      ['authentik Admins'],
    );
    const anon = await sandbox.handle({ method: 'GET', path: '/core/users/me/', headers: {} });
    assert.equal(anon.status, 403);
    const client = createClient({ baseUrl: 'http://sandbox.invalid', token: 'me-token-0123456789', registry, transport: sandbox.transport() });
    const me = await client.whoami?.();
    assert.equal(me?.username, 'akadmin');
    assert.deepEqual(
      me?.groups,
      body.user.groups.map((g) => g.pk),
    );
    await client.close();
  });
}

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: /core/users/me/ is a SessionUser as authentik's schema declares it, with the user's own uid and avatar`, {
    skip: !haveOpenapi(version) && 'OpenAPI document not found',
  }, async () => {
    const sb = await createSandbox({ registry: bundledRegistry(version), token: 'test-token' });
    const parent = (await call(sb, 'POST', '/core/groups/', { name: 'zz-parent' })).json;
    const child = (
      await call(sb, 'POST', '/core/groups/', version === '2023.6' ? { name: 'aa-child', parent: parent.pk } : { name: 'aa-child', parents: [parent.pk] })
    ).json;
    const admin = (await call(sb, 'GET', '/core/users/1/')).json;
    await call(sb, 'PATCH', '/core/users/1/', { groups: [...admin.groups, child.pk] });
    const me: any = (await call(sb, 'GET', '/core/users/me/')).json;
    const validate = new Validators(loadOpenapi(version)).forRef('#/components/schemas/SessionUser');
    assert.ok(validate(structuredClone(me)), JSON.stringify(validate.errors));
    assert.equal(me.user.uid, admin.uid, 'the same uid as the user detail');
    assert.equal(me.user.avatar, admin.avatar);
    const names = me.user.groups.map((g: { name: string }) => g.name);
    // 2023.6 lists ak_groups; later releases all_groups() (ancestors included) ordered by name.
    assert.deepEqual(names, version === '2023.6' ? ['authentik Admins', 'aa-child'] : ['aa-child', 'authentik Admins', 'zz-parent']);
  });
}
