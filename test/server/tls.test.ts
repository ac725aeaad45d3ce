// TLS against a node:https server whose certificate is signed by a CA made here with openssl.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError } from '../../src/model/errors.js';
import { apiErrorDiagnostics, createClient, resolveConnection } from '../../src/server/index.js';
import { TOKEN, miniRegistry } from './fake-server.js';

let hasOpenssl = true;
try {
  execFileSync('openssl', ['version'], { stdio: 'ignore' });
} catch {
  hasOpenssl = false;
}
const skip = hasOpenssl ? false : 'openssl CLI not installed';

let dir = '';
let caPem = '';
let server: Server;
let url = '';

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'akbp-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=akbp test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
  caPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  server = createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pk: 1, username: 'tls-user', path: req.url }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  if (skip) return;
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

test('a private CA is refused by default, with a diagnostic that names --ca and --insecure, and no retry', { skip }, async () => {
  const c = createClient({ baseUrl: url, token: TOKEN, registry: miniRegistry(), sleep: async () => {} });
  let err: unknown;
  try {
    await c.get('authentik_core.user', 1);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ApiError && err.status === 0);
  assert.equal(c.requestCount(), 1, 'TLS trust failures are not retried');
  const d = apiErrorDiagnostics(err)[0]!;
  assert.equal(d.code, 'AKB6008');
  assert.match(d.summary, /TLS verification failed/);
  assert.match(d.summary, /--ca/);
  assert.match(d.summary, /--insecure/);
  assert.ok(!JSON.stringify([d, err.message]).includes(TOKEN));
  await c.close();
});

test('--ca with the CA PEM verifies the server', { skip }, async () => {
  const conn = resolveConnection({ server: url, token: TOKEN, ca: caPem }, {});
  assert.ok(!('error' in conn));
  const c = createClient({ ...conn, registry: miniRegistry() });
  const u = await c.get('authentik_core.user', 1);
  assert.equal(u?.body.username, 'tls-user');
  assert.equal(u?.body.path, '/api/v3/core/users/1/');
  await c.close();
});

test('AUTHENTIK_INSECURE=true skips verification', { skip }, async () => {
  const conn = resolveConnection({}, { AUTHENTIK_URL: url, AUTHENTIK_TOKEN: TOKEN, AUTHENTIK_INSECURE: 'true' });
  assert.ok(!('error' in conn) && conn.insecure);
  const c = createClient({ ...conn, registry: miniRegistry() });
  assert.equal((await c.get('authentik_core.user', 1))?.pk, 1);
  await c.close();
});
