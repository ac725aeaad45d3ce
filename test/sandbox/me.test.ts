// GET /core/users/me/: the token's own user, as akbp's self-lockout check reads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';

for (const version of ['2023.6', '2026.5']) {
  test(`${version}: /core/users/me/ names the token's user and its superuser group; the client's whoami reads it`, async () => {
    const registry = bundledRegistry(version);
    const sandbox = await createSandbox({ registry, token: 'me-token-0123456789' });
    const res = await sandbox.handle({ method: 'GET', path: '/core/users/me/', headers: { authorization: 'Bearer me-token-0123456789' } });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { user: { pk: number; username: string; is_superuser: boolean; groups: { name: string; pk: string }[] } };
    assert.equal(body.user.username, 'akadmin');
    assert.equal(body.user.is_superuser, true);
    assert.deepEqual(body.user.groups.map((g) => g.name), ['authentik Admins']);
    const anon = await sandbox.handle({ method: 'GET', path: '/core/users/me/', headers: {} });
    assert.equal(anon.status, 403);
    const client = createClient({ baseUrl: 'http://sandbox.invalid', token: 'me-token-0123456789', registry, transport: sandbox.transport() });
    const me = await client.whoami?.();
    assert.equal(me?.username, 'akadmin');
    assert.deepEqual(me?.groups, body.user.groups.map((g) => g.pk));
    await client.close();
  });
}
