// Blueprints from a registry and from git feed the same pipeline as files: pushed with
// `akbp oci push`, planned and applied with `akbp plan/apply oci://…` against the sandbox, and
// the plan names the exact revision read (manifest digest, commit sha).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';
import { startRegistry, tempDir } from '../helpers/registry.js';
import { makeRepo, startGitDaemon } from '../helpers/git.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));
const env = (cache: string) => ({ PATH: process.env.PATH, HOME: process.env.HOME, AKBP_CACHE_DIR: cache });

test('akbp oci push → akbp plan/apply oci://127.0.0.1:PORT/…:tag on the sandbox; the plan records the manifest digest', async () => {
  const reg = await startRegistry();
  const work = tempDir('oci-plan');
  try {
    const ref = `oci://${reg.host}/iam/blueprints:v1`;
    const files = ['10-groups-and-users.yaml', '20-login-flow.yaml'].map((f) => join(examples, f));
    const push = await runCli(['oci', 'push', ...files, ref], { cwd: work, env: env(join(work, 'cache')) });
    assert.equal(push.code, 0, push.stdout + push.stderr);
    const digest = /sha256:[0-9a-f]{64}/.exec(push.stdout + push.stderr)?.[0];
    assert.ok(digest, 'push prints the manifest digest');

    // A blueprint from a registry reads only the variables it is allowed to.
    const common = ['--sandbox', join(work, 'sandbox.json'), '--state', join(work, 'state.json'), '--env-allow', 'EXAMPLE_*'];
    const plan = await runCli(['plan', ref, ...common, '--format', 'json', '--out', 'plan.json'], { cwd: work, env: env(join(work, 'cache')) });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    const saved = JSON.parse(readFileSync(join(work, 'plan.json'), 'utf8')) as { source: { uris: string[]; revision: string }; summary: { create: number } };
    assert.equal(saved.source.revision, digest);
    assert.ok(saved.summary.create >= 10, `${saved.summary.create} creates`);

    const apply = await runCli(['apply', `${ref.replace(':v1', '')}@${digest}`, ...common, '--yes'], { cwd: work, env: env(join(work, 'cache')) });
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const again = await runCli(['plan', ref, ...common, '--detailed-exitcode'], { cwd: work, env: env(join(work, 'cache')) });
    assert.equal(again.code, 0, again.stdout);
  } finally {
    await reg.stop();
  }
});

test('akbp plan git::git://127.0.0.1:PORT/repo.git//blueprints?ref=main records the commit sha', async () => {
  const repo = makeRepo('iam');
  const daemon = await startGitDaemon(repo.base);
  const work = tempDir('git-plan');
  try {
    const sha = repo.commit({ 'blueprints/groups.yaml': readFileSync(join(examples, '10-groups-and-users.yaml'), 'utf8'), 'README.md': 'not a blueprint\n' });
    const src = `git::${daemon.url('iam')}//blueprints?ref=main`;
    const r = await runCli(['plan', src, '--sandbox', '--format', 'json', '--env-allow', 'EXAMPLE_BOT_PASSWORD'], { cwd: work, env: env(join(work, 'cache')) });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const plan = JSON.parse(r.stdout) as { source: { revision: string }; summary: { create: number } };
    assert.equal(plan.source.revision, sha);
    assert.equal(plan.summary.create, 3);
  } finally {
    await daemon.stop();
    repo.cleanup();
  }
});
