// `!KeyOf` to an `absent` entry: authentik 2023.6 fails the blueprint (nothing is recorded for an
// absent entry), newer importers record the object the entry deletes (test_v1_state
// .test_state_absent_with_key_of). By the time a later entry reads it Django's delete has cleared
// its pk, so the reference is null: a field pointing at the deleted object ends up empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const SEED = `version: 1
entries:
  - model: authentik_stages_password.passwordstage
    id: pw
    identifiers: {name: old-password}
    attrs: {backends: [authentik.core.auth.InbuiltBackend]}
  - model: authentik_stages_identification.identificationstage
    identifiers: {name: login-id}
    attrs:
      password_stage: !KeyOf pw
      user_fields: [username]
`;

// The same file with the password stage retired: the identification stage keeps its reference.
const RETIRE = SEED.replace('    id: pw\n', '    id: pw\n    state: absent\n');

interface Stage {
  name?: string;
  password_stage?: unknown;
}
function stagesIn(sandboxFile: string): { passwords: string[]; identification: Stage | undefined } {
  const snap = JSON.parse(readFileSync(sandboxFile, 'utf8')) as { records: { model: string; data: Stage }[] };
  return {
    passwords: snap.records.filter((r) => r.model === 'authentik_stages_password.passwordstage').map((r) => String(r.data.name)),
    identification: snap.records.find((r) => r.model === 'authentik_stages_identification.identificationstage' && r.data.name === 'login-id')?.data,
  };
}

test('2026.5: a present entry whose !KeyOf names an absent entry gets null, and the object is deleted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-keyof-absent-'));
  try {
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const sb = join(dir, 'sandbox.json');
    const bp = join(dir, 'login.yaml');
    writeFileSync(bp, SEED);
    const seed = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', bp, '--yes'], { cwd: dir, env });
    assert.equal(seed.code, 0, seed.stdout + seed.stderr);
    assert.ok(stagesIn(sb).identification?.password_stage, 'seeded: the identification stage points at the password stage');

    writeFileSync(bp, RETIRE);
    const run = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2026.5', bp, '--yes'], { cwd: dir, env });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const after = stagesIn(sb);
    assert.deepEqual(after.passwords, [], 'the absent entry deleted the password stage');
    assert.equal(after.identification?.password_stage, null, 'the reference to it is null');

    const again = await runCli(['plan', '--sandbox', sb, '--authentik-version', '2026.5', bp, '--detailed-exitcode'], { cwd: dir, env });
    assert.equal(again.code, 0, `converged: ${again.stdout}${again.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('2023.6: the same file is refused at the !KeyOf with AKB2021, before any write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-keyof-absent-'));
  try {
    const env = { PATH: process.env.PATH, HOME: dir, CI: 'true' };
    const sb = join(dir, 'sandbox.json');
    const bp = join(dir, 'login.yaml');
    writeFileSync(bp, SEED);
    const seed = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2023.6', bp, '--yes'], { cwd: dir, env });
    assert.equal(seed.code, 0, seed.stdout + seed.stderr);
    writeFileSync(bp, RETIRE);
    const run = await runCli(['apply', '--sandbox', sb, '--authentik-version', '2023.6', bp, '--yes'], { cwd: dir, env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(
      run.stdout + run.stderr,
      /login\.yaml:11:\d+: error AKB2021: !KeyOf `pw`: that entry has state `absent` and records no object on authentik 2023\.6/,
    );
    assert.deepEqual(stagesIn(sb).passwords, ['old-password'], 'nothing was deleted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
