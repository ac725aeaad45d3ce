// The client over real HTTP against a small fake authentik: pagination, addressing, retries,
// uncertain creates, timeouts, connection reuse, bounded concurrency, token hygiene.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ApiError } from '../../src/model/errors.js';
import { type LogLine, apiErrorDiagnostics, createClient, detectVersion, undiciTransport } from '../../src/server/index.js';
import { Http } from '../../src/server/http.js';
import { type FakeServer, TOKEN, miniRegistry, startFakeServer } from './fake-server.js';

let srv: FakeServer;
const logs: LogLine[] = [];
const sleeps: number[] = [];
const captured: string[] = [];

function client(extra: Partial<Parameters<typeof createClient>[0]> = {}) {
  return createClient({
    baseUrl: srv.url,
    token: TOKEN,
    registry: miniRegistry(),
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    log: (l) => void logs.push(l),
    ...extra,
  });
}

async function rejects(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    captured.push(e.message, e.stack ?? '', JSON.stringify(e), JSON.stringify(apiErrorDiagnostics(e, { model: 'authentik_core.user' })));
    return e;
  }
  assert.fail('expected a rejection');
}

before(async () => {
  srv = await startFakeServer();
});
after(async () => {
  await srv.close();
  // Every log line, error message and diagnostic produced in this file, grepped for the token.
  const all = JSON.stringify(logs) + captured.join('\n');
  assert.ok(all.length > 1000, 'captured output should not be empty');
  assert.ok(!all.includes(TOKEN), 'the token leaked into a log line, error or diagnostic');
});
beforeEach(() => {
  srv.fault = () => undefined;
  srv.users.clear();
  srv.flows.clear();
  srv.seen.length = 0;
  sleeps.length = 0;
});

function seedUsers(n: number) {
  for (let i = 1; i <= n; i++) srv.users.set(i, { pk: i, username: `u${String(i).padStart(4, '0')}`, name: `User ${i}` });
}

test('list reads every page: 250 users are 3 requests at page size 100 and 1 at the largest size', async () => {
  seedUsers(250);
  const c = client();
  const small = await c.list('authentik_core.user', { pageSize: 100 });
  assert.equal(small.length, 250);
  assert.equal(c.requestCount(), 3);
  assert.deepEqual(new Set(small.map((o) => o.pk)).size, 250);
  const big = await c.list('authentik_core.user');
  assert.equal(big.length, 250);
  assert.equal(c.requestCount(), 4);
  // Stable pagination: every page asked with an explicit pk ordering; auth is a Bearer header.
  for (const s of srv.seen) {
    assert.match(s.path, /ordering=pk/);
    assert.equal(s.authorization, `Bearer ${TOKEN}`);
  }
  assert.match(srv.seen.at(-1)!.path, /page_size=1000/);
  await c.close();
});

test('list honours a capped registry (2026.5-style maxPageSize) and repeats array filters', async () => {
  seedUsers(30);
  const c = client({ registry: miniRegistry(10) });
  assert.equal((await c.list('authentik_core.user', { pageSize: 500 })).length, 30);
  assert.equal(c.requestCount(), 3);
  await c.list('authentik_core.user', { filters: { username: ['u0001', 'u0002'] } });
  assert.match(srv.seen.at(-1)!.path, /username=u0001&username=u0002/);
  await c.close();
});

test('503 and 429 are retried with backoff; Retry-After is honoured', async () => {
  seedUsers(1);
  srv.fault = ({ n }) =>
    n === 1
      ? { kind: 'status', status: 503 }
      : n === 2
        ? { kind: 'status', status: 429, headers: { 'retry-after': '3' }, body: '{"detail":"Request was throttled."}' }
        : undefined;
  const c = client();
  const u = await c.get('authentik_core.user', 1);
  assert.equal(u?.body.username, 'u0001');
  assert.equal(c.requestCount(), 3);
  assert.deepEqual(sleeps, [188, 3000]); // 250ms·2⁰ with jitter 0.5 → 188; then the server's 3 s
  assert.deepEqual(
    logs.slice(-3).map((l) => [l.status, l.attempt]),
    [
      [503, 1],
      [429, 2],
      [200, 3],
    ],
  );
  await c.close();
});

