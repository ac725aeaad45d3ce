// Registry authentication and transport security against real registries on loopback: Basic
// (bcrypt htpasswd), Bearer tokens from a token issuer written here (RS256 JWT, x5c, the
// registry's rootcertbundle), and TLS with a private CA. The password is a canary that must
// never show up in anything akbp returns or prints.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ociManifestDigest, ociPull, ociPush, readSources } from '../../src/sources/index.js';
import { htpasswdFile, makeCa, makeSigningCert, startRegistry, startTokenIssuer, tempDir, type Registry, type TokenIssuer } from '../helpers/registry.js';

const CANARY = 'canary-Pw-7f3e9c';
const USER = 'akbp';

let work: string;
before(() => {
  work = tempDir('oci-auth');
  writeFileSync(join(work, 'a.yaml'), 'version: 1\nentries: []\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function sub(name: string): string {
  const d = join(work, name);
  mkdirSync(d);
  return d;
}
function cache(): string {
  const d = join(work, `cache-${++n}`);
  mkdirSync(d);
  return d;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code: string; detail?: string }> {
  try {
    await p;
  } catch (e) {
    return e as Error & { code: string; detail?: string };
  }
  assert.fail('expected a rejection');
}

function assertNoCanary(value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString() : v));
  assert.ok(!text.includes(CANARY), `canary leaked: ${text.slice(0, 300)}`);
  assert.ok(!text.includes(Buffer.from(`${USER}:${CANARY}`).toString('base64')), 'base64 canary leaked');
}

describe('Basic auth (htpasswd, bcrypt)', () => {
  let reg: Registry;
  before(async () => {
    const dir = sub('htpasswd');
    reg = await startRegistry({ htpasswd: htpasswdFile(dir, USER, CANARY) });
  });
  after(async () => reg?.stop());

  test('without credentials: clear auth error, no hang', async () => {
    const e = await rejection(ociPull(`oci://${reg.host}/private/bp:v1`, { env: {}, dockerConfigPath: join(work, 'none.json') }));
    assert.equal(e.code, 'AKB7012');
    assert.match(e.message, /requires credentials and none were given/);
    assert.match(e.detail ?? '', /--registry-auth/);
  });

  test('--registry-auth: push and pull; wrong password refused; canary never returned', async () => {
    const ref = `oci://${reg.host}/private/bp:v1`;
    const pushed = await ociPush([join(work, 'a.yaml')], ref, { env: {}, registryAuth: `${USER}:${CANARY}` });
    const pulled = await ociPull(ref, { env: {}, registryAuth: `${USER}:${CANARY}`, cacheDir: cache() });
    assert.equal(pulled.digest, pushed.digest);
    assertNoCanary(pushed);
    assertNoCanary(pulled);
    const e = await rejection(ociPull(ref, { env: {}, registryAuth: `${USER}:wrong-password` }));
    assert.equal(e.code, 'AKB7012');
    assert.match(e.message, /refused for the credentials from --registry-auth/);
    assertNoCanary(e.message);
  });

  test('AKBP_REGISTRY_AUTH, the Docker config file and reference userinfo are credential sources', async () => {
    const ref = `oci://${reg.host}/private/bp:v1`;
    await ociPush([join(work, 'a.yaml')], ref, { env: {}, registryAuth: `${USER}:${CANARY}` });
    const viaEnv = await ociManifestDigest(ref, { env: { AKBP_REGISTRY_AUTH: `${USER}:${CANARY}` } });
    const dockerDir = join(work, 'docker');
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(join(dockerDir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth: Buffer.from(`${USER}:${CANARY}`).toString('base64') } } }));
    const viaDocker = await ociManifestDigest(ref, { env: { DOCKER_CONFIG: dockerDir } });
    assert.equal(viaDocker, viaEnv);
    // authentik's own form: credentials inside the reference; akbp strips them from everything it returns.
    const r = await readSources([`oci://${USER}:${CANARY}@${reg.host}/private/bp:v1`], { cwd: work, cacheDir: cache(), env: {} });
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.origins[0]!.uri, ref);
    assert.equal(r.files[0]!.uri, `${ref}/a.yaml`);
    assertNoCanary(r);
    const bad = await readSources([`oci://${USER}:x${CANARY}@${reg.host}/private/bp:v1`], { cwd: work, cacheDir: cache(), env: {} });
    assert.equal(bad.diagnostics[0]!.code, 'AKB7012');
    assertNoCanary(bad);
  });
});

