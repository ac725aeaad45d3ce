// Pagination and filters against the sandbox over real HTTP on 127.0.0.1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import type { ServerClient } from '../../src/model/ports.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';

const TOKEN = 'sbx-canary-4d1e88b0c2';

async function world(version: string) {
  const registry = bundledRegistry(version);
  const sb = await createSandbox({ registry, token: TOKEN });
  const http = await sb.listen('127.0.0.1', 0);
  // Seeding goes in-process: it is set-up, not the thing measured.
  const seeder = createClient({ baseUrl: 'http://sandbox.invalid', token: TOKEN, registry, transport: sb.transport() });
  await Promise.all(
    Array.from({ length: 1000 }, (_, i) =>
      seeder.create('authentik_core.user', { username: `bench${String(i).padStart(4, '0')}`, name: `Bench ${i}`, path: 'bench', is_active: i % 10 !== 0 }),
    ),
  );
  const client = (): ServerClient => createClient({ baseUrl: http.url, token: TOKEN, registry });
  return { sb, http, client };
}

test('2023.6: a 1,000-object list is 10 requests at the default page size (100) and 1 at the largest', async () => {
  const { sb, http, client } = await world('2023.6');
  const c = client();
  try {
    sb.clearLog();
    const small = await c.list('authentik_core.user', { filters: { path: 'bench' }, pageSize: 100 });
    assert.equal(small.length, 1000);
    assert.equal(new Set(small.map((o) => o.pk)).size, 1000, 'no object twice, none lost between pages');
    assert.equal(sb.requestLog.length, 10);
    assert.equal(c.requestCount(), 10);

    sb.clearLog();
    const big = await c.list('authentik_core.user', { filters: { path: 'bench' } });
    assert.equal(big.length, 1000);
    assert.deepEqual(
      sb.requestLog.map((r) => r.path),
      ['/core/users/?ordering=pk&page=1&page_size=1000&path=bench'],
    );
    assert.deepEqual(
      big.map((o) => o.pk),
      small.map((o) => o.pk),
      'same objects in the same (pk) order',
    );
  } finally {
    await c.close();
    await http.close();
  }
});

test('2026.5: page size is capped at the registry maximum (1000) even when more is asked', async () => {
  const { sb, http, client } = await world('2026.5');
  const c = client();
  try {
    sb.clearLog();
    const all = await c.list('authentik_core.user', { pageSize: 5000 });
    assert.ok(all.length >= 1001, `${all.length}`); // 1000 + akadmin (+ any other seeded user)
    assert.equal(sb.requestLog.length, Math.ceil(all.length / 1000));
    assert.ok(sb.requestLog.every((r) => r.path.includes('page_size=1000')));
  } finally {
    await c.close();
    await http.close();
  }
});

test('filters: exact match, booleans, repeated array parameters; the results are what was asked', async () => {
  const { http, client } = await world('2023.6');
  const c = client();
  try {
    const one = await c.list('authentik_core.user', { filters: { username: 'bench0042' } });
    assert.deepEqual(
      one.map((o) => o.body.username),
      ['bench0042'],
    );
    const inactive = await c.list('authentik_core.user', { filters: { path: 'bench', is_active: false } });
    assert.equal(inactive.length, 100);
    assert.ok(inactive.every((o) => o.body.is_active === false));
    const admins = await c.list('authentik_core.group', { filters: { name: 'authentik Admins' } });
    assert.equal(admins.length, 1);
    const g2 = await c.create('authentik_core.group', { name: 'g2', users: [one[0]!.pk] });
    const members = await c.list('authentik_core.user', { filters: { groups_by_pk: [String(admins[0]!.pk), String(g2.pk)] } });
    assert.deepEqual(members.map((o) => o.body.username).sort(), ['akadmin', 'bench0042']);
  } finally {
    await c.close();
    await http.close();
  }
});
