// Lists as a client pages and filters them: authentik's pagination envelope over 1,000 objects
// (request counts at the default and a large page size), filters, search and ordering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flowBody, serve, type Served } from './util.js';

async function pageAll(s: Served, path: string): Promise<{ items: any[]; requests: number }> {
  const items: any[] = [];
  let page = 1;
  let requests = 0;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await s.req('GET', `${path}${sep}page=${page}`);
    requests++;
    assert.equal(r.status, 200);
    items.push(...r.json.results);
    if (r.json.pagination.next === 0) break;
    page = r.json.pagination.next;
  }
  return { items, requests };
}

describe('pagination over 1,000 objects', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
    // 999 + the seeded `authentik Admins` = exactly 1,000 groups.
    for (let i = 0; i < 999; i++) {
      const res = await s.sb.handle({
        method: 'POST',
        path: '/core/groups/',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
        body: JSON.stringify({ name: `g${String(i).padStart(4, '0')}`, attributes: { i } }),
      });
      assert.equal(res.status, 201);
    }
  });
  after(() => s.close());

  test('default page size 100: 10 requests for 1,000 groups, every object once', async () => {
    s.sb.clearLog();
    const { items, requests } = await pageAll(s, '/core/groups/');
    assert.equal(requests, 10);
    assert.deepEqual(s.sb.requestLog.slice(0, 2), [
      { method: 'GET', path: '/core/groups/?page=1', status: 200 },
      { method: 'GET', path: '/core/groups/?page=2', status: 200 },
    ]);
    assert.equal(s.sb.requestLog.length, 10);
    assert.equal(items.length, 1000);
    assert.equal(new Set(items.map((g) => g.pk)).size, 1000);
  });

  test('page_size=1000: 1 request; no cap in 2023.6, so page_size=5000 is one page too', async () => {
    assert.equal((await pageAll(s, '/core/groups/?page_size=1000')).requests, 1);
    assert.equal((await pageAll(s, '/core/groups/?page_size=999')).requests, 2);
    const big = await s.req('GET', '/core/groups/?page_size=5000');
    assert.equal(big.json.results.length, 1000);
  });

  test('the envelope: numeric next/previous (0 = none), indexes, last page, invalid pages', async () => {
    const p2 = await s.req('GET', '/core/groups/?page=2&page_size=300');
    assert.deepEqual(p2.json.pagination, { next: 3, previous: 1, count: 1000, current: 2, total_pages: 4, start_index: 301, end_index: 600 });
    const last = await s.req('GET', '/core/groups/?page=last&page_size=300');
    assert.deepEqual(last.json.pagination, { next: 0, previous: 3, count: 1000, current: 4, total_pages: 4, start_index: 901, end_index: 1000 });
    for (const bad of ['5', '0', 'x']) {
      const r = await s.req('GET', `/core/groups/?page=${bad}&page_size=300`);
      assert.deepEqual([r.status, r.json], [404, { detail: 'Invalid page.' }], `page=${bad}`);
    }
    const badSize = await s.req('GET', '/core/groups/?page_size=-4');
    assert.equal(badSize.json.results.length, 100, 'an invalid page_size falls back to 100');
    const empty = await s.req('GET', '/core/groups/?name=none');
    assert.deepEqual(empty.json, { pagination: { next: 0, previous: 0, count: 0, current: 1, total_pages: 1, start_index: 0, end_index: 0 }, results: [] });
  });
});

test('2026.5 caps page_size at the registry maximum (1000): 1,001 groups need 2 requests even at page_size=5000', async () => {
  const s = await serve('2026.5');
  try {
    for (let i = 0; i < 1000; i++) {
      await s.sb.handle({
        method: 'POST',
        path: '/core/groups/',
        headers: { authorization: 'Bearer test-token', 'content-type': 'application/json' },
        body: JSON.stringify({ name: `g${i}` }),
      });
    }
    const first = await s.req('GET', '/core/groups/?page_size=5000');
    assert.equal(first.json.results.length, 1000);
    assert.equal(first.json.pagination.next, 2);
    assert.equal((await pageAll(s, '/core/groups/?page_size=5000')).requests, 2);
  } finally {
    await s.close();
  }
});

