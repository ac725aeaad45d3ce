// Conformance of plan/apply: authentik's own default blueprints applied to an empty sandbox
// succeed, and a plan right after shows no changes.
//   - the 2023-era numbered files (default/0-… to default/91-…), one by one in file-name order,
//     onto a 2023.6 sandbox;
//   - the unnumbered default/ files onto a 2026.5 sandbox, in one run ordered by their
//     metaapplyblueprint dependencies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { reconcileOnce, type ReconcileDeps } from '../../src/pipeline/index.js';
import type { SourceFile } from '../../src/model/index.js';
import { loadBlueprint } from '../../src/load/index.js';
import type { Registry } from '../../src/authentik/registry.js';
import { reference, referenceSkip } from '../helpers/reference.js';

const dir = `${reference('blueprints', 'default')}/`;
const notHere = referenceSkip('blueprints', 'default');
const have = notHere === false;
const TOKEN = 'akbp-conformance-token-5f0c9a1e7d2b4c68';
const skip = !have && '../shared/authentik/blueprints not present';

function file(name: string): SourceFile {
  return {
    uri: `default/${name}`,
    path: name,
    bytes: readFileSync(dir + name),
    origin: { kind: 'file', uri: 'default/', root: dir, local: true },
  };
}

async function target(version: string): Promise<{ sandbox: Sandbox; deps: (files: SourceFile[], library: SourceFile[]) => ReconcileDeps; registry: Registry }> {
  const registry = bundledRegistry(version);
  const sandbox = await createSandbox({ registry, token: TOKEN });
  const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token: TOKEN, registry, transport: sandbox.transport() });
  return {
    sandbox,
    registry,
    deps: (files, library) => ({
      readSources: async () => ({ files, library, origins: [files[0]!.origin], diagnostics: [] }),
      registry,
      client,
      env: {},
      now: () => new Date('2026-11-27T12:00:00Z'),
    }),
  };
}

/**
 * The numbered files predate authentik 2023.2, which made a prompt's `name` and a password
 * stage's `backends` required: a real 2023.6 server rejects these entries, and so does the plan,
 * before any write (AKB4021). Each such file is expected to fail with a located error naming the
 * field (or the missing object that an earlier failed file should have created); every other
 * file applies.
 */
const EXPECTED_2023_FAILURES: { [file: string]: RegExp } = {
  '0-flow-password-change.yaml': /prompt .* does not exist and `name` is required to create it/,
  '10-flow-default-authentication-flow.yaml': /`backends` is required to create it|!Find/,
  '20-flow-default-source-enrollment.yaml': /name/,
  '30-flow-default-user-settings-flow.yaml': /prompt .* does not exist and `name` is required to create it/,
  '91-flow-oobe.yaml': /prompt .* does not exist and `name` is required to create it/,
};

/**
 * 40-events-default empties `authentik Admins` (`users: []`), which would take the API token's own
 * user out of the superuser group: from then on a real server refuses the token's writes. akbp
 * refuses that plan (AKB4017); the test below shows it on a sandbox of its own.
 */
const LOCKOUT = '40-events-default.yaml';

function allMessages(out: { diagnostics: { summary: string; detail?: string }[]; apply?: { results: { diagnostics: { summary: string }[] }[] } }): string {
  return [...out.diagnostics, ...(out.apply?.results.flatMap((r) => r.diagnostics) ?? [])].map((d) => d.summary).join('\n');
}

test('2023-era numbered default blueprints, one by one in file-name order onto a 2023.6 sandbox: every file authentik 2023.6 accepts applies, the rest fail with the field named; a plan after shows 0 changes', {
  skip,
}, async () => {
  const names = readdirSync(dir)
    .filter((n) => /^\d+-.*\.yaml$/.test(n) && n !== LOCKOUT)
    .sort();
  assert.ok(names.length >= 10, `found ${names.length} numbered files`);
  const t = await target('2023.6');
  const all = names.map(file);
  const applied: SourceFile[] = [];
  for (const name of names) {
    const out = await reconcileOnce(
      { sources: [`default/${name}`], mode: 'apply' },
      t.deps(
        [file(name)],
        all.filter((f) => f.path !== name),
      ),
    );
    const expected = EXPECTED_2023_FAILURES[name];
    if (expected) {
      assert.equal(out.ok, false, `${name} should be rejected as authentik 2023.6 rejects it`);
      assert.match(allMessages(out), expected, name);
    } else {
      assert.ok(out.ok, `${name} failed to apply:\n${allMessages(out)}`);
      applied.push(file(name));
    }
  }
  assert.ok(applied.length >= 8, `${applied.length} files applied`);
  const again = await reconcileOnce(
    { sources: ['default/'], mode: 'plan' },
    t.deps(
      applied,
      all.filter((f) => !applied.includes(f)),
    ),
  );
  assert.ok(again.plan, allMessages(again));
  const changed = again.plan.changes.filter((c) => c.action !== 'noop');
  assert.deepEqual(
    changed.map((c) => `${c.action} ${c.model} ${JSON.stringify(c.identifiers)} ${c.patch.map((p) => p.path).join(',')}`),
    [],
  );
});

/**
 * Unnumbered default/ files that do not target 2026.5 (the conformance suite in
 * test/conformance/corpus.test.ts states each file's target and why).
 */
