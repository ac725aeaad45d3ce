// A server (or proxy) that answers 500 now and then: a read is retried like 502–504, a write is
// not (a 500 after a PATCH or POST may mean it was applied).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createClient } from '../../src/server/index.js';
import { TOKEN, miniRegistry, startFakeServer, type FakeServer } from '../server/fake-server.js';

let srv: FakeServer;
before(async () => {
  srv = await startFakeServer();
});
after(() => srv.close());
beforeEach(() => {
  srv.fault = () => undefined;
  srv.users.clear();
  srv.users.set(1, { pk: 1, username: 'u1', name: 'User 1' });
});
const client = () => createClient({ baseUrl: srv.url, token: TOKEN, registry: miniRegistry(), sleep: async () => undefined, random: () => 0.5 });

test('a GET answered 500 once is retried and succeeds', async () => {
  srv.fault = ({ n }) => (n === 1 ? { kind: 'status', status: 500, body: '<h1>Server Error (500)</h1>' } : undefined);
  const c = client();
  const u = await c.get('authentik_core.user', 1);
  assert.equal(u?.body.username, 'u1');
  assert.equal(c.requestCount(), 2);
  await c.close();
});

test('a PATCH answered 500 is not retried', async () => {
  srv.fault = ({ method }) => (method === 'PATCH' ? { kind: 'status', status: 500, body: '<h1>Server Error (500)</h1>' } : undefined);
  const c = client();
  await assert.rejects(c.patch('authentik_core.user', 1, { name: 'x' }), (e: Error & { status?: number }) => e.status === 500);
  assert.equal(c.requestCount(), 1);
  await c.close();
});
