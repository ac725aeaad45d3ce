// authentik's test_packaged: every blueprint it ships applies on its own to a fresh install.
// Here: every file of default/, example/ and system/ alone onto a fresh sandbox of the version it
// targets (test/conformance/corpus.test.ts names each file's version), then a plan shows nothing.
// Files that the target version itself cannot apply alone are listed with the reason and must be
// refused by the plan, before any write.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce } from '../../src/pipeline/index.js';
import type { SourceFile } from '../../src/model/index.js';

const CORPUS = fileURLToPath(new URL('../../../shared/authentik/blueprints/', import.meta.url));
const present = existsSync(CORPUS);
const SKIP = 'reference corpus ../shared/authentik/blueprints not present';
const TOKEN = 'akbp-packaged-token-0b7e3c5d9a214f68';

type Version = '2023.6' | '2026.5';
const N: Version = '2023.6';
const L: Version = '2026.5';

/** 2023-era numbered files and the files the conformance suite names as 2023.6; the rest is 2026.5. */
function versionOf(file: string): Version {
  return /^default\/\d/.test(file) || file === 'default/default-tenant.yaml' || file === 'default/flow-default-authenticator-webauthn-setup.yaml' ? N : L;
}

const PROMPT_NAME = "predates 2023.2, which made a prompt's `name` required: authentik 2023.6 refuses the create";
const PROMPT_TYPE = 'prompts use `prompt_type`, a field name newer than 2026.5.0-rc1, which requires `type`';

/** Not applicable alone by the version it targets: the located error akbp reports, and why. */
const REFUSED: { [file: string]: { code: string; why: string } } = {
  'default/0-flow-password-change.yaml': { code: 'AKB4021', why: PROMPT_NAME },
  'default/10-flow-default-authentication-flow.yaml': { code: 'AKB4021', why: 'its password stage has no `backends`, required since 2023.2' },
  'default/20-flow-default-source-enrollment.yaml': {
    code: 'AKB2018',
    why: 'the stored revision puts `id` inside identifiers; its !KeyOf finds no entry (authentik fails both ways)',
  },
  'default/30-flow-default-user-settings-flow.yaml': { code: 'AKB4021', why: PROMPT_NAME },
  'default/40-events-default.yaml': {
    code: 'AKB4017',
    why: "empties `authentik Admins`, which takes the API token's user out of every superuser group (akbp refuses; authentik runs as the system)",
  },
  'default/91-flow-oobe.yaml': { code: 'AKB4021', why: PROMPT_NAME },
  'default/default-tenant.yaml': { code: 'AKB2015', why: 'a development-era revision: !Find on authentik_interfaces.interface, which no bundled version has' },
  'default/app-authentik-admin.yaml': {
    code: 'AKB4001',
    why: 'written after 2026.5: needs the implicit-consent flow and scope mappings other blueprints create, and its provider lacks fields 2026.5 requires',
  },
  'default/app-authentik-user.yaml': {
    code: 'AKB4001',
    why: 'written after 2026.5: needs the implicit-consent flow and scope mappings other blueprints create, and its provider lacks fields 2026.5 requires',
  },
  'default/events-user-security-notifications.yaml': { code: 'AKB2002', why: 'event actions newer than 2026.5.0-rc1 (mfa_device_added, login_blocked, …)' },
  'default/flow-default-source-enrollment.yaml': { code: 'AKB4021', why: PROMPT_TYPE },
  'example/flows-brute-force-lockout.yaml': {
    code: 'AKB4021',
    why: 'an example that modifies the default authentication flow: it applies once default/ has been applied, not alone',
  },
  'example/flows-enrollment-2-stage.yaml': { code: 'AKB4021', why: PROMPT_TYPE },
};

const counts = { files: 0, applied: 0, refused: 0 };
after(() => {
  if (present)
    console.log(
      `test_packaged: ${counts.files} shipped files, ${counts.applied} apply alone and plan clean after, ${counts.refused} refused before writing as their version refuses them`,
    );
});

const files = present
  ? ['default', 'example', 'system']
      .flatMap((d) =>
        readdirSync(`${CORPUS}${d}/`)
          .filter((f) => f.endsWith('.yaml'))
          .map((f) => `${d}/${f}`),
      )
      .sort()
  : [];

for (const file of present ? files : ['(corpus)']) {
  const refused = REFUSED[file];
  test(`${file}: ${refused ? `refused with ${refused.code} before any write (${refused.why})` : 'applies alone to a fresh sandbox; the plan after is empty'}`, async (t) => {
    if (!present) return t.skip(SKIP);
    const version = versionOf(file);
    const registry = bundledRegistry(version);
    const sandbox = await createSandbox({ registry, token: TOKEN });
    const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() });
    const source: SourceFile = { uri: file, path: file, bytes: readFileSync(CORPUS + file), origin: { kind: 'file', uri: file, root: CORPUS, local: true } };
    const deps = {
      readSources: async () => ({ files: [source], library: [], origins: [source.origin], diagnostics: [] }),
      registry,
      client,
      env: {},
      now: () => new Date('2026-12-01T00:00:00Z'),
    };
    counts.files++;
    const out = await reconcileOnce({ sources: [file], mode: 'apply' }, deps);
    const errors = out.diagnostics.filter((d) => d.severity === 'error');
    const failedWrites = out.apply?.results.filter((r) => r.status === 'failed') ?? [];
    if (refused) {
      assert.equal(out.ok, false);
      assert.ok(
        errors.some((d) => d.code === refused.code),
        errors.map((d) => `${d.code} ${d.summary}`).join('\n'),
      );
      // A refused file is left out of the run (failure isolation): nothing of it is written.
      assert.equal(out.apply?.writes ?? 0, 0, 'refused by the plan: nothing was written');
      counts.refused++;
      return;
    }
    assert.ok(out.ok, [...errors, ...failedWrites.flatMap((r) => r.diagnostics)].map((d) => `${d.code} ${d.summary}`).join('\n'));
    const again = await reconcileOnce({ sources: [file], mode: 'plan' }, deps);
    assert.deepEqual(
      again.plan?.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.key}`),
      [],
    );
    counts.applied++;
  });
}