test('gives up after the retry budget with the last status', async () => {
  srv.fault = () => ({ kind: 'status', status: 502, body: '<html>Bad gateway</html>' });
  const c = client({ retries: 2 });
  const e = await rejects(c.list('authentik_core.user'));
  assert.equal(e.status, 502);
  assert.equal(c.requestCount(), 3);
  assert.equal(apiErrorDiagnostics(e)[0]!.code, 'AKB6012');
  await c.close();
});

test('a connection reset on GET, PATCH and DELETE is retried', async () => {
  seedUsers(2);
  const c = client();
  srv.fault = ({ n }) => (n === 1 ? { kind: 'reset', after: false } : undefined);
  assert.equal((await c.get('authentik_core.user', 1))?.pk, 1);
  srv.seen.length = 0;
  srv.fault = ({ n }) => (n === 1 ? { kind: 'reset', after: true } : undefined);
  const p = await c.patch('authentik_core.user', 1, { name: 'Renamed' });
  assert.equal(p.body.name, 'Renamed');
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['PATCH', 'PATCH'],
  );
  srv.seen.length = 0;
  srv.fault = ({ n }) => (n === 1 ? { kind: 'reset', after: true } : undefined);
  await c.delete('authentik_core.user', 2); // the retry sees 404: already gone is success
  assert.equal(srv.users.has(2), false);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['DELETE', 'DELETE'],
  );
  await c.close();
});

test('POST reset after the write: the client finds the object instead of creating it twice', async () => {
  srv.fault = ({ method, n }) => (method === 'POST' && n === 1 ? { kind: 'reset', after: true } : undefined);
  const c = client();
  const u = await c.create('authentik_core.user', { username: 'alice', name: 'Alice' });
  assert.equal(u.body.username, 'alice');
  assert.equal(srv.users.size, 1, 'exactly one object exists');
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST', 'GET'],
  );
  assert.match(srv.seen[1]!.path, /username=alice/);
  await c.close();
});

test('POST reset before the write: not found by its identifiers, so the POST is sent once more', async () => {
  srv.fault = ({ method, n }) => (method === 'POST' && n === 1 ? { kind: 'reset', after: false } : undefined);
  const c = client();
  const u = await c.create('authentik_core.user', { username: 'bob', name: 'Bob' });
  assert.equal(u.body.username, 'bob');
  assert.equal(srv.users.size, 1);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST', 'GET', 'POST'],
  );
  await c.close();
});

test('a first POST that lands late makes the second one a 400 duplicate: the client returns the landed object', async () => {
  srv.fault = ({ method, n }) => {
    if (method === 'POST' && n === 1) return { kind: 'reset', after: false };
    // The first POST's write arrives only now, just before the second POST.
    if (method === 'POST' && n === 3) srv.users.set(77, { pk: 77, username: 'late', name: 'Late' });
    return undefined;
  };
  const c = client();
  const u = await c.create('authentik_core.user', { username: 'late', name: 'Late' });
  assert.equal(u.pk, 77);
  assert.equal(srv.users.size, 1);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST', 'GET', 'POST', 'GET'],
  );
  await c.close();
});

test('POST with a 5xx twice: one retry only, then an uncertain error naming what may have happened', async () => {
  srv.fault = ({ method }) => (method === 'POST' ? { kind: 'status', status: 504 } : undefined);
  const c = client();
  const e = await rejects(c.create('authentik_core.user', { username: 'carol', name: 'Carol' }));
  assert.equal(e.uncertain, true);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST', 'GET', 'POST', 'GET'],
  );
  const d = apiErrorDiagnostics(e, { model: 'authentik_core.user' })[0]!;
  assert.equal(d.code, 'AKB6011');
  assert.match(d.summary, /may or may not have been created/);
  await c.close();
});

test('when the look-up after an uncertain POST fails too, the error is the uncertain POST', async () => {
  srv.fault = ({ method, n }) =>
    method === 'POST' && n === 1 ? { kind: 'reset', after: true } : method === 'GET' ? { kind: 'status', status: 503 } : undefined;
  const c = client({ retries: 1 });
  const e = await rejects(c.create('authentik_core.user', { username: 'dora', name: 'Dora' }));
  assert.equal(e.method, 'POST');
  assert.equal(e.uncertain, true);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST', 'GET', 'GET'],
  );
  await c.close();
});