describe('Bearer token auth (token issuer with RS256 JWTs)', () => {
  let reg: Registry;
  let issuer: TokenIssuer;
  before(async () => {
    const dir = sub('token');
    const signing = makeSigningCert(dir);
    issuer = await startTokenIssuer({ signing, service: 'akbp-registry', issuer: 'akbp-test-issuer', users: { [USER]: CANARY }, anonymousPull: true });
    reg = await startRegistry({ token: { realm: issuer.realm, service: 'akbp-registry', issuer: 'akbp-test-issuer', rootcertbundle: signing.certPath } });
  });
  after(async () => {
    await reg?.stop();
    await issuer?.stop();
  });

  test('push with credentials asks for pull,push; anonymous pull gets a pull token', async () => {
    const ref = `oci://${reg.host}/tok/bp:v1`;
    const pushed = await ociPush([join(work, 'a.yaml')], ref, { env: {}, registryAuth: `${USER}:${CANARY}` });
    assert.ok(
      issuer.requests.some((r) => r.scope === 'repository:tok/bp:pull,push' && r.user === USER),
      JSON.stringify(issuer.requests),
    );
    const before = issuer.requests.length;
    const pulled = await ociPull(ref, { env: {}, cacheDir: cache(), dockerConfigPath: join(work, 'none.json') });
    assert.equal(pulled.digest, pushed.digest);
    assert.deepEqual(issuer.requests.slice(before), [{ scope: 'repository:tok/bp:pull' }]);
    assertNoCanary(pushed);
  });

  test('anonymous push is refused with a clear message', async () => {
    const e = await rejection(ociPush([join(work, 'a.yaml')], `oci://${reg.host}/tok/anon:v1`, { env: {}, dockerConfigPath: join(work, 'none.json') }));
    assert.equal(e.code, 'AKB7012');
    assert.match(e.message, /refused for anonymous access \(401/);
  });

  test('wrong credentials are refused by the token service', async () => {
    const e = await rejection(ociPull(`oci://${reg.host}/tok/bp:v1`, { env: {}, registryAuth: `${USER}:nope` }));
    assert.equal(e.code, 'AKB7012');
    assert.match(e.message, /token service 127\.0\.0\.1:\d+ refused the credentials from --registry-auth/);
  });
});

describe('TLS with a private CA', () => {
  let reg: Registry;
  let caPem: string;
  before(async () => {
    const { ca, server } = makeCa(sub('tls'));
    caPem = ca.pem;
    reg = await startRegistry({ tls: server });
  });
  after(async () => reg?.stop());

  test('an untrusted certificate is an error that names --registry-ca (no fallback to http)', async () => {
    const e = await rejection(ociPull(`oci://${reg.host}/tls/bp:v1`, { env: {} }));
    assert.equal(e.code, 'AKB7016');
    assert.match(e.message, /TLS certificate of 127\.0\.0\.1:\d+ is not trusted/);
    assert.match(e.detail ?? '', /--registry-ca/);
  });

  test('with --registry-ca: push, pull and digest check over https', async () => {
    const ref = `oci://${reg.host}/tls/bp:v1`;
    const pushed = await ociPush([join(work, 'a.yaml')], ref, { env: {}, registryCa: caPem });
    const c = cache();
    const pulled = await ociPull(ref, { env: {}, registryCa: caPem, cacheDir: c });
    assert.equal(pulled.digest, pushed.digest);
    assert.equal(await ociManifestDigest(ref, { env: {}, registryCa: caPem }), pushed.digest);
    assert.equal(readdirSync(join(c, 'oci', 'blobs', 'sha256')).length, 1);
  });
});
