// The CI flow the README ships: every run on a fresh runner (an empty working directory), the
// ownership record kept on the authentik server itself (`--state authentik`). Ownership and the
// password digests must survive from one runner to the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import type { Plan } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';

const TOKEN = 'akbp-fresh-runner-token-0c1d2e3f4a5b6c7d';
const STATE_KEY = 'CANARY-state-key-9f8e7d6c5b4a39281706';

const people = (withBob: boolean) => `version: 1
metadata: {name: people}
entries:
  - model: authentik_core.group
    id: staff
    identifiers: {name: ci-staff}
  - model: authentik_core.user
    identifiers: {username: ci-alice}
    attrs: {name: Alice, groups: [!KeyOf staff], password: CANARY-alice-pw-1}
${
  withBob
    ? `  - model: authentik_core.user
    identifiers: {username: ci-bob}
    attrs: {name: Bob, groups: [!KeyOf staff], password: CANARY-bob-pw-1}
`
    : ''
}`;

const apps = (name: string) => `version: 1
metadata: {name: apps}
entries:
  - model: authentik_core.application
    identifiers: {slug: ci-wiki}
    attrs: {name: ${name}}
`;

/** A fresh runner: a new, empty working directory with a checkout of the blueprints. */
function runner(root: string, n: number, files: { [name: string]: string }): string {
  const cwd = join(root, `runner-${n}`);
  mkdirSync(join(cwd, 'blueprints'), { recursive: true });
  for (const [f, text] of Object.entries(files)) writeFileSync(join(cwd, 'blueprints', f), text);
  return cwd;
}

test('two fresh CI runners with --state authentik: run 2 plans exactly the blueprint changes, prunes, keeps passwords; run 3 is empty', async () => {
  const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  const http = await sandbox.listen();
  const root = mkdtempSync(join(tmpdir(), 'akbp-runners-'));
  // Only what a CI job has: the server, its token, the state key, the backend name.
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    CI: 'true',
    AUTHENTIK_URL: http.url,
    AUTHENTIK_TOKEN: TOKEN,
    AKBP_STATE_KEY: STATE_KEY,
    AKBP_STATE: 'authentik',
  };
  try {
    const r1 = runner(root, 1, { 'people.yaml': people(true), 'apps.yaml': apps('Wiki') });
    const first = await runCli(['apply', 'blueprints/', '--yes', '--prune'], { cwd: r1, env });
    assert.equal(first.code, 0, first.stdout + first.stderr);

    // Bob leaves, the wiki is renamed; run 2 sees none of run 1's files.
    const r2 = runner(root, 2, { 'people.yaml': people(false), 'apps.yaml': apps('Team Wiki') });
    const planned = await runCli(['plan', 'blueprints/', '--prune', '--detailed-exitcode', '--format', 'json'], { cwd: r2, env });
    assert.equal(planned.code, 2, planned.stderr);
    const plan = JSON.parse(planned.stdout) as Plan;
    const changed = plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.model} ${c.patch.map((p) => p.path).join(',')}`);
    assert.deepEqual(
      changed.sort(),
      ['delete authentik_core.user ', 'update authentik_core.application /name'],
      'exactly the blueprint changes: no password re-set',
    );
    for (const out of [first.stdout, first.stderr, planned.stdout, planned.stderr]) {
      assert.ok(!out.includes('CANARY'), 'no secret (password, state key) in any output');
    }

    sandbox.clearLog();
    const second = await runCli(['apply', 'blueprints/', '--yes', '--prune'], { cwd: r2, env });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const writes = sandbox.requestLog.filter((r) => r.method !== 'GET');
    assert.equal(writes.filter((r) => r.path.includes('set_password')).length, 0, 'unchanged passwords are not set again');
    assert.equal(writes.filter((r) => r.method === 'DELETE' && r.path.startsWith('/core/users/')).length, 1, 'the removed user is pruned');
    const users = (await (await fetch(`${http.url}/api/v3/core/users/?username=ci-bob`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      results: unknown[];
    };
    assert.equal(users.results.length, 0);

    const r3 = runner(root, 3, { 'people.yaml': people(false), 'apps.yaml': apps('Team Wiki') });
    const third = await runCli(['plan', 'blueprints/', '--prune', '--detailed-exitcode'], { cwd: r3, env });
    assert.equal(third.code, 0, third.stdout + third.stderr);

    // The record is visible to an administrator as akbp's, holds no secret, and is disabled.
    const instances = (await (await fetch(`${http.url}/api/v3/managed/blueprints/`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
      results: { name: string; enabled: boolean; context: unknown; content: string }[];
    };
    const records = instances.results.filter((i) => i.name.startsWith('akbp-state:'));
    assert.equal(records.length, 1, 'older versions are cleaned up');
    assert.match(records[0]!.name, /^akbp-state:blueprints:v\d+$/);
    assert.equal(records[0]!.enabled, false);
    assert.ok(!JSON.stringify(records[0]!.context).includes('CANARY'), 'neither passwords nor the key are stored');
    assert.ok(!instances.results.some((i) => i.name.startsWith('akbp-lock:')), 'the apply lock was released');
  } finally {
    await http.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a fresh runner with the default file state and --prune says plainly that nothing can be pruned', async () => {
  const root = mkdtempSync(join(tmpdir(), 'akbp-runners-'));
  try {
    const cwd = runner(root, 1, { 'apps.yaml': apps('Wiki') });
    const out = await runCli(['plan', 'blueprints/', '--sandbox', '--prune'], { cwd, env: { PATH: process.env.PATH, HOME: root } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /AKB9209/);
    assert.match(out.stdout, /--prune can delete nothing/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
