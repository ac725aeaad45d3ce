// authentik's `!Find` returns null when nothing matches, and a nullable field then holds null.
// Its shipped default-brand.yaml (2026.5) and 90-default-tenant.yaml (2023.6) rely on that when
// applied alone to a fresh install; akbp applies them the same way, with a warning per field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const CORPUS = fileURLToPath(new URL('../../../shared/authentik/blueprints/', import.meta.url));
const present = existsSync(CORPUS);
const SKIP = 'reference corpus ../shared/authentik/blueprints not present';

for (const [file, version, model] of [
  ['default/default-brand.yaml', '2026.5', 'brands'],
  ['default/90-default-tenant.yaml', '2023.6', 'tenants'],
] as const) {
  test(`${file} alone on an empty ${version} sandbox: null flows with a warning each; --strict refuses before writing`, async (t) => {
    if (!present) return t.skip(SKIP);
    const dir = mkdtempSync(join(tmpdir(), 'akbp-findnull-'));
    try {
      const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
      const sb = join(dir, 'sandbox.json');
      const strict = await runCli(['apply', '--sandbox', sb, '--authentik-version', version, '--strict', join(CORPUS, file), '--yes'], { cwd: dir, env });
      assert.equal(strict.code, 1, strict.stdout + strict.stderr);
      assert.ok(!existsSync(sb) || !readFileSync(sb, 'utf8').includes('flow_authentication'), '--strict wrote nothing');
      const run = await runCli(['apply', '--sandbox', sb, '--authentik-version', version, join(CORPUS, file), '--yes'], { cwd: dir, env });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      const out = run.stdout + run.stderr;
      for (const f of ['flow_authentication', 'flow_invalidation', 'flow_user_settings']) {
        assert.match(
          out,
          new RegExp(
            `${file.replace(/[./]/g, '\\$&')}:\\d+:\\d+: warning AKB4020: ${f}: null — !Find \\[authentik_flows\\.flow, \\[slug, [a-z-]+\\]\\] matched nothing`,
          ),
        );
      }
      const saved = JSON.stringify(JSON.parse(readFileSync(sb, 'utf8')));
      assert.match(saved, /"flow_authentication":null/, `the ${model} object holds null, as authentik's would`);
      const again = await runCli(['plan', '--sandbox', sb, '--authentik-version', version, join(CORPUS, file), '--detailed-exitcode'], { cwd: dir, env });
      assert.equal(again.code, 0, again.stdout + again.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('--strict makes a !Find that matched nothing an error on its line, before any write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-findnull-'));
  try {
    const bp = join(dir, 'brand.yaml');
    writeFileSync(
      bp,
      'version: 1\nentries:\n  - model: authentik_brands.brand\n    identifiers: {domain: example.com}\n    attrs:\n      flow_authentication: !Find [authentik_flows.flow, [slug, missing]]\n',
    );
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const sb = join(dir, 'sandbox.json');
    const strict = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', '--strict', bp, '--yes'], { cwd: dir, env });
    assert.equal(strict.code, 1, strict.stdout + strict.stderr);
    assert.match(
      strict.stdout + strict.stderr,
      /brand\.yaml:6:\d+: error AKB4020: flow_authentication: null — !Find \[authentik_flows\.flow, \[slug, "?missing"?\]\] matched nothing/,
    );
    const run = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', bp, '--yes'], { cwd: dir, env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