test('POST without identifying values is never repeated blindly', async () => {
  srv.fault = ({ method }) => (method === 'POST' ? { kind: 'reset', after: true } : undefined);
  const c = client();
  const e = await rejects(c.create('authentik_flows.flow', { name: 'no slug given' }));
  assert.equal(e.uncertain, true);
  assert.equal(e.status, 0);
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['POST'],
  );
  assert.equal(srv.flows.size, 1);
  await c.close();
});

test('a request that never answers times out and is retried', async () => {
  seedUsers(1);
  srv.fault = ({ n }) => (n === 1 ? { kind: 'hang' } : undefined);
  const c = client({ timeoutMs: 300 });
  assert.equal((await c.get('authentik_core.user', 1))?.pk, 1);
  assert.equal(c.requestCount(), 2);
  assert.equal(logs.at(-2)!.status, 0);
  await c.close();
});

test('keep-alive: 30 sequential requests reuse connections (at most 2 opened, not 30)', async () => {
  seedUsers(1);
  const before = srv.connections();
  const c = client();
  for (let i = 0; i < 30; i++) await c.get('authentik_core.user', 1);
  // undici may hand the next request to a second idle connection before the first is marked free.
  assert.ok(srv.connections() - before <= 2, `${srv.connections() - before} connections`);
  await c.close();
});

test('close() closes a transport handed in (the CLI probes with it first); closing twice is harmless', async () => {
  seedUsers(1);
  const t = undiciTransport(srv.url, {});
  const c = client({ transport: t });
  assert.equal((await c.get('authentik_core.user', 1))?.pk, 1);
  await c.close();
  await t.close();
  await assert.rejects(t.request({ method: 'GET', path: '/core/users/1/', headers: {} }));
});

test('concurrency is bounded: 24 parallel reads, never more than 3 in flight', async () => {
  const slow = await startFakeServer({ delayMs: 25 });
  for (let i = 1; i <= 24; i++) slow.users.set(i, { pk: i, username: `s${i}` });
  const c = createClient({ baseUrl: slow.url, token: TOKEN, registry: miniRegistry(), concurrency: 3 });
  const got = await Promise.all(Array.from({ length: 24 }, (_, i) => c.get('authentik_core.user', i + 1)));
  assert.equal(got.filter(Boolean).length, 24);
  assert.ok(slow.maxInFlight() <= 3, `max in flight ${slow.maxInFlight()}`);
  assert.ok(slow.maxInFlight() >= 2, 'requests should overlap');
  await c.close();
  await slow.close();
});

test('slug-addressed models: get/patch/delete by pk use the index, a pk filter, or the slug itself', async () => {
  const c = client();
  const f = await c.create('authentik_flows.flow', { slug: 'login', name: 'Login', title: 'Welcome' });
  srv.seen.length = 0;
  // Index filled by create: one detail GET by slug.
  assert.equal((await c.get('authentik_flows.flow', f.pk))?.body.slug, 'login');
  assert.deepEqual(
    srv.seen.map((s) => s.path.replace(/\?.*/, '')),
    ['/api/v3/flows/instances/login/'],
  );
  // A fresh client has no index: one list filtered by flow_uuid (re-checked), then PATCH by slug.
  const fresh = client();
  srv.seen.length = 0;
  await fresh.patch('authentik_flows.flow', f.pk, { title: 'Hello' });
  assert.deepEqual(
    srv.seen.map((s) => `${s.method} ${s.path.replace(/ordering=pk&page=1&page_size=1000/, '…')}`),
    [`GET /api/v3/flows/instances/?flow_uuid=${f.pk}&…`, 'PATCH /api/v3/flows/instances/login/'],
  );
  // A value that cannot be a uuid is the slug itself.
  assert.equal((await fresh.get('authentik_flows.flow', 'login'))?.body.title, 'Hello');
  // An unknown pk: null, and delete of it resolves.
  assert.equal(await fresh.get('authentik_flows.flow', '00000000-0000-4000-8000-000000000000'), null);
  await fresh.delete('authentik_flows.flow', '00000000-0000-4000-8000-000000000000');
  await fresh.delete('authentik_flows.flow', f.pk);
  assert.equal(srv.flows.size, 0);
  await c.close();
  await fresh.close();
});

