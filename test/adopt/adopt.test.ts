// `plan --adopt`, `apply --adopt` and `--prune-adopted` through the real CLI against an HTTP
// sandbox whose objects were made through the REST API (as by hand in the admin UI).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { rest, startServer, TOKEN } from '../export/helpers.js';

interface StateFile {
  objects: Record<string, { model: string; pk: string | number; adopted: boolean }>;
}
const GROUP = 'authentik_core.group';
const group = (name: string) => `  - model: ${GROUP}\n    id: ${name}\n    identifiers: {name: ${name}}\n`;

test('plan --adopt lists unowned matches, apply --adopt records them, prune keeps them until --prune-adopted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-adopt-'));
  const s = await startServer('2026.5');
  const write = (...names: string[]) => writeFileSync(join(dir, 'bp', 'groups.yaml'), `version: 1\nentries:\n${names.map(group).join('')}`);
  const state = () => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
  try {
    mkdirSync(join(dir, 'bp'));
    const common = ['--server', s.url, '--token', TOKEN, '--state', join(dir, 'state.json')];
    const ops = await rest(s, 'POST', '/core/groups/', { name: 'ops' });
    const dev = await rest(s, 'POST', '/core/groups/', { name: 'dev' });
    write('ops', 'dev');

    const plain = await runCli(['plan', 'bp', ...common, '--format', 'json'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stdout + plain.stderr);
    assert.equal((JSON.parse(plain.stdout) as { adoptions?: unknown }).adoptions, undefined, 'without --adopt nothing about adoption is shown');
    const untouched = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir });
    assert.equal(untouched.code, 0, untouched.stderr);
    assert.match(untouched.stdout, /No changes/);

    const imported = await runCli(['import', 'bp', 'groups.yaml#ops', String(ops.pk), ...common], { cwd: dir });
    assert.equal(imported.code, 0, imported.stdout + imported.stderr);

    const text = await runCli(['plan', 'bp', ...common, '--adopt', '--detailed-exitcode'], { cwd: dir });
    assert.equal(text.code, 2, 'an adoption is a change to the state');
    assert.match(text.stdout, /Adopt \(1\)/);
    assert.match(text.stdout, new RegExp(`& group name=dev {2}\\(groups\\.yaml#dev, pk ${String(dev.pk)}\\)`));
    assert.doesNotMatch(text.stdout, /groups\.yaml#ops,/, 'the imported object is owned already');
    assert.match(text.stdout, /0 to delete, 1 to adopt/);
    const json = JSON.parse((await runCli(['plan', 'bp', ...common, '--adopt', '--format', 'json'], { cwd: dir })).stdout) as {
      adoptions: { key: string; model: string; pk: string }[];
    };
    assert.deepEqual(
      json.adoptions.map((a) => [a.key, a.model, a.pk]),
      [['groups.yaml#dev', GROUP, dev.pk]],
    );
    const md = await runCli(['plan', 'bp', ...common, '--adopt', '--format', 'markdown'], { cwd: dir });
    assert.match(md.stdout, new RegExp(`\\| groups\\.yaml#dev \\| group name=dev \\| ${String(dev.pk)} \\|`));

    const saved = await runCli(['plan', 'bp', ...common, '--adopt', '--out', 'plan.json'], { cwd: dir });
    assert.equal(saved.code, 0, saved.stderr);
    const applied = await runCli(['apply', 'plan.json', ...common, '--yes'], { cwd: dir });
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    assert.match(applied.stdout, /Adopted 1 object\(s\) into the ownership state/);
    assert.equal(state().objects['groups.yaml#dev']?.adopted, true);
    assert.equal(state().objects['groups.yaml#ops']?.adopted, true);
    const after = await runCli(['plan', 'bp', ...common, '--adopt'], { cwd: dir });
    assert.match(after.stdout, /Nothing to adopt/);

    write('ops');
    const kept = await runCli(['apply', 'bp', ...common, '--prune', '--yes'], { cwd: dir });
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    assert.match(kept.stdout, /0 to delete/);
    assert.ok(await s.client.get(GROUP, String(dev.pk)), 'an adopted object is not pruned by --prune');
    assert.equal(state().objects['groups.yaml#dev']?.adopted, true, 'still recorded, so --prune-adopted can delete it later');

    const pruned = await runCli(['apply', 'bp', ...common, '--prune-adopted', '--yes'], { cwd: dir });
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    assert.match(pruned.stdout, /1 to delete/);
    assert.equal(await s.client.get(GROUP, String(dev.pk)), null, '--prune-adopted deletes it');
    assert.equal(state().objects['groups.yaml#dev'], undefined);
    assert.ok(await s.client.get(GROUP, String(ops.pk)), 'the still declared adopted object stays');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--prune-adopted keeps the --max-deletes cap', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-adopt-'));
  const s = await startServer('2026.5');
  const write = (...names: string[]) => writeFileSync(join(dir, 'bp', 'groups.yaml'), `version: 1\nentries:\n${names.map(group).join('')}`);
  try {
    mkdirSync(join(dir, 'bp'));
    const common = ['--server', s.url, '--token', TOKEN, '--state', join(dir, 'state.json')];
    for (const n of ['a1', 'a2']) await rest(s, 'POST', '/core/groups/', { name: n });
    write('keep', 'a1', 'a2');
    assert.equal((await runCli(['apply', 'bp', ...common, '--adopt', '--yes'], { cwd: dir })).code, 0);
    write('keep');
    const capped = await runCli(['plan', 'bp', ...common, '--prune-adopted', '--max-deletes', '1'], { cwd: dir });
    assert.equal(capped.code, 1, capped.stdout);
    assert.match(capped.stdout, /prune would delete 2 objects, more than --max-deletes 1/);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
