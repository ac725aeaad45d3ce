// Machine-readable output is one JSON document per run: graph, hook install, and apply (plan and
// result are not printed back to back).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));

test('graph --format json: nodes named as plan headers name them, edges dependency → dependent', async () => {
  const r = await runCli(['graph', examples, '--format', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    ok: boolean;
    nodes: { key: string; identity: string; at: string; wave: number }[];
    edges: { from: string; to: string }[];
  };
  assert.equal(doc.ok, true);
  assert.ok(
    doc.nodes.some((n) => /^flow slug=/.test(n.identity)),
    JSON.stringify(doc.nodes.map((n) => n.identity)),
  );
  assert.ok(doc.nodes.every((n) => /\.ya?ml:\d+:\d+$/.test(n.at)));
  const byKey = new Map(doc.nodes.map((n) => [n.key, n]));
  assert.ok(doc.edges.length > 0);
  for (const e of doc.edges) assert.ok(byKey.get(e.from)!.wave < byKey.get(e.to)!.wave, 'a dependency comes in an earlier wave');
});

test('apply --format json prints exactly one JSON document', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-json-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(examples, join(dir, 'bp'), { recursive: true });
  const r = await runCli(['apply', 'bp', '--sandbox', '--state', 'state.json', '--yes', '--format', 'json'], {
    cwd: dir,
    env: { EXAMPLE_BOT_PASSWORD: 'x-secret-x', PATH: process.env.PATH },
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const doc = JSON.parse(r.stdout) as { phase: string };
  assert.equal(doc.phase, 'succeeded');
  assert.doesNotMatch(r.stdout, /x-secret-x/);
});

test('hook install --format json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-hookjson-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('git', ['init', '-q', '--bare', join(dir, 'r.git')]);
  const r = await runCli(
    [
      'hook',
      'install',
      'r.git',
      '--daemon-url',
      'http://127.0.0.1:9',
      '--webhook-secret',
      's3cret-hook',
      '--secret-file',
      join(dir, 'secrets', 'r.secret'),
      '--format',
      'json',
    ],
    { cwd: dir },
  );
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { hookPath: string; mode: string; secretPath: string };
  assert.equal(doc.mode, 'daemon');
  assert.equal(doc.secretPath, join(dir, 'secrets', 'r.secret'));
  assert.doesNotMatch(r.stdout, /s3cret-hook/);
});
