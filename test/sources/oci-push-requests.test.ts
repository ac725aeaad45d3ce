// The requests a push sends per blob. Pushing a release of new files must not cost a HEAD, a POST
// and a PUT for each; a re-push must still upload nothing. docker-registry 2.x answers the spec's
// single-POST upload with 202 (an ordinary session), so a recording proxy in front of it also
// plays a registry that completes single-POST uploads, by finishing them on the real one.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ociPull, ociPush } from '../../src/sources/index.js';
import { REGISTRY_BIN, startRegistry, tempDir, type Registry } from '../helpers/registry.js';
import { existsSync } from 'node:fs';

interface Seen {
  method: string;
  path: string;
  bodyBytes: number;
}

const skip = existsSync(REGISTRY_BIN) ? false : `${REGISTRY_BIN} is not installed (apt-get install docker-registry)`;
let reg: Registry;
let work: string;

before(async () => {
  if (skip) return;
  reg = await startRegistry();
  work = tempDir('oci-push-requests');
});
after(async () => {
  await reg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function forward(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port: reg.port, method, path, headers: { ...headers, 'content-length': String(body.length) } }, async (res) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') out[k] = v;
      resolve({ status: res.statusCode ?? 0, headers: out, body: await readBody(res) });
    });
    r.on('error', reject);
    r.end(body);
  });
}

/** A proxy to docker-registry recording every request; with `single`, it completes `POST ?digest=` uploads. */
async function proxy(single: boolean, slowHead?: { nth: number; ms: number }): Promise<{ server: Server; host: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  let heads = 0;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://proxy');
    seen.push({ method: req.method ?? '', path: url.pathname, bodyBytes: body.length });
    if (req.method === 'HEAD' && url.pathname.includes('/blobs/') && ++heads === slowHead?.nth) await new Promise((r) => setTimeout(r, slowHead.ms));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'content-length') headers[k] = v;
    const digest = url.searchParams.get('digest');
    if (single && req.method === 'POST' && digest && body.length > 0) {
      const start = await forward('POST', url.pathname, {}, Buffer.alloc(0));
      const loc = new URL(start.headers.location ?? '', `http://${headers.host}`);
      loc.searchParams.set('digest', digest);
      const put = await forward('PUT', loc.pathname + loc.search, { 'content-type': 'application/octet-stream' }, body);
      res.writeHead(put.status, { location: put.headers.location ?? '', 'docker-content-digest': digest }).end();
      return;
    }
    const out = await forward(req.method ?? 'GET', url.pathname + url.search, headers, body);
    res.writeHead(out.status, out.headers).end(req.method === 'HEAD' ? undefined : out.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function files(name: string, n: number): string[] {
  const dir = join(work, name);
  mkdirSync(dir);
  return Array.from({ length: n }, (_, i) => {
    const p = join(dir, `bp-${String(i).padStart(2, '0')}.yaml`);
    writeFileSync(p, `version: 1\nmetadata:\n  name: ${name}-${i}\nentries: []\n`);
    return p;
  });
}

const count = (seen: Seen[], method: string, part: string) => seen.filter((s) => s.method === method && s.path.includes(part)).length;
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function pulledIntact(host: string, repo: string, paths: string[]): Promise<void> {
  const pulled = await ociPull(`oci://${host}/${repo}:v1`, { env: {}, cacheDir: join(work, `cache-${repo.replace('/', '-')}`) });
  assert.equal(pulled.files.length, paths.length);
  for (const f of pulled.files) assert.equal(sha(f.bytes), f.origin.digest, `${f.uri} arrives as pushed`);
}

test('a push of new files to docker-registry sends POST + PUT per blob and HEADs only the first few', { skip }, async () => {
  const p = await proxy(false);
  try {
    const paths = files('fresh', 40);
    const res = await ociPush(paths, `oci://${p.host}/req/fresh:v1`, { env: {} });
    assert.equal(res.skippedBlobs, 0);
    const blobs = paths.length + 1; // and the empty config
    assert.ok(count(p.seen, 'HEAD', '/blobs/') <= 8, `${count(p.seen, 'HEAD', '/blobs/')} HEADs`);
    assert.equal(count(p.seen, 'POST', '/blobs/uploads/'), blobs);
    assert.equal(count(p.seen, 'PUT', '/blobs/uploads/'), blobs);
    // Only the first POST carries the body (docker-registry ignored it): the rest know better.
    assert.equal(p.seen.filter((s) => s.method === 'POST' && s.bodyBytes > 0).length, 1);
    await pulledIntact(reg.host, 'req/fresh', paths);
  } finally {
    p.server.close();
  }
});

test('a slow answer to one of the first HEADs does not make the blobs after them HEAD too', { skip }, async () => {
  // The first uploads finish while the last probe is still out: the pool then starts later blobs,
  // which must wait for that answer instead of probing again (a loaded CI machine did this).
  const p = await proxy(false, { nth: 8, ms: 1500 });
  try {
    const paths = files('slow-probe', 30);
    await ociPush(paths, `oci://${p.host}/req/slow-probe:v1`, { env: {} });
    assert.equal(count(p.seen, 'HEAD', '/blobs/'), 8, 'only the probes HEAD');
    assert.equal(count(p.seen, 'POST', '/blobs/uploads/'), paths.length + 1);
    await pulledIntact(reg.host, 'req/slow-probe', paths);
  } finally {
    p.server.close();
  }
});

test('a registry that completes a single-POST upload gets one request per new blob', { skip }, async () => {
  const p = await proxy(true);
  try {
    const paths = files('single', 40);
    await ociPush(paths, `oci://${p.host}/req/single:v1`, { env: {} });
    const blobs = paths.length + 1;
    assert.equal(count(p.seen, 'POST', '/blobs/uploads/'), blobs);
    assert.equal(count(p.seen, 'PUT', '/blobs/uploads/'), 0);
    assert.ok(count(p.seen, 'HEAD', '/blobs/') <= 8);
    await pulledIntact(reg.host, 'req/single', paths);
  } finally {
    p.server.close();
  }
});

test('a re-push, or a push of mostly known files, HEADs every blob and uploads only the new ones', { skip }, async () => {
  const p = await proxy(false);
  try {
    const paths = files('again', 30);
    const ref = `oci://${p.host}/req/again:v1`;
    await ociPush(paths, ref, { env: {} });
    p.seen.length = 0;
    const again = await ociPush(paths, ref, { env: {} });
    assert.equal(again.skippedBlobs, paths.length + 1);
    assert.equal(count(p.seen, 'HEAD', '/blobs/'), paths.length + 1);
    assert.equal(count(p.seen, 'POST', '/blobs/uploads/'), 0);

    writeFileSync(paths[29]!, 'version: 1\nmetadata:\n  name: changed\nentries: []\n');
    p.seen.length = 0;
    const changed = await ociPush(paths, ref, { env: {} });
    assert.equal(changed.skippedBlobs, paths.length);
    assert.equal(count(p.seen, 'POST', '/blobs/uploads/'), 1);
    await pulledIntact(reg.host, 'req/again', paths);
  } finally {
    p.server.close();
  }
});
