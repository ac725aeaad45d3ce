// OCI against a real registry (Debian's docker-registry) on a free loopback port: push/pull round
// trip, an artifact pushed with curl following ORAS conventions, digest pinning, indexes,
// tampering, missing tags, size limits, the blob cache and the `akbp oci` command.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { register } from '../../src/cli/commands/oci.js';
import type { CliContext } from '../../src/cli/context.js';
import { ociManifestDigest, ociPull, ociPush, readSources, BLUEPRINT_MEDIA_TYPE } from '../../src/sources/index.js';
import { startRegistry, tempDir, type Registry } from '../helpers/registry.js';

const sha = (b: string | Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

let reg: Registry;
let work: string;

let caches = 0;
/** A fresh cache directory inside the work dir, so one rm cleans everything. */
function cacheDir(): string {
  const d = join(work, `cache-${++caches}`);
  mkdirSync(d);
  return d;
}

function file(name: string, content: string): string {
  const p = join(work, name);
  writeFileSync(p, content);
  return p;
}

const bp = (name: string): string => `version: 1\nmetadata:\n  name: ${name}\nentries: []\n`;

async function rejectsWith(p: Promise<unknown>, code: string, pattern: RegExp): Promise<Error> {
  let caught: unknown;
  await p.then(
    () => assert.fail('expected a rejection'),
    (e) => (caught = e),
  );
  const e = caught as Error & { code?: string };
  assert.equal(e.code, code, `${e.code}: ${e.message}`);
  assert.match(e.message, pattern);
  return e;
}

/** An independent client: plain curl calls of the distribution spec. */
function curl(args: string[], input?: Buffer | string): string {
  return execFileSync('curl', ['-sS', '--fail-with-body', ...args], { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

function curlBlob(repo: string, bytes: Buffer | string): string {
  const digest = sha(bytes);
  const headers = curl(['-X', 'POST', '-D', '-', '-o', '/dev/null', `http://${reg.host}/v2/${repo}/blobs/uploads/`]);
  const location = /^location:\s*(\S+)/im.exec(headers)![1]!;
  const url = new URL(location, `http://${reg.host}`);
  url.searchParams.set('digest', digest);
  curl(['-X', 'PUT', '-H', 'Content-Type: application/octet-stream', '--data-binary', '@-', url.href], bytes);
  return digest;
}

function curlManifest(repo: string, reference: string, mediaType: string, body: string): string {
  curl(['-X', 'PUT', '-H', `Content-Type: ${mediaType}`, '--data-binary', '@-', `http://${reg.host}/v2/${repo}/manifests/${reference}`], body);
  return sha(body);
}

before(async () => {
  reg = await startRegistry();
  work = tempDir('oci-work');
});
after(async () => {
  await reg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('OCI push and pull (plain registry on a custom port)', () => {
  test('push then pull round trip keeps bytes, names and digest; origin has no credentials', async () => {
    const a = file('flows.yaml', bp('flows'));
    const b = file('users.yaml', bp('users'));
    const ref = `oci://${reg.host}/blueprints/core:v1`;
    const pushed = await ociPush([a, b], ref, { env: {} });
    assert.match(pushed.digest, /^sha256:[0-9a-f]{64}$/);
    const pulled = await ociPull(ref, { env: {}, cacheDir: cacheDir() });
    assert.equal(pulled.digest, pushed.digest);
    assert.deepEqual(
      pulled.files.map((f) => f.path),
      ['flows.yaml', 'users.yaml'],
    );
    assert.equal(Buffer.from(pulled.files[0]!.bytes).toString(), bp('flows'));
    const o = pulled.files[0]!.origin;
    assert.deepEqual(o, { kind: 'oci', uri: ref, ref: 'v1', revision: pushed.digest, local: false, digest: sha(bp('flows')) });
    assert.equal(pulled.files[0]!.uri, `${ref}/flows.yaml`);
    // Pushing the same files again is idempotent: same digest, every blob already there.
    const again = await ociPush([a, b], ref, { env: {} });
    assert.equal(again.digest, pushed.digest);
    assert.equal(again.skippedBlobs, 3);
    // Through readSources, a two-layer artifact carries a note: authentik itself applies only the last layer.
    const r = await readSources([ref], { cwd: work, cacheDir: cacheDir(), env: {} });
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.severity]),
      [['AKB7021', 'info']],
    );
    assert.equal(r.files.length, 2);
  });

  test('the pushed manifest is the ORAS/authentik shape', async () => {
    const ref = `oci://${reg.host}/blueprints/shape:v1`;
    const { digest } = await ociPush([file('one.yaml', bp('one'))], ref, { env: {} });
    const raw = curl(['-H', 'Accept: application/vnd.oci.image.manifest.v1+json', `http://${reg.host}/v2/blueprints/shape/manifests/v1`]);
    assert.equal(sha(raw), digest);
    const m = JSON.parse(raw);
    assert.equal(m.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(m.artifactType, BLUEPRINT_MEDIA_TYPE);
    assert.deepEqual(m.config, {
      mediaType: 'application/vnd.oci.empty.v1+json',
      digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
      size: 2,
      data: 'e30=',
    });
    assert.equal(m.layers.length, 1);
    assert.equal(m.layers[0].mediaType, BLUEPRINT_MEDIA_TYPE);
    assert.equal(m.layers[0].annotations['org.opencontainers.image.title'], 'one.yaml');
  });

  test('an artifact pushed by curl (ORAS conventions, pre-1.1 config, no artifactType) is pulled', async () => {
    const content = bp('from-curl');
    const layer = curlBlob('ext/oras', content);
    const config = curlBlob('ext/oras', '{}');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.unknown.config.v1+json', digest: config, size: 2 },
      layers: [
        {
          mediaType: BLUEPRINT_MEDIA_TYPE,
          digest: layer,
          size: Buffer.byteLength(content),
          annotations: { 'org.opencontainers.image.title': 'nested/curl.yaml' },
        },
      ],
      annotations: { 'org.opencontainers.image.created': '2026-11-27T12:00:00Z' },
    });
    const mdigest = curlManifest('ext/oras', 'stable', 'application/vnd.oci.image.manifest.v1+json', manifest);
    const pulled = await ociPull(`oci://${reg.host}/ext/oras:stable`, { env: {}, cacheDir: cacheDir() });
    assert.equal(pulled.digest, mdigest);
    assert.deepEqual(
      pulled.files.map((f) => [f.path, Buffer.from(f.bytes).toString()]),
      [['nested/curl.yaml', content]],
    );
  });

  test('@sha256 pinning: pulls exactly that manifest even after the tag moved', async () => {
    const ref = `oci://${reg.host}/blueprints/pinned:moving`;
    const first = await ociPush([file('p.yaml', bp('first'))], ref, { env: {} });
    await ociPush([file('p.yaml', bp('second'))], ref, { env: {} });
    const pinned = await ociPull(`oci://${reg.host}/blueprints/pinned@${first.digest}`, { env: {}, cacheDir: cacheDir() });
    assert.equal(pinned.digest, first.digest);
    assert.equal(Buffer.from(pinned.files[0]!.bytes).toString(), bp('first'));
    assert.equal(pinned.files[0]!.origin.ref, first.digest);
    const latest = await ociPull(ref, { env: {}, cacheDir: cacheDir() });
    assert.equal(Buffer.from(latest.files[0]!.bytes).toString(), bp('second'));
    assert.equal(await ociManifestDigest(`oci://${reg.host}/blueprints/pinned@${first.digest}`, { env: {} }), first.digest);
    await rejectsWith(
      ociPull(`oci://${reg.host}/blueprints/pinned@sha256:${'0'.repeat(64)}`, { env: {} }),
      'AKB7011',
      /pinned@sha256:0{64}: manifest sha256:0{64} not found/,
    );
  });

  test('ociManifestDigest follows a moving tag (cheap polling check)', async () => {
    const ref = `oci://${reg.host}/blueprints/poll:latest`;
    const a = await ociPush([file('x.yaml', bp('a'))], ref, { env: {} });
    assert.equal(await ociManifestDigest(ref, { env: {} }), a.digest);
    const b = await ociPush([file('x.yaml', bp('b'))], ref, { env: {} });
    assert.notEqual(a.digest, b.digest);
    assert.equal(await ociManifestDigest(`oci://${reg.host}/blueprints/poll`, { env: {} }), b.digest);
  });

  test('a missing tag gives a clear 404 naming the reference', async () => {
    const e = await rejectsWith(ociPull(`oci://${reg.host}/blueprints/core:does-not-exist`, { env: {} }), 'AKB7011', /not found/);
    assert.match(e.message, new RegExp(`oci://${reg.host}/blueprints/core:does-not-exist`));
    assert.match(e.message, /MANIFEST_UNKNOWN/);
    await rejectsWith(ociManifestDigest(`oci://${reg.host}/nothing/here:v1`, { env: {} }), 'AKB7011', /nothing\/here:v1: manifest v1 not found/);
  });

  test('an OCI index is followed to the first manifest carrying a blueprint', async () => {
    const repo = 'multi/arch';
    const cfg = curlBlob(repo, '{"architecture":"amd64","os":"linux"}');
    const junk = curlBlob(repo, 'not a blueprint');
    const image = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfg, size: 37 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: junk, size: 15 }],
    });
    const imageDigest = curlManifest(repo, sha(image), 'application/vnd.oci.image.manifest.v1+json', image);
    const pushed = await ociPush([file('indexed.yaml', bp('indexed'))], `oci://${reg.host}/${repo}:bp-only`, { env: {} });
    const bpManifest = curl(['-H', 'Accept: application/vnd.oci.image.manifest.v1+json', `http://${reg.host}/v2/${repo}/manifests/bp-only`]);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: imageDigest,
          size: Buffer.byteLength(image),
          platform: { architecture: 'amd64', os: 'linux' },
        },
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: pushed.digest,
          size: Buffer.byteLength(bpManifest),
          artifactType: BLUEPRINT_MEDIA_TYPE,
        },
      ],
    });
    const indexDigest = curlManifest(repo, 'v1', 'application/vnd.oci.image.index.v1+json', index);
    const pulled = await ociPull(`oci://${reg.host}/${repo}:v1`, { env: {}, cacheDir: cacheDir() });
    assert.equal(pulled.digest, indexDigest, 'revision is the digest the tag names (the index)');
    assert.deepEqual(
      pulled.files.map((f) => f.path),
      ['indexed.yaml'],
    );
    assert.equal(await ociManifestDigest(`oci://${reg.host}/${repo}:v1`, { env: {} }), indexDigest);
    // An artifact without any blueprint layer is refused, saying what was expected.
    curlManifest(repo, 'image-only', 'application/vnd.oci.image.manifest.v1+json', image);
    await rejectsWith(ociPull(`oci://${reg.host}/${repo}:image-only`, { env: {} }), 'AKB7015', /no blueprint layer/);
  });

  test('a tampered blob in the registry storage is a digest error and nothing is returned or cached', async () => {
    const content = bp('tamper-me');
    await ociPush([file('t.yaml', content)], `oci://${reg.host}/blueprints/tamper:v1`, { env: {} });
    const blob = reg.blobPath(sha(content));
    assert.ok(existsSync(blob), blob);
    writeFileSync(blob, content.replace('tamper-me', 'tampered!'));
    const cache = cacheDir();
    const e = await rejectsWith(ociPull(`oci://${reg.host}/blueprints/tamper:v1`, { env: {}, cacheDir: cache }), 'AKB7013', /does not match its digest/);
    assert.match(e.message, new RegExp(sha(content)));
    assert.ok(!existsSync(join(cache, 'oci', 'blobs', 'sha256', sha(content).slice(7))), 'nothing cached');
    const r = await readSources([`oci://${reg.host}/blueprints/tamper:v1`], { cwd: work, cacheDir: cache, env: {} });
    assert.equal(r.files.length, 0);
    assert.equal(r.origins.length, 0);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['AKB7013'],
    );
  });

  test('blob size limit is enforced before download', async () => {
    await ociPush([file('big.yaml', bp('x'.repeat(500)))], `oci://${reg.host}/blueprints/big:v1`, { env: {} });
    await rejectsWith(ociPull(`oci://${reg.host}/blueprints/big:v1`, { env: {}, maxBlobBytes: 100 }), 'AKB7014', /more than the limit of 100/);
  });

  test('cold vs cached pull: the second pull takes every blob from the cache', async (t) => {
    const files = Array.from({ length: 20 }, (_, i) => file(`c${String(i).padStart(2, '0')}.yaml`, bp(`cached-${i}`) + `# ${'x'.repeat(20_000)}\n`));
    const ref = `oci://${reg.host}/blueprints/timing:v1`;
    await ociPush(files, ref, { env: {} });
    const cache = cacheDir();
    let t0 = performance.now();
    const cold = await ociPull(ref, { env: {}, cacheDir: cache });
    const coldMs = performance.now() - t0;
    t0 = performance.now();
    const warm = await ociPull(ref, { env: {}, cacheDir: cache });
    const warmMs = performance.now() - t0;
    assert.equal(cold.cachedBlobs, 0);
    assert.equal(warm.cachedBlobs, 20);
    assert.deepEqual(
      warm.files.map((f) => f.origin.digest),
      cold.files.map((f) => f.origin.digest),
    );
    t.diagnostic(`pull of 20 layers (~400 KB): cold ${coldMs.toFixed(1)} ms, cached ${warmMs.toFixed(1)} ms`);
  });

  test('readSources: oci source beside a directory; one origin per source', async () => {
    const ref = `oci://${reg.host}/blueprints/mixed:v2`;
    const pushed = await ociPush([file('m.yaml', bp('m'))], ref, { env: {} });
    const dir = join(work, 'localdir');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'local.yaml'), bp('local'));
    const r = await readSources([dir, ref], { cwd: work, cacheDir: cacheDir(), env: {} });
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(
      r.files.map((f) => f.uri),
      ['localdir/local.yaml', `${ref}/m.yaml`],
    );
    assert.deepEqual(
      r.origins.map((o) => [o.kind, o.revision]),
      [
        ['file', undefined],
        ['oci', pushed.digest],
      ],
    );
  });
});

