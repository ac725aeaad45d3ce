// Version-specific behaviour of authentik's importer that akbp reproduces (BLUEPRINT-SEMANTICS §8).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

async function applyOne(version: string, yaml: string): Promise<{ code: number; out: string; sandbox: string; plan: () => Promise<number> }> {
  const d = mkdtempSync(join(tmpdir(), 'akbp-fidelity-'));
  const bp = join(d, 'bp.yaml');
  writeFileSync(bp, yaml);
  const env = { PATH: process.env.PATH, HOME: d, CI: 'true' };
  const sb = join(d, 'sandbox.json');
  const r = await runCli(['apply', '--sandbox', sb, '--authentik-version', version, bp, '--yes'], { cwd: d, env });
  let sandbox = '';
  try {
    sandbox = readFileSync(sb, 'utf8');
  } catch {
    /* nothing written */
  }
  const plan = async () => (await runCli(['plan', '--sandbox', sb, '--authentik-version', version, bp, '--detailed-exitcode'], { cwd: d, env })).code;
  const result = { code: r.code, out: r.stdout + r.stderr, sandbox, plan };
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return result;
}

const nullPassword = `version: 1
entries:
  - model: authentik_core.user
    identifiers: {username: nullpw}
    attrs:
      name: nullpw
      password: !Env PARITY_SURELY_UNSET_VARIABLE
`;

test('a null user password (`!Env` of an unset variable) fails the blueprint on 2023.6, before any write', async () => {
  const r = await applyOne('2023.6', nullPassword);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /bp\.yaml:7:17: error AKB4022: `password` is null, which authentik 2023\.6 refuses/);
  assert.doesNotMatch(r.sandbox, /nullpw/);
});

test('a null user password on 2026.5 leaves the password untouched, as authentik ≥ 2023.8 does', async () => {
  const r = await applyOne('2026.5', nullPassword);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /AKB4013/);
  assert.match(r.sandbox, /nullpw/);
});

test('an LDAP source `icon` is accepted on 2023.6 (set through set_icon_url), and the next plan is empty', async () => {
  const r = await applyOne(
    '2023.6',
    `version: 1
entries:
  - model: authentik_sources_ldap.ldapsource
    identifiers: {slug: ldap-icon}
    attrs:
      name: ldap-icon
      server_uri: ldap://ldap.example.com
      base_dn: dc=example,dc=com
      icon: https://goauthentik.io/img/icon.png
`,
  );
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /`icon` is read-only/);
  assert.match(r.sandbox, /"icon":"https:\/\/goauthentik\.io\/img\/icon\.png"/);
  assert.equal(await r.plan(), 0);
});