const NOT_2026_5: { [file: string]: string } = {
  'default-tenant.yaml': 'authentik_tenants.tenant and !Find of authentik_interfaces.interface: a 2023-era development file',
  'flow-default-authenticator-webauthn-setup.yaml': 'authenticatewebauthnstage, renamed authenticatorwebauthnstage after 2023.6',
  'events-user-security-notifications.yaml': 'event actions (mfa_device_added, login_blocked, …) that 2026.5.0-rc1 does not have',
  'app-authentik-admin.yaml': 'creates an OAuth2 provider without invalidation_flow and redirect_uris, both required since 2024: a development-era file',
  // Two eras of the same blueprint sit side by side in the corpus; an install has one of them.
  'default-provider-authorization-explicit-consent.yaml':
    'older variant of flow-default-provider-authorization-explicit-consent.yaml (same objects, different consent mode)',
  'default-authenticator-static-setup.yaml': 'older variant of flow-default-authenticator-static-setup.yaml (same objects)',
  'flow-default-source-enrollment.yaml': 'prompts use `prompt_type`, a field newer than 2026.5.0-rc1 (which calls it `type`, required)',
  'app-authentik-user.yaml': 'creates an OAuth2 provider without invalidation_flow and redirect_uris, both required since 2024: a development-era file',
};

/** Files ordered so that every metaapplyblueprint target comes before the file that names it. */
function metaOrder(files: SourceFile[]): SourceFile[] {
  const parsed = files.map((f) => ({ f, bp: loadBlueprint(f).blueprint! }));
  const byName = new Map(parsed.map((p) => [p.bp.name, p]));
  const out: SourceFile[] = [];
  const seen = new Set<SourceFile>();
  const visit = (p: (typeof parsed)[number]) => {
    if (seen.has(p.f)) return;
    seen.add(p.f);
    for (const e of p.bp.entries) {
      if (e.model !== 'authentik_blueprints.metaapplyblueprint') continue;
      const ids = (e.attrs.identifiers ?? {}) as { name?: string };
      const dep = ids.name ? byName.get(ids.name) : undefined;
      if (dep) visit(dep);
    }
    out.push(p.f);
  };
  for (const p of parsed) visit(p);
  return out;
}

const systemDir = dir.replace(/default\/$/, 'system/');
function systemFile(name: string): SourceFile {
  return { uri: `system/${name}`, path: name, bytes: readFileSync(systemDir + name), origin: { kind: 'file', uri: 'system/', root: systemDir, local: true } };
}

test('unnumbered default blueprints, after the system blueprints a fresh authentik applies, one by one in metaapplyblueprint order onto a 2026.5 sandbox; a plan after shows 0 changes', {
  skip,
}, async () => {
  const t = await target('2026.5');
  const system = readdirSync(systemDir)
    .filter((n) => n.endsWith('.yaml'))
    .sort()
    .map(systemFile);
  for (const f of system) {
    const out = await reconcileOnce({ sources: [f.uri], mode: 'apply' }, t.deps([f], []));
    assert.ok(out.ok, `${f.uri} failed to apply:\n${allMessages(out)}`);
  }
  const names = readdirSync(dir)
    .filter((n) => /^[a-z].*\.yaml$/.test(n) && !NOT_2026_5[n])
    .sort();
  const files = metaOrder(names.map(file));
  // Files without a metaapplyblueprint edge may still !Find each other's objects; authentik retries
  // a blueprint whose apply failed at its next discovery run, and so does this test, in rounds.
  let pending = files;
  let rounds = 0;
  while (pending.length > 0) {
    rounds++;
    const failed: { f: SourceFile; why: string }[] = [];
    for (const f of pending) {
      const out = await reconcileOnce(
        { sources: [f.uri], mode: 'apply' },
        t.deps(
          [f],
          files.filter((x) => x !== f),
        ),
      );
      if (!out.ok) failed.push({ f, why: allMessages(out) });
    }
    assert.ok(failed.length < pending.length, `no progress in round ${rounds}:\n${failed.map((x) => `${x.f.uri}: ${x.why}`).join('\n')}`);
    pending = failed.map((x) => x.f);
  }
  assert.ok(rounds <= 3, `converged in ${rounds} rounds`);
  for (const f of [...system, ...files]) {
    const again = await reconcileOnce(
      { sources: [f.uri], mode: 'plan' },
      t.deps(
        [f],
        files.filter((x) => x !== f),
      ),
    );
    assert.ok(again.plan, allMessages(again));
    const changed = again.plan.changes.filter((c) => c.action !== 'noop');
    assert.deepEqual(
      changed.map((c) => `${f.uri}: ${c.action} ${c.model} ${JSON.stringify(c.identifiers)} ${c.patch.map((p) => p.path).join(',')}`),
      [],
    );
  }
});

test('40-events-default through the API: the plan shows the admin group emptied and refuses it, because the token would lock itself out; nothing is written', {
  skip,
}, async () => {
  const t = await target('2023.6');
  const planned = await reconcileOnce({ sources: [`default/${LOCKOUT}`], mode: 'plan' }, t.deps([file(LOCKOUT)], []));
  const admins = planned.plan?.changes.find((c) => c.model === 'authentik_core.group' && c.identifiers.name === 'authentik Admins');
  assert.equal(admins?.action, 'update', 'the seeded admin group is matched, not duplicated');
  assert.ok(
    admins?.patch.some((p) => p.path.startsWith('/users')),
    'the plan shows the members being removed',
  );
  assert.ok(
    planned.diagnostics.some((d) => d.code === 'AKB4017' && /akadmin/.test(d.summary)),
    allMessages(planned),
  );
  assert.equal(planned.plan?.applyable, false);
  t.sandbox.clearLog();
  const out = await reconcileOnce({ sources: [`default/${LOCKOUT}`], mode: 'apply' }, t.deps([file(LOCKOUT)], []));
  assert.equal(out.ok, false);
  assert.deepEqual(
    t.sandbox.requestLog.filter((r) => r.method !== 'GET'),
    [],
    'no write was made',
  );
});
