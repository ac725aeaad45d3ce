// akbp's ownership record survives the ways people move blueprints: another spelling of the same
// directory, a renamed file. Nothing it created is pruned because its entry moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));

test('renaming a blueprint file or spelling its directory differently prunes nothing and keeps ownership', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-own-'));
  try {
    cpSync(examples, join(dir, 'bp'), { recursive: true });
    const common = ['--sandbox', join(dir, 'sandbox.json'), '--state', join(dir, 'state.json')];
    const first = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const before = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { objects: Record<string, { adopted: boolean }> };
    assert.ok(before.objects['10-groups-and-users.yaml#engineering'], Object.keys(before.objects).join(', '));

    const respelled = await runCli(['plan', `${dir}/bp/`, ...common, '--prune', '--detailed-exitcode'], { cwd: dir });
    assert.equal(respelled.code, 0, respelled.stdout);

    renameSync(join(dir, 'bp', '10-groups-and-users.yaml'), join(dir, 'bp', '15-people.yaml'));
    const plan = await runCli(['plan', 'bp', ...common, '--prune'], { cwd: dir });
    assert.equal(plan.code, 0, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /0 to delete/);
    const applied = await runCli(['apply', 'bp', ...common, '--prune', '--yes'], { cwd: dir });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    const after = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { objects: Record<string, { adopted: boolean }> };
    assert.equal(after.objects['10-groups-and-users.yaml#engineering'], undefined, 'the old key is gone');
    assert.equal(after.objects['15-people.yaml#engineering']?.adopted, false, 'still created by akbp, so still prunable later');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