test("a slug renamed behind the client's back: the stale index entry is dropped and the object found again", async () => {
  const c = client();
  const f = await c.create('authentik_flows.flow', { slug: 'login', name: 'Login' });
  srv.flows.get(String(f.pk))!.slug = 'signin';
  srv.seen.length = 0;
  assert.equal((await c.get('authentik_flows.flow', f.pk))?.body.slug, 'signin');
  assert.deepEqual(
    srv.seen.map((s) => s.path.replace(/&.*/, '')),
    ['/api/v3/flows/instances/login/', `/api/v3/flows/instances/?flow_uuid=${f.pk}`],
  );
  const p = await c.patch('authentik_flows.flow', f.pk, { title: 'T' });
  assert.equal(p.body.title, 'T');
  assert.equal(srv.seen.at(-1)!.path, '/api/v3/flows/instances/signin/');
  await c.close();
});

test('get of a missing user is null; patch sends only the given fields with PATCH', async () => {
  seedUsers(1);
  const c = client();
  assert.equal(await c.get('authentik_core.user', 99), null);
  srv.seen.length = 0;
  await c.patch('authentik_core.user', 1, { name: 'Only this' });
  assert.deepEqual(
    srv.seen.map((s) => s.method),
    ['PATCH'],
  );
  assert.equal(srv.users.get(1)!.username, 'u0001');
  await c.close();
});

test('set_password posts to the user action and the password appears in no log line', async () => {
  seedUsers(1);
  const c = client();
  const before = logs.length;
  assert.equal(await c.action('authentik_core.user', 1, 'set_password', { password: 'pw-canary-91' }), null);
  assert.equal(srv.seen.at(-1)!.path, '/api/v3/core/users/1/set_password/');
  assert.equal(srv.seen.at(-1)!.method, 'POST');
  assert.ok(!JSON.stringify(logs.slice(before)).includes('pw-canary-91'));
  await c.close();
});

test('an error body that echoes the token is scrubbed before it reaches ApiError', async () => {
  srv.fault = () => ({ kind: 'status', status: 403, body: JSON.stringify({ detail: `Token invalid/expired: ${TOKEN}` }) });
  const c = client();
  const e = await rejects(c.list('authentik_core.user'));
  assert.equal(e.status, 403);
  assert.deepEqual(e.body, { detail: 'Token invalid/expired: ***' });
  assert.equal(apiErrorDiagnostics(e)[0]!.code, 'AKB6004');
  await c.close();
});

test('version: /admin/version/ first, the public schema when the token may not read it', async () => {
  const t = undiciTransport(srv.url, {});
  assert.equal(await detectVersion(t, TOKEN), '2023.6.1');
  srv.fault = ({ path }) =>
    path.startsWith('/api/v3/admin/')
      ? { kind: 'status', status: 403, body: '{"detail":"You do not have permission to perform this action."}' }
      : path.startsWith('/api/v3/schema/')
        ? { kind: 'status', status: 200, body: JSON.stringify({ openapi: '3.0.3', info: { version: '2023.6.3' }, paths: {} }) }
        : undefined;
  assert.equal(await detectVersion(t, TOKEN), '2023.6.3');
  await t.close();
  const c = client();
  srv.fault = () => undefined;
  assert.equal(await c.version(), '2023.6.1');
  await c.close();
});

test('an unreachable server is a clear AKB6008, after retrying a refused connection', async () => {
  const c = createClient({ baseUrl: 'http://127.0.0.1:1', token: TOKEN, registry: miniRegistry(), retries: 1, sleep: async () => {} });
  const e = await rejects(c.list('authentik_core.user'));
  assert.equal(e.status, 0);
  assert.equal(c.requestCount(), 2);
  const d = apiErrorDiagnostics(e)[0]!;
  assert.equal(d.code, 'AKB6008');
  assert.match(d.summary, /ECONNREFUSED/);
  await c.close();
});

test('a failed call on a path that holds the token carries the path scrubbed into ApiError and diagnostics', async () => {
  const c = client();
  // A flow is addressed by slug; a value that cannot be a pk is used as the slug itself.
  const e = await rejects(c.patch('authentik_flows.flow', `slug-${TOKEN}`, { name: 'x' }));
  assert.equal(e.status, 404);
  assert.equal(e.path, '/flows/instances/slug-***/');
  await c.close();
});

test('a successful answer that is not JSON comes back whole, not clipped or scrubbed like an error text', async () => {
  const text = `plain ${TOKEN} ${'x'.repeat(3000)}`;
  const http = new Http({
    token: TOKEN,
    transport: { request: async () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: text }), close: async () => undefined },
  });
  assert.equal((await http.json('GET', '/anything/')).body, text);
});
