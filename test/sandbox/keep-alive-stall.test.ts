// The sandbox closes idle keep-alive connections, as authentik's server does, but never one that
// already holds the client's next request. In-process (benches, tests, `--sandbox` over HTTP) the
// client and the sandbox share one event loop: after a long synchronous stretch (a plan of 20k
// entries), node's own keep-alive timer fired before the waiting request was read, and a create
// failed with ECONNRESET (the watch bench's corpus apply, `POST /rbac/roles/`).
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { undiciTransport } from '../../src/server/index.js';

const registry = bundledRegistry('2026.5');
const token = 'keep-alive-stall-token';
const stall = (ms: number) => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    /* the event loop is busy, as during a large plan */
  }
};

test('a create sent on a kept connection is answered when the event loop stalls past the idle limit', async () => {
  const sandbox = await createSandbox({ registry, token });
  const server = await sandbox.listen('127.0.0.1', 0);
  const t = undiciTransport(server.url, {});
  const auth = { authorization: `Bearer ${token}` };
  try {
    const first = await t.request({ method: 'GET', path: '/rbac/roles/', headers: auth });
    assert.equal(first.status, 200);
    await new Promise((r) => setTimeout(r, 500));
    const created = t.request({
      method: 'POST',
      path: '/rbac/roles/',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'stalled-role' }),
    });
    // The request is on the connection; the 5 s idle limit passes before the loop runs again.
    stall(6000);
    const res = await created;
    assert.equal(res.status, 201, res.body);
    const roles = await t.request({ method: 'GET', path: '/rbac/roles/?name=stalled-role', headers: auth });
    assert.equal((JSON.parse(roles.body) as { results: unknown[] }).results.length, 1, 'created exactly once');
  } finally {
    await t.close();
    await server.close();
  }
});

test('an idle keep-alive connection is still closed after the limit the sandbox announces', async () => {
  const sandbox = await createSandbox({ registry, token });
  const server = await sandbox.listen('127.0.0.1', 0);
  const { hostname, port } = new URL(server.url);
  try {
    const sock = connect(Number(port), hostname);
    let head = '';
    const closed = new Promise<number>((res) => sock.once('close', () => res(Date.now())));
    const answered = new Promise<number>((res) =>
      sock.on('data', (d: Buffer) => {
        head += d.toString();
        if (head.includes('\r\n\r\n')) res(Date.now());
      }),
    );
    sock.write(`GET /api/v3/rbac/roles/ HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: Bearer ${token}\r\nConnection: keep-alive\r\n\r\n`);
    const at = await answered;
    assert.match(head, /keep-alive: timeout=5/i);
    const gone = await closed;
    assert.ok(gone - at >= 4900 && gone - at < 8000, `closed after ${gone - at} ms`);
  } finally {
    await server.close();
  }
});
