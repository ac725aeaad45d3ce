// authentik applies every file of its blueprint directory as its own instance; overlapping
// declarations are normal there. akbp must apply the shipped set of a version in one run on an
// empty sandbox of that version, and the next plan must have nothing to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const CORPUS = fileURLToPath(new URL('../../../shared/authentik/blueprints/', import.meta.url));
const present = existsSync(CORPUS);
const SKIP = 'reference corpus ../shared/authentik/blueprints not present';

/** Shipped files authentik 2026.5 itself cannot apply on an empty install, and why. */
export const OTHER_VERSION_26: { [file: string]: string } = {
  'default/flow-default-source-enrollment.yaml': "the stored revision writes `prompt_type`, not `type`; 2026.5 requires a prompt's `type` on create (400)",
  'default/app-authentik-admin.yaml': 'written after 2026.5: its OAuth2 provider has no `invalidation_flow`/`redirect_uris`, both required on create in 2026.5',
  'default/app-authentik-user.yaml': 'written after 2026.5: its OAuth2 provider has no `invalidation_flow`/`redirect_uris`, both required on create in 2026.5',
};

/** The 2026.5 files of default/ and system/ as the conformance suite names them (unnumbered, not 2023-era). */
export const SET_26 = [
  'default/default-authenticator-static-setup.yaml',
  'default/default-brand.yaml',
  'default/default-password-policy.yaml',
  'default/default-provider-authorization-explicit-consent.yaml',
  'default/events-default.yaml',
  'default/flow-default-authentication-flow.yaml',
  'default/flow-default-authenticator-email-setup.yaml',
  'default/flow-default-authenticator-static-setup.yaml',
  'default/flow-default-authenticator-totp-setup.yaml',
  'default/flow-default-invalidation-flow.yaml',
  'default/flow-default-provider-authorization-explicit-consent.yaml',
  'default/flow-default-provider-authorization-implicit-consent.yaml',
  'default/flow-default-provider-invalidation.yaml',
  'default/flow-default-request-flow.yaml',
  'default/flow-default-source-authentication.yaml',
  'default/flow-default-source-pre-authentication.yaml',
  'default/flow-default-user-settings-flow.yaml',
  'default/flow-endpoints-agent-psso-password.yaml',
  'default/flow-oobe.yaml',
  'default/flow-password-change.yaml',
  'default/rbac-role-agents.yaml',
  'default/rbac-role-read-only.yaml',
  'system/agent-apply-identity.yaml',
  'system/providers-google-workspace.yaml',
  'system/providers-microsoft-entra.yaml',
  'system/providers-oauth2.yaml',
  'system/providers-proxy.yaml',
  'system/providers-rac.yaml',
  'system/providers-saml.yaml',
  'system/providers-scim.yaml',
  'system/sources-kerberos.yaml',
  'system/sources-ldap.yaml',
];

function stage(files: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-parity-'));
  for (const f of files) {
    mkdirSync(join(dir, 'blueprints', f, '..'), { recursive: true });
    copyFileSync(join(CORPUS, f), join(dir, 'blueprints', f));
  }
  return dir;
}

test('authentik 2026.5 default/ + system/: one `akbp apply DIR` on an empty sandbox, then the plan is empty', async (t) => {
  if (!present) return t.skip(SKIP);
  const dir = stage(SET_26);
  try {
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const apply = await runCli(['apply', '--sandbox', join(dir, 'sandbox.json'), '--authentik-version', '2026.5', 'blueprints', '--yes'], { cwd: dir, env });
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    assert.doesNotMatch(apply.stdout + apply.stderr, /AKB4014/, 'overlapping instances are not refused');
    assert.match(
      apply.stdout + apply.stderr,
      /AKB4018: mode of authentik_stages_consent\.consentstage .*flow-default-provider-authorization-explicit-consent\.yaml:16 wins over .*\/default-provider-authorization-explicit-consent\.yaml:16/,
      'the one field two instances set differently is reported, naming the winner',
    );
    const again = await runCli(['plan', '--sandbox', join(dir, 'sandbox.json'), '--authentik-version', '2026.5', 'blueprints', '--detailed-exitcode'], {
      cwd: dir,
      env,
    });
    assert.equal(again.code, 0, again.stdout + again.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The 2023-era numbered files authentik 2023.6 accepts (test/parity/packaged.test.ts says why the others are refused). */
export const SET_23 = [
  'default/10-flow-default-invalidation-flow.yaml',
  'default/20-flow-default-authenticator-static-setup.yaml',
  'default/20-flow-default-authenticator-totp-setup.yaml',
  'default/20-flow-default-authenticator-webauthn-setup.yaml',
  'default/20-flow-default-provider-authorization-explicit-consent.yaml',
  'default/20-flow-default-provider-authorization-implicit-consent.yaml',
  'default/20-flow-default-source-authentication.yaml',
  'default/20-flow-default-source-pre-authentication.yaml',
  'default/90-default-tenant.yaml',
];

test('authentik 2023.6 numbered default/ files it accepts: one `akbp apply DIR` on an empty 2023.6 sandbox, then the plan is empty', async (t) => {
  if (!present) return t.skip(SKIP);
  const dir = stage(SET_23);
  try {
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const args = ['--sandbox', join(dir, 'sandbox.json'), '--authentik-version', '2023.6', 'blueprints'];
    const apply = await runCli(['apply', ...args, '--yes'], { cwd: dir, env });
    assert.equal(apply.code, 0, apply.stdout + apply.stderr);
    const again = await runCli(['plan', ...args, '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(again.code, 0, again.stdout + again.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
