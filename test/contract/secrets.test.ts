// Secrets are classified once, in compile: every output of every command shows them as
// "(sensitive)" or not at all, and apply still sets them on the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scryptSync } from 'node:crypto';
import { runCli } from '../helpers/cli.js';

const SECRETS = {
  LDAP_BIND_PW: 'canary-ldap-env-4c1f',
  OAUTH_SECRET: 'canary-oauth-env-9b2e',
  USER_PW: 'canary-user-env-77aa',
};
const LITERALS = ['canary-ldap-literal-0d3e', 'canary-oauth-literal-5e6f', 'canary-user-literal-a1b2'];
const ALL = [...Object.values(SECRETS), ...LITERALS];

const BLUEPRINT = `version: 1
entries:
  - model: authentik_sources_ldap.ldapsource
    identifiers: {slug: corp-ldap}
    attrs:
      name: Corp LDAP
      server_uri: ldap://ldap.example.com
      base_dn: dc=example,dc=com
      bind_cn: cn=akbp,dc=example,dc=com
      bind_password: !Env LDAP_BIND_PW
  - model: authentik_sources_ldap.ldapsource
    identifiers: {slug: other-ldap}
    attrs:
      name: Other LDAP
      server_uri: ldap://ldap2.example.com
      base_dn: dc=example,dc=org
      bind_password: ${LITERALS[0]}
  - model: authentik_flows.flow
    id: consent
    identifiers: {slug: c-consent}
    attrs: {name: Consent, title: Consent, designation: authorization}
  - model: authentik_flows.flow
    id: logout
    identifiers: {slug: c-logout}
    attrs: {name: Logout, title: Logout, designation: invalidation}
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: env-provider}
    attrs:
      authorization_flow: !KeyOf consent
      invalidation_flow: !KeyOf logout
      client_type: confidential
      client_id: env-provider
      client_secret: !Env OAUTH_SECRET
      redirect_uris: [{matching_mode: strict, url: "https://a.example.com/cb"}]
  - model: authentik_providers_oauth2.oauth2provider
    identifiers: {name: literal-provider}
    attrs:
      authorization_flow: !KeyOf consent
      invalidation_flow: !KeyOf logout
      client_type: confidential
      client_id: literal-provider
      client_secret: ${LITERALS[1]}
      redirect_uris: [{matching_mode: strict, url: "https://b.example.com/cb"}]
  - model: authentik_core.user
    identifiers: {username: env-user}
    attrs: {name: Env User, password: !Env USER_PW}
  - model: authentik_core.user
    identifiers: {username: literal-user}
    attrs: {name: Literal User, password: ${LITERALS[2]}}
`;

function assertNoSecret(label: string, text: string): void {
  for (const s of ALL) assert.ok(!text.includes(s), `${label} prints the secret ${s}:\n${text}`);
}

interface SandboxRecord {
  model: string;
  data: { [k: string]: unknown };
  secret: { password?: string };
}

function scryptMatches(hash: string | undefined, password: string): boolean {
  const [scheme, n, r, p, salt, key] = (hash ?? '').split('$');
  if (scheme !== 'scrypt') return false;
  const again = scryptSync(password, Buffer.from(salt!, 'base64'), 32, { N: Number(n), r: Number(r), p: Number(p) });
  return again.toString('base64') === key;
}

test('compile prints no secret or write-only attribute (LDAP bind password, OAuth2 client secret, user password; literal or !Env) in YAML, JSON or text; apply still sets every one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-secrets-'));
  try {
    writeFileSync(join(dir, 'bp.yaml'), BLUEPRINT);
    const env = { ...SECRETS, PATH: process.env.PATH };
    const yaml = await runCli(['compile', 'bp.yaml'], { cwd: dir, env });
    assert.equal(yaml.code, 0, yaml.stdout + yaml.stderr);
    assertNoSecret('compile --format yaml', yaml.stdout + yaml.stderr);
    assert.match(yaml.stdout, /bind_password: "?\(sensitive\)"?/);
    const json = await runCli(['compile', 'bp.yaml', '--format', 'json'], { cwd: dir, env });
    assert.equal(json.code, 0, json.stderr);
    assertNoSecret('compile --format json', json.stdout + json.stderr);
    const doc = JSON.parse(json.stdout) as { entries: { model: string; attrs: object; secrets?: { [k: string]: unknown } }[] };
    for (const e of doc.entries) {
      for (const f of ['bind_password', 'client_secret', 'password']) assert.ok(!(f in e.attrs), `${e.model}: ${f} is in attrs`);
    }
    assert.deepEqual(
      doc.entries
        .filter((e) => e.secrets)
        .map((e) => Object.values(e.secrets!))
        .flat()
        .sort(),
      Array(6).fill('(sensitive)'),
    );

    const common = ['--sandbox', join(dir, 'sb.json'), '--state', join(dir, 'state.json')];
    const runs = [
      await runCli(['plan', 'bp.yaml', ...common], { cwd: dir, env }),
      await runCli(['plan', 'bp.yaml', ...common, '--format', 'json', '--out', 'plan.json'], { cwd: dir, env }),
      await runCli(['plan', 'bp.yaml', ...common, '--format', 'markdown'], { cwd: dir, env }),
      await runCli(['graph', 'bp.yaml'], { cwd: dir, env }),
    ];
    for (const r of runs) assertNoSecret('plan', r.stdout + r.stderr);
    assertNoSecret('the saved plan', readFileSync(join(dir, 'plan.json'), 'utf8'));
    const applied = await runCli(['apply', 'plan.json', ...common], { cwd: dir, env });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assertNoSecret('apply', applied.stdout + applied.stderr);
    assertNoSecret('the state file', readFileSync(join(dir, 'state.json'), 'utf8'));

    const server = JSON.parse(readFileSync(join(dir, 'sb.json'), 'utf8')) as { records: SandboxRecord[] };
    const find = (model: string, k: string, v: string) => server.records.find((r) => r.model === model && r.data[k] === v);
    assert.equal(find('authentik_sources_ldap.ldapsource', 'slug', 'corp-ldap')?.data.bind_password, SECRETS.LDAP_BIND_PW);
    assert.equal(find('authentik_sources_ldap.ldapsource', 'slug', 'other-ldap')?.data.bind_password, LITERALS[0]);
    assert.equal(find('authentik_providers_oauth2.oauth2provider', 'name', 'env-provider')?.data.client_secret, SECRETS.OAUTH_SECRET);
    assert.equal(find('authentik_providers_oauth2.oauth2provider', 'name', 'literal-provider')?.data.client_secret, LITERALS[1]);
    assert.ok(scryptMatches(find('authentik_core.user', 'username', 'env-user')?.secret.password, SECRETS.USER_PW), 'env-user password set');
    assert.ok(scryptMatches(find('authentik_core.user', 'username', 'literal-user')?.secret.password, LITERALS[2]!), 'literal-user password set');

    const again = await runCli(['plan', 'bp.yaml', ...common, '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(again.code, 0, `a second plan has nothing to do:\n${again.stdout}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
