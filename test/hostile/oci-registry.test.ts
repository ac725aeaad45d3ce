// A hostile registry that drips its answers one byte at a time (under the idle timeout, so only
// a total deadline stops it) and that echoes the client's credentials back in its error texts.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ociPull } from '../../src/sources/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/registry.js';
import { startHostileRegistry, type HostileRegistry } from './registry.js';

const bp = (name: string): string => `version: 1\nmetadata:\n  name: ${name}\nentries: []\n`;
let work: string;
before(() => {
  work = tempDir('hostile-registry');
  mkdirSync(join(work, 'home'));
});
after(() => rmSync(work, { recursive: true, force: true }));

describe('a registry that drips bytes', () => {
  let reg: HostileRegistry;
  before(async () => {
    reg = await startHostileRegistry({ drip: { match: '/blobs/', dripMs: 250 } });
    reg.artifact('slow/drip', 'v1', [{ title: 'a.yaml', bytes: Buffer.from(bp('a')) }]);
  });
  after(() => reg.stop());

  test('oci pull gives up at its total deadline with AKB7023', async () => {
    const started = Date.now();
    const r = await runCli(['oci', 'pull', `oci://${reg.host}/slow/drip:v1`, '--out', join(work, 'out'), '--timeout', '2'], {
      cwd: work,
      env: { PATH: process.env.PATH, HOME: join(work, 'home'), AKBP_CACHE_DIR: join(work, 'cache') },
    });
    const took = Date.now() - started;
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /error AKB7023: .*slow\/drip.*2 s/);
    assert.ok(took < 6000, `stopped after ${took} ms`);
  });

  test('one request is cut at its own deadline even when the whole pull has time left', async () => {
    const started = Date.now();
    await assert.rejects(ociPull(`oci://${reg.host}/slow/drip:v1`, { env: {}, requestDeadlineMs: 1000 }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'AKB7023');
      assert.match(e.message, /GET \/v2\/slow\/drip\/blobs\/sha256:[0-9a-f]{64} took longer than 1 s/);
      return true;
    });
    assert.ok(Date.now() - started < 5000);
  });
});

describe('a registry that echoes credentials in its errors', () => {
  const USER = 'alice';
  const PASS = 'PASSWORD-s3cr3t-9f';
  const TOKEN = 'bearer-token-echo-77aa';
  const forms = [PASS, `${USER}:${PASS}`, Buffer.from(`${USER}:${PASS}`).toString('base64'), TOKEN];
  const assertClean = (out: string) => {
    for (const f of forms) assert.ok(!out.includes(f), `"${f}" leaked:\n${out}`);
  };
  const env = () => ({ PATH: process.env.PATH, HOME: join(work, 'home'), AKBP_CACHE_DIR: join(work, 'cache'), AKBP_REGISTRY_AUTH: `${USER}:${PASS}` });

  test('oci pull, oci push and plan never print the Basic credentials a registry echoes', async () => {
    const reg = await startHostileRegistry({
      basic: { user: USER, pass: PASS },
      fail: [
        { match: '/manifests/', status: 403 },
        { match: '/blobs/', status: 403 },
      ],
    });
    try {
      writeFileSync(join(work, 'a.yaml'), bp('a'));
      const runs = [
        await runCli(['oci', 'pull', `oci://${reg.host}/echo/basic:v1`, '--out', join(work, 'o1')], { cwd: work, env: env() }),
        await runCli(['oci', 'push', 'a.yaml', `oci://${reg.host}/echo/basic:v1`], { cwd: work, env: env() }),
        await runCli(['plan', `oci://${reg.host}/echo/basic:v1`, '--sandbox', '--format', 'json'], { cwd: work, env: env() }),
        await runCli(['oci', 'pull', `oci://${USER}:${PASS}@${reg.host}/echo/basic:v1`, '--out', join(work, 'o2')], {
          cwd: work,
          env: { ...env(), AKBP_REGISTRY_AUTH: '' },
        }),
      ];
      for (const r of runs) {
        const out = r.stdout + r.stderr;
        assert.equal(r.code, 1, out);
        assert.match(out, /AKB7012/);
        assert.match(out, /not allowed/, 'the registry text itself is still shown');
        assertClean(out);
      }
    } finally {
      await reg.stop();
    }
  });

  test('oci pull never prints a bearer token a registry echoes', async () => {
    const reg = await startHostileRegistry({ basic: { user: USER, pass: PASS }, bearerToken: TOKEN, fail: [{ match: '/manifests/', status: 403 }] });
    try {
      const r = await runCli(['oci', 'pull', `oci://${reg.host}/echo/bearer:v1`, '--out', join(work, 'o3')], { cwd: work, env: env() });
      const out = r.stdout + r.stderr;
      assert.equal(r.code, 1, out);
      assert.match(out, /AKB7012/);
      assertClean(out);
    } finally {
      await reg.stop();
    }
  });
});