describe('akbp oci command', () => {
  function cli(): { ctx: CliContext; out: string[]; err: string[]; run(args: string[]): Promise<number> } {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = { io: { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false }, env: { HOME: work }, cwd: work, exitCode: 0 };
    return {
      ctx,
      out,
      err,
      async run(args) {
        const program = new Command('akbp').exitOverride().configureOutput({ writeOut: (s) => out.push(s), writeErr: (s) => err.push(s) });
        register(program, ctx);
        try {
          await program.parseAsync(['node', 'akbp', ...args]);
        } catch (e) {
          if ((e as { exitCode?: number }).exitCode !== 0) throw e;
        }
        return ctx.exitCode;
      },
    };
  }

  test('push then pull --out writes the files and prints digests', async () => {
    file('cli.yaml', bp('cli'));
    const ref = `oci://${reg.host}/cli/test:v1`;
    const push = cli();
    assert.equal(await push.run(['oci', 'push', 'cli.yaml', ref, '--cache-dir', 'cache']), 0, push.err.join(''));
    const digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.out.join(''))![1];
    const pull = cli();
    assert.equal(await pull.run(['oci', 'pull', ref, '--out', 'pulled', '--cache-dir', 'cache']), 0, pull.err.join(''));
    assert.match(pull.out.join(''), new RegExp(`digest: ${digest}`));
    assert.equal(readFileSync(join(work, 'pulled', 'cli.yaml'), 'utf8'), bp('cli'));
  });

  test('errors go to stderr with the AKB code and exit code 1', async () => {
    const c = cli();
    assert.equal(await c.run(['oci', 'pull', `oci://${reg.host}/cli/test:missing`, '--out', 'nowhere']), 1);
    assert.match(c.err.join(''), /error AKB7011: .*cli\/test:missing.*not found/);
  });

  test('--help of push and pull shows an example', async () => {
    for (const sub of ['push', 'pull']) {
      const c = cli();
      await c.run(['oci', sub, '--help']);
      assert.match(c.out.join(''), /Example:\n  akbp oci /);
    }
  });
});
