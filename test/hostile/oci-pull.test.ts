// `akbp oci pull` against a hostile registry: layer titles that would land in .git/ or the home
// directory, existing files and symbolic links at the destination, thousands of layers, malformed
// manifests and index children whose "digest" is a path. Driven through the real CLI.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/registry.js';
import { BLUEPRINT, digestOf, OCI_INDEX, OCI_MANIFEST, startHostileRegistry, type HostileRegistry } from './registry.js';

const bp = (name: string): string => `version: 1\nmetadata:\n  name: ${name}\nentries: []\n`;

let reg: HostileRegistry;
let work: string;
let n = 0;
const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: join(work, 'home'), AKBP_CACHE_DIR: join(work, 'cache') });
/** A fresh, empty output directory. */
function outDir(): string {
  const d = join(work, `out-${++n}`);
  mkdirSync(d);
  return d;
}
const pull = (ref: string, out: string, ...extra: string[]) =>
  runCli(['oci', 'pull', `oci://${reg.host}/${ref}`, '--out', out, ...extra], { cwd: work, env: env() });

before(async () => {
  reg = await startHostileRegistry();
  work = tempDir('hostile-oci');
  mkdirSync(join(work, 'home'));
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('oci pull writes only blueprint files inside --out', () => {
  for (const title of ['.git/config', '.git/hooks/post-checkout', '.bashrc', 'sub/.hidden.yaml', 'run.sh', 'a/../../x.yaml']) {
    test(`oci pull refuses a layer titled ${title} and writes nothing`, async () => {
      reg.artifact('evil/dots', 'v1', [
        { title: 'ok.yaml', bytes: Buffer.from(bp('ok')) },
        { title, bytes: Buffer.from('[core]\n\tfsmonitor = touch /tmp/pwned\n') },
      ]);
      const out = outDir();
      const r = await pull('evil/dots:v1', out);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /error AKB7019: .*not a safe blueprint file name/);
      assert.deepEqual(readdirSync(out), [], 'nothing is written when one layer is refused');
    });
  }

  test('oci pull refuses a title too long for a file system', async () => {
    reg.artifact('evil/long', 'v1', [{ title: `${'a'.repeat(300)}.yaml`, bytes: Buffer.from(bp('x')) }]);
    const r = await pull('evil/long:v1', outDir());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7019: /);
    assert.doesNotMatch(r.stderr, /internal error/i);
  });

  test('oci pull never overwrites an existing file unless --force', async () => {
    reg.artifact('evil/over', 'v1', [{ title: 'flows.yaml', bytes: Buffer.from(bp('new')) }]);
    const out = outDir();
    writeFileSync(join(out, 'flows.yaml'), 'mine\n');
    const r = await pull('evil/over:v1', out);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7022: .*flows\.yaml.*exists/);
    assert.equal(readFileSync(join(out, 'flows.yaml'), 'utf8'), 'mine\n');
    const forced = await pull('evil/over:v1', out, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(join(out, 'flows.yaml'), 'utf8'), bp('new'));
  });

  test('oci pull never writes through a symbolic link at the destination, even with --force', async () => {
    reg.artifact('evil/link', 'v1', [
      { title: 'flows.yaml', bytes: Buffer.from(bp('new')) },
      { title: 'sub/users.yaml', bytes: Buffer.from(bp('u')) },
    ]);
    const victim = join(work, 'victim.txt');
    writeFileSync(victim, 'victim\n');
    const elsewhere = join(work, 'elsewhere');
    mkdirSync(elsewhere, { recursive: true });
    const out = outDir();
    symlinkSync(victim, join(out, 'flows.yaml'));
    const refused = await pull('evil/link:v1', out);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /AKB7022/);
    rmSync(join(out, 'flows.yaml'));
    symlinkSync(victim, join(out, 'flows.yaml'));
    symlinkSync(elsewhere, join(out, 'sub'));
    const viaDir = await pull('evil/link:v1', out, '--force');
    assert.equal(viaDir.code, 1, 'a symlinked directory on the way is refused');
    assert.match(viaDir.stderr, /AKB7019: .*sub.*symbolic link/);
    assert.deepEqual(readdirSync(elsewhere), []);
    rmSync(join(out, 'sub'));
    const forced = await pull('evil/link:v1', out, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(readFileSync(victim, 'utf8'), 'victim\n', 'the link target is untouched');
    assert.ok(!lstatSync(join(out, 'flows.yaml')).isSymbolicLink(), 'the link itself was replaced');
    assert.equal(readFileSync(join(out, 'flows.yaml'), 'utf8'), bp('new'));
  });
});

