// One readable identity (`group name=x`, as plan headers show it) in every place akbp names an
// object: plan text, Markdown and JSON, prune lines, the info diagnostic about kept orphans, and
// the Mermaid and DOT graphs. Never the state key (`file.yaml#2`) or a pk alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startServer, TOKEN } from '../export/helpers.js';

const groups = (...names: string[]) =>
  `version: 1\nentries:\n${names.map((n) => `  - model: authentik_core.group\n    identifiers: {name: ${n}}\n    attrs: {is_superuser: false}\n`).join('')}`;

test('prune lines, the kept-orphans diagnostic and every plan format name objects as plan headers do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-identity-'));
  const s = await startServer('2026.5');
  try {
    mkdirSync(join(dir, 'bp'));
    const common = ['--server', s.url, '--token', TOKEN, '--state', join(dir, 'state.json')];
    writeFileSync(join(dir, 'bp', 'groups.yaml'), groups('keep', 'gone'));
    const first = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: dir });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /applied +create +group name=keep/);

    writeFileSync(join(dir, 'bp', 'groups.yaml'), groups('keep'));
    const kept = await runCli(['plan', 'bp', ...common], { cwd: dir });
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    assert.match(kept.stdout, /info AKB4010: 1 object\(s\) akbp created are no longer declared; --prune deletes them\n {2}group name=gone\n/);
    assert.doesNotMatch(kept.stdout, /groups\.yaml#1/, 'the state key is not how people know the object');

    const pruned = await runCli(['plan', 'bp', ...common, '--prune'], { cwd: dir });
    assert.match(pruned.stdout, /\n {2}- group name=gone\n {6}pruned: no entry declares it any more\n/);
    const md = await runCli(['plan', 'bp', ...common, '--prune', '--format', 'markdown'], { cwd: dir });
    assert.match(md.stdout, /\| 🗑️ delete \| group name=gone \| {2}\|/);
    const json = JSON.parse((await runCli(['plan', 'bp', ...common, '--prune', '--format', 'json'], { cwd: dir })).stdout) as {
      changes: { action: string; identity: string }[];
    };
    assert.deepEqual(
      json.changes.map((c) => `${c.action} ${c.identity}`),
      ['noop group name=keep', 'delete group name=gone'],
    );
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Mermaid and DOT graphs label each node with its identity, as graph --format json does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-identity-graph-'));
  try {
    writeFileSync(
      join(dir, 'flows.yaml'),
      `version: 1
entries:
  - model: authentik_flows.flow
    id: login
    identifiers: {slug: akbp-login}
    attrs: {name: Login, title: Login, designation: authentication}
  - model: authentik_stages_dummy.dummystage
    id: stage
    identifiers: {name: "say \\"hi\\""}
  - model: authentik_flows.flowstagebinding
    identifiers: {target: !KeyOf login, stage: !KeyOf stage, order: 10}
`,
    );
    const json = JSON.parse((await runCli(['graph', '--format', 'json', 'flows.yaml'], { cwd: dir })).stdout) as { nodes: { identity: string }[] };
    const identities = json.nodes.map((n) => n.identity).sort();
    assert.deepEqual(identities, ['dummystage name=say "hi"', 'flow slug=akbp-login', 'flowstagebinding target=!KeyOf login stage=!KeyOf stage order=10']);

    const mermaid = await runCli(['graph', 'flows.yaml'], { cwd: dir });
    assert.equal(mermaid.code, 0, mermaid.stderr);
    assert.match(mermaid.stdout, /\["flow slug=akbp-login"\]/);
    assert.match(mermaid.stdout, /\["dummystage name=say #quot;hi#quot;"\]/);
    assert.match(mermaid.stdout, /\["flowstagebinding target=!KeyOf login stage=!KeyOf stage order=10"\]/);

    const dot = await runCli(['graph', '--format', 'dot', 'flows.yaml'], { cwd: dir });
    assert.equal(dot.code, 0, dot.stderr);
    assert.match(dot.stdout, /\[label="flow slug=akbp-login"\]/);
    assert.match(dot.stdout, /\[label="dummystage name=say \\"hi\\""\]/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
