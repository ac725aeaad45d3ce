// akbp's ownership record survives the ways people move blueprints: another spelling of the same
// directory, a renamed file. Nothing it created is pruned because its entry moved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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

test('an entry inserted above an id-less entry does not re-key it: removing it later prunes the object akbp created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-own-'));
  const group = (name: string) => `  - model: authentik_core.group\n    identifiers: {name: ${name}}\n`;
  const write = (...names: string[]) => writeFileSync(join(dir, 'bp', 'groups.yaml'), `version: 1\nentries:\n${names.map(group).join('')}`);
  try {
    mkdirSync(join(dir, 'bp'));
    const common = ['--sandbox', join(dir, 'sandbox.json'), '--state', join(dir, 'state.json')];
    write('pos-keep', 'pos-target');
    assert.equal((await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir })).code, 0);

    write('pos-inserted', 'pos-keep', 'pos-target');
    const inserted = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir });
    assert.equal(inserted.code, 0, inserted.stdout + inserted.stderr);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as {
      objects: Record<string, { adopted: boolean; identifiers: { name?: string } }>;
    };
    const target = Object.values(state.objects).find((o) => o.identifiers.name === 'pos-target');
    assert.equal(target?.adopted, false, 'still recorded as created by akbp, not adopted');

    write('pos-inserted', 'pos-keep');
    const pruned = await runCli(['apply', 'bp', ...common, '--yes', '--prune', '--format', 'json'], { cwd: dir });
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    const plan = await runCli(['plan', 'bp', ...common, '--format', 'json'], { cwd: dir });
    const after = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as unknown;
    assert.ok(!JSON.stringify(after).includes('"pos-target"'), 'the object akbp created is deleted from the server');
    assert.ok(JSON.stringify(after).includes('"pos-keep"'));
    assert.equal(plan.code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