describe('oci pull caps what a registry can make it fetch', () => {
  test('oci pull refuses more than 256 layers before fetching any blob', async () => {
    const layers = Array.from({ length: 257 }, (_, i) => ({ title: `f${i}.yaml`, bytes: Buffer.from(bp(`f${i}`)) }));
    reg.artifact('evil/many', 'v1', layers);
    const before = reg.requests.length;
    const r = await pull('evil/many:v1', outDir());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7014: .*257 blueprint layers.*256/);
    assert.ok(!reg.requests.slice(before).some((q) => q.includes('/blobs/')), 'no blob was requested');
  });

  test('oci pull refuses layers whose sizes add up beyond the total cap', async () => {
    const big = Buffer.alloc(1024 * 1024, 'a');
    const layers = Array.from({ length: 5 }, (_, i) => ({ title: `f${i}.yaml`, bytes: Buffer.concat([Buffer.from(`# ${i}\n`), big]) }));
    reg.artifact('evil/total', 'v1', layers);
    const before = reg.requests.length;
    const r = await pull('evil/total:v1', outDir(), '--max-total-bytes', String(4 * 1024 * 1024));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7014: .*bytes/);
    assert.ok(!reg.requests.slice(before).some((q) => q.includes('/blobs/')), 'no blob was requested');
  });

  test('oci pull: `layers` that is not an array is a protocol error, not an internal error', async () => {
    reg.manifest('evil/shape', 'v1', { schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: BLUEPRINT, layers: { a: 1 } });
    const r = await pull('evil/shape:v1', outDir());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7017: /);
  });

  test('oci pull never requests an index child digest that is a path', async () => {
    const good = reg.artifact('evil/index', 'child', [{ title: 'a.yaml', bytes: Buffer.from(bp('a')) }]);
    reg.manifest(
      'evil/index',
      'v1',
      {
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: OCI_MANIFEST, digest: '../../sinkpath', size: 10 },
          { mediaType: OCI_MANIFEST, digest: good, size: 10 },
        ],
      },
      OCI_INDEX,
    );
    const r = await pull('evil/index:v1', outDir());
    assert.ok(!reg.requests.some((q) => q.includes('sinkpath')), reg.requests.join('\n'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7017: .*digest/);
  });

  test('oci pull refuses a layer digest that is not sha256/sha512 hex', async () => {
    reg.artifact('evil/ldigest', 'v1', [{ title: 'a.yaml', bytes: Buffer.from(bp('a')), digest: 'sha256:../../../etc' }]);
    const r = await pull('evil/ldigest:v1', outDir());
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error AKB7017: /);
    assert.ok(!reg.requests.some((q) => q.includes('etc')));
  });

  test('oci pull keeps its blob cache in AKBP_CACHE_DIR', async () => {
    const bytes = Buffer.from(bp('cached'));
    reg.artifact('ok/cache', 'v1', [{ title: 'c.yaml', bytes }]);
    const r = await pull('ok/cache:v1', outDir());
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(work, 'cache', 'oci', 'blobs', 'sha256', digestOf(bytes).slice(7))), 'blob cached under AKBP_CACHE_DIR');
    assert.ok(!existsSync(join(work, 'home', '.cache')), 'nothing under ~/.cache');
  });
});
