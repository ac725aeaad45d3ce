// akbp.config.yaml: found by walking up from the working directory, flags override it, the token
// never belongs in it; and a persisted sandbox or a saved plan names its authentik version, so
// --authentik-version need not be repeated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const examples2023 = fileURLToPath(new URL('../../examples/blueprints-2023.6/', import.meta.url));

function project(config: string): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-config-'));
  cpSync(examples2023, join(dir, 'blueprints'), { recursive: true });
  mkdirSync(join(dir, 'deep', 'er'), { recursive: true });
  writeFileSync(join(dir, 'akbp.config.yaml'), config);
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a config file up the tree sets version and sources; a flag overrides it', async (t) => {
  const p = project('authentik-version: 2023.6\nsources: [blueprints/]\nstrict: false\n');
  t.after(p.done);
  const r = await runCli(['validate'], { cwd: join(p.dir, 'deep', 'er') });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Validated 3 blueprint\(s\) against authentik 2023\.6:/);
  const o = await runCli(['validate', '--authentik-version', '2026.5', join(p.dir, 'blueprints')], { cwd: p.dir });
  assert.match(o.stdout, /against authentik 2026\.5/, 'the flag wins over the file');
  const plan = await runCli(['plan', '--sandbox', '--detailed-exitcode'], { cwd: p.dir });
  assert.equal(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /authentik 2023\.6/);
});

test('a token in the config file is refused, an unknown key is named with its line; both exit 2', async (t) => {
  const p = project('server: https://auth.example.com\ntoken: s3cr3t-in-git\n');
  t.after(p.done);
  const r = await runCli(['validate', 'blueprints'], { cwd: p.dir });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /akbp\.config\.yaml:2: `token` does not belong in akbp\.config\.yaml/);
  assert.doesNotMatch(r.stderr, /s3cr3t-in-git/);
  writeFileSync(join(p.dir, 'akbp.config.yaml'), 'authentik-version: 2023.6\nstrcit: true\n');
  const u = await runCli(['validate', 'blueprints'], { cwd: p.dir });
  assert.equal(u.code, 2);
  assert.match(u.stderr, /akbp\.config\.yaml:2: unknown setting `strcit`/);
});

test('a sandbox state file written for 2023.6 is reused without repeating --authentik-version; so is a saved plan', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-infer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(examples2023, join(dir, 'bp'), { recursive: true });
  const common = ['--sandbox', 'sb.json', '--state', 'state.json'];
  const first = await runCli(['plan', 'bp', ...common, '--authentik-version', '2023.6', '--out', 'plan.json'], { cwd: dir });
  assert.equal(first.code, 0, first.stdout + first.stderr);
  const again = await runCli(['plan', 'bp', ...common, '--detailed-exitcode'], { cwd: dir });
  assert.equal(again.code, 2, again.stdout + again.stderr);
  assert.match(again.stdout, /authentik 2023\.6/);
  const applied = await runCli(['apply', 'plan.json', ...common], { cwd: dir });
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, /Apply succeeded/);
});