describe('filters, search and ordering', () => {
  let s: Served;
  before(async () => {
    s = await serve('2023.6');
    await s.req('POST', '/core/users/', { username: 'alice', name: 'Alice Liddell', email: 'alice@example.com', is_active: true });
    await s.req('POST', '/core/users/', { username: 'Bob', name: 'Bob Builder', is_active: false });
    await s.req('POST', '/core/users/', { username: 'carol', name: 'Carol Liddell', attributes: { team: { name: 'blue' } } });
  });
  after(() => s.close());

  const names = (r: any) => r.json.results.map((u: any) => u.username);

  test('exact case-sensitive filters, booleans, unknown parameters ignored', async () => {
    assert.deepEqual(names(await s.req('GET', '/core/users/?username=bob')), []);
    assert.deepEqual(names(await s.req('GET', '/core/users/?username=Bob')), ['Bob']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?is_active=false')), ['Bob']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?usernme=Bob')).length, 4, 'a misspelt filter returns everything');
  });

  test('attributes filter takes JSON; groups_by_pk 400s for unknown groups', async () => {
    assert.deepEqual(names(await s.req('GET', `/core/users/?attributes=${encodeURIComponent('{"team":{"name":"blue"}}')}`)), ['carol']);
    const bad = await s.req('GET', '/core/users/?attributes=notjson');
    assert.deepEqual([bad.status, bad.json], [400, { attributes: ['filter: failed to parse JSON'] }]);
    const groups = await s.req('GET', '/core/groups/');
    const adminGroup = groups.json.results[0].pk;
    assert.deepEqual(names(await s.req('GET', `/core/users/?groups_by_pk=${adminGroup}`)), ['akadmin']);
    const unknown = await s.req('GET', '/core/users/?groups_by_pk=00000000-0000-4000-8000-000000000000');
    assert.equal(unknown.status, 400);
    assert.ok('groups_by_pk' in unknown.json);
  });

  test('search is icontains over search fields with terms AND-ed', async () => {
    assert.deepEqual(names(await s.req('GET', '/core/users/?search=liddell')).sort(), ['alice', 'carol']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?search=liddell%20car')), ['carol']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?search=liddell,zzz')), []);
  });

  test('ordering: default per model, descending with -, unknown fields dropped', async () => {
    assert.deepEqual(names(await s.req('GET', '/core/users/')), ['akadmin', 'alice', 'Bob', 'carol']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?ordering=-username')), ['carol', 'Bob', 'alice', 'akadmin']);
    assert.deepEqual(names(await s.req('GET', '/core/users/?ordering=nonsense,-pk')), ['carol', 'Bob', 'alice', 'akadmin']);
  });

  test('policy bindings: target filter compares pbm uuids and 400s for anything else', async () => {
    const flow = (await s.req('POST', '/flows/instances/', flowBody('login'))).json;
    const group = (await s.req('POST', '/core/groups/', { name: 'staff' })).json;
    const bind = await s.req('POST', '/policies/bindings/', { target: flow.pk, group: group.pk, order: 0 });
    assert.equal(bind.status, 201);
    assert.equal(bind.json.target, flow.pk, 'read returns the flow pk');
    const byPbm = await s.req('GET', `/policies/bindings/?target=${flow.policybindingmodel_ptr_id}`);
    assert.equal(byPbm.json.pagination.count, 1);
    const byPk = await s.req('GET', `/policies/bindings/?target=${flow.pk}`);
    assert.equal(byPk.status, 400, 'the flow pk is not a pbm uuid');
    assert.ok('target' in byPk.json);
    const viaPbm = await s.req('POST', '/policies/bindings/', { target: flow.policybindingmodel_ptr_id, group: group.pk, order: 1 });
    assert.equal(viaPbm.json.target, flow.pk, 'write also accepts the pbm uuid');
  });
});

test('a list page shows every object exactly as its detail GET does (reverse lookups included)', async () => {
  const s = await serve('2026.5');
  try {
    const flow = (await s.req('POST', '/flows/instances/', flowBody('listed', { designation: 'authorization' }))).json;
    const parent = (await s.req('POST', '/core/groups/', { name: 'parent' })).json;
    await s.req('POST', '/core/groups/', { name: 'child', parents: [parent.pk] });
    const provider = (url: string) => ({
      name: url,
      authorization_flow: flow.pk,
      invalidation_flow: flow.pk,
      redirect_uris: [{ matching_mode: 'strict', url }],
    });
    const main = (await s.req('POST', '/providers/oauth2/', provider('https://a/cb'))).json;
    const back = (await s.req('POST', '/providers/oauth2/', provider('https://b/cb'))).json;
    await s.req('POST', '/providers/oauth2/', provider('https://c/cb'));
    assert.equal((await s.req('POST', '/core/applications/', { name: 'App', slug: 'app', provider: main.pk, backchannel_providers: [back.pk] })).status, 201);
    const stage = (await s.req('POST', '/stages/dummy/', { name: 'st' })).json;
    await s.req('POST', '/flows/bindings/', { target: flow.pk, stage: stage.pk, order: 2 });
    const pol = (await s.req('POST', '/policies/dummy/', { name: 'pol' })).json;
    await s.req('POST', '/policies/bindings/', { target: flow.pk, policy: pol.pk, order: 1 });
    for (const [list, detail] of [
      ['/core/groups/', (o: any) => `/core/groups/${o.pk}/`],
      ['/providers/oauth2/', (o: any) => `/providers/oauth2/${o.pk}/`],
      ['/core/applications/', (o: any) => `/core/applications/${o.slug}/`],
      ['/flows/instances/', (o: any) => `/flows/instances/${o.slug}/`],
      ['/policies/dummy/', (o: any) => `/policies/dummy/${o.pk}/`],
    ] as const) {
      const rows = (await s.req('GET', list)).json.results;
      assert.ok(rows.length > 0, list);
      for (const row of rows) assert.deepEqual(row, (await s.req('GET', detail(row))).json, `${list} ${row.pk}`);
    }
    const groups = (await s.req('GET', '/core/groups/?ordering=name')).json.results;
    assert.deepEqual(groups.find((g: any) => g.name === 'parent').children.length, 1);
    const providers = (await s.req('GET', '/providers/oauth2/?ordering=pk')).json.results;
    assert.deepEqual(
      providers.map((p: any) => [p.assigned_application_slug, p.assigned_backchannel_application_slug]),
      [
        ['app', null],
        [null, 'app'],
        [null, null],
      ],
    );
    assert.equal((await s.req('GET', '/policies/dummy/')).json.results[0].bound_to, 1);
    assert.deepEqual((await s.req('GET', '/flows/instances/')).json.results[0].stages, [stage.pk]);
  } finally {
    await s.close();
  }
});
