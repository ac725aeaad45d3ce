// authentik's discovery skips a blueprint file it cannot use and applies the others; one broken
// file must block only itself and the files that need it (akbp issue 10). Driven through the real
// CLI against a persisted sandbox, whose file is the server's end state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { bundledRegistry, defaultVersion } from '../../src/authentik/bundled.js';
import { memoryLogger } from '../../src/gitops/log.js';
import { createRunner } from '../../src/gitops/runner.js';
import { reconcileOnce } from '../../src/pipeline/index.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { createClient } from '../../src/server/index.js';
import { readSources } from '../../src/sources/index.js';

const group = (name: string, attrs = '') => `  - model: authentik_core.group\n    identifiers: {name: ${name}}\n${attrs}`;
const bp = (...entries: string[]) => `version: 1\nentries:\n${entries.join('')}`;
const meta = (path: string) => `  - model: authentik_blueprints.metaapplyblueprint\n    attrs:\n      identifiers: {path: ${path}}\n`;
const findParent = (name: string) => `    attrs:\n      parents:\n        - !Find [authentik_core.group, [name, ${name}]]\n`;

/** Group names present on the sandbox server. */
function groupsOnServer(dir: string): Set<string> {
  const text = readFileSync(join(dir, 'sandbox.json'), 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/"name":\s*"(iso-[a-z0-9-]+)"/g)) names.add(m[1]!);
  return names;
}

function recordedGroups(dir: string): Set<string> {
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { objects: Record<string, { identifiers: { name?: string } }> };
  return new Set(Object.values(state.objects).map((o) => o.identifiers.name ?? ''));
}

function workdir(files: { [name: string]: string }): { dir: string; write: (name: string, text: string) => void; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-isolate-'));
  mkdirSync(join(dir, 'bp'));
  const write = (name: string, text: string) => writeFileSync(join(dir, 'bp', name), text);
  for (const [name, text] of Object.entries(files)) write(name, text);
  return { dir, write, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const env = { PATH: process.env.PATH, HOME: tmpdir(), NO_COLOR: '1' };

test('a version: 2 file, a YAML syntax error and their dependents block only themselves: plan and apply go on with the rest', async () => {
  const w = workdir({
    'a-healthy.yaml': bp(group('iso-a')),
    'b-version2.yaml': `version: 2\nentries:\n${group('iso-v2')}`,
    'c-syntax.yaml': `version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: iso-syntax\n`,
    'd-meta.yaml': bp(meta('b-version2.yaml'), group('iso-d')),
    'e-find-broken.yaml': bp(group('iso-e', findParent('iso-v2'))),
    'f-find-healthy.yaml': bp(group('iso-f', findParent('iso-a'))),
  });
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const plan = await runCli(['plan', 'bp', ...common, '--detailed-exitcode'], { cwd: w.dir, env });
    const shown = plan.stdout + plan.stderr;
    assert.equal(plan.code, 1, `blocked files make the run fail even though healthy files have changes\n${shown}`);
    assert.match(shown, /Plan: 2 to create/, shown);
    assert.match(shown, /iso-a/);
    assert.match(shown, /iso-f/);
    assert.match(shown, /AKB1031[^\n]*\n?[^\n]*b-version2\.yaml:1:\d+|b-version2\.yaml:1:\d+[^\n]*AKB1031/, 'the version error names file:line:col');
    assert.match(shown, /c-syntax\.yaml:\d+:\d+/, 'the syntax error names file:line:col');
    assert.match(
      shown,
      /d-meta\.yaml:\d+:\d+[^\n]*\n?[^\n]*b-version2\.yaml|b-version2\.yaml[^\n]*d-meta\.yaml/,
      'the dependent names the broken file blocking it',
    );
    assert.match(shown, /e-find-broken\.yaml:\d+:\d+/, 'a !Find answered only by a broken file blocks its file');
    assert.doesNotMatch(shown, /iso-d|iso-e\b/, 'nothing of a blocked file is planned');

    const json = await runCli(['plan', 'bp', ...common, '--format', 'json'], { cwd: w.dir, env });
    assert.equal(json.code, 1);
    const doc = JSON.parse(json.stdout) as { changes: { identifiers: { name?: string } }[]; diagnostics: { code: string; severity: string }[] };
    assert.deepEqual(doc.changes.map((c) => c.identifiers.name).sort(), ['iso-a', 'iso-f']);
    assert.ok(doc.diagnostics.some((d) => d.code === 'AKB1031' && d.severity === 'error'));

    const apply = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir, env });
    assert.equal(apply.code, 1, `apply applies the healthy files and still fails\n${apply.stdout}${apply.stderr}`);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-a', 'iso-f']);

    const again = await runCli(['plan', 'bp', ...common, '--detailed-exitcode', '--format', 'json'], { cwd: w.dir, env });
    assert.equal(again.code, 1);
    assert.deepEqual(
      (JSON.parse(again.stdout) as { changes: { action: string }[] }).changes.filter((c) => c.action !== 'noop'),
      [],
    );

    // Fixed, the blocked files apply and the run succeeds.
    w.write('b-version2.yaml', bp(group('iso-v2')));
    w.write('c-syntax.yaml', bp(group('iso-syntax')));
    const fixed = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir, env });
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-a', 'iso-d', 'iso-e', 'iso-f', 'iso-syntax', 'iso-v2']);
  } finally {
    w.done();
  }
});

test('prune never deletes objects owned by a blocked file or its dependents: their entries are unknown this run', async () => {
  const w = workdir({
    'keep.yaml': bp(group('iso-keep'), group('iso-gone')),
    'later-broken.yaml': bp(group('iso-lb')),
    'includer.yaml': bp(meta('later-broken.yaml'), group('iso-inc')),
  });
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const first = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir, env });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-gone', 'iso-inc', 'iso-keep', 'iso-lb']);

    w.write('later-broken.yaml', 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: iso-lb\n');
    w.write('keep.yaml', bp(group('iso-keep')));
    const plan = await runCli(['plan', 'bp', ...common, '--prune', '--format', 'json'], { cwd: w.dir, env });
    assert.equal(plan.code, 1, plan.stdout);
    const changes = (JSON.parse(plan.stdout) as { changes: { action: string; identifiers: { name?: string } }[] }).changes;
    assert.deepEqual(
      changes.filter((c) => c.action === 'delete').map((c) => c.identifiers.name),
      ['iso-gone'],
      'only the entry removed from a healthy file is pruned',
    );

    const pruned = await runCli(['apply', 'bp', ...common, '--yes', '--prune'], { cwd: w.dir, env });
    assert.equal(pruned.code, 1, pruned.stdout + pruned.stderr);
    assert.match(pruned.stdout + pruned.stderr, /later-broken\.yaml:\d+:\d+/);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-inc', 'iso-keep', 'iso-lb']);
    const recorded = recordedGroups(w.dir);
    assert.ok(recorded.has('iso-lb') && recorded.has('iso-inc'), `the blocked files' ownership records are kept: ${[...recorded].join(', ')}`);
    assert.ok(!recorded.has('iso-gone'));

    // The broken file removed for good: now its objects are orphans and prune takes them.
    rmSync(join(w.dir, 'bp', 'later-broken.yaml'));
    w.write('includer.yaml', bp(group('iso-inc')));
    const gone = await runCli(['apply', 'bp', ...common, '--yes', '--prune'], { cwd: w.dir, env });
    assert.equal(gone.code, 0, gone.stdout + gone.stderr);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-inc', 'iso-keep']);
  } finally {
    w.done();
  }
});

test('the daemon reconciles the rest of the source and logs each blocked file with its cause', async () => {
  const w = workdir({
    'good.yaml': bp(group('iso-daemon-good')),
    'broken.yaml': `version: 2\nentries:\n${group('iso-daemon-broken')}`,
    'needs-broken.yaml': bp(meta('broken.yaml'), group('iso-daemon-dependent')),
  });
  try {
    const registry = bundledRegistry(defaultVersion());
    const token = 'isolation-test-token';
    const sandbox = await createSandbox({ registry, token });
    const client = createClient({ baseUrl: 'http://sandbox.invalid/api/v3', token, registry, transport: sandbox.transport() });
    const deps = {
      readSources: (specs: string[]) => readSources(specs, { cwd: w.dir, cacheDir: join(w.dir, 'cache'), env: {} }),
      registry,
      client,
      env: {},
      now: () => new Date('2026-12-01T00:00:00Z'),
    };
    const logger = memoryLogger();
    const run = createRunner({ mode: 'apply', logger, reconcile: (spec) => reconcileOnce(spec, deps) });
    const record = await run({ kind: 'timer', source: 'bp', at: Date.now() }, 1);
    assert.equal(record.result, 'invalid', 'a run with blocked files is not a success: its blueprints have errors');
    assert.equal(record.applied, 1, 'the healthy file was applied');
    const names = (await client.list('authentik_core.group')).map((g) => String(g.body.name));
    assert.ok(names.includes('iso-daemon-good'), names.join(', '));
    assert.ok(!names.includes('iso-daemon-broken') && !names.includes('iso-daemon-dependent'), names.join(', '));
    const finished = logger.lines.find((l) => l.msg === 'run finished')!;
    const blocked = finished.blocked as { file: string; code: string; at?: string; blockedBy?: string }[];
    assert.deepEqual(
      blocked.map((b) => [b.file.replace(/^.*\//, ''), b.code, b.blockedBy?.replace(/^.*\//, '') ?? null]),
      [
        ['broken.yaml', 'AKB1031', null],
        ['needs-broken.yaml', 'AKB3090', 'broken.yaml'],
      ],
    );
    assert.match(blocked[0]!.at ?? '', /broken\.yaml:1:10$/);
    assert.match(blocked[1]!.at ?? '', /needs-broken\.yaml:\d+:\d+$/);
  } finally {
    w.done();
  }
});

test('a saved plan made with a blocked file applies the rest and still fails; a file that did not parse blocks the !Find its text may answer', async () => {
  const w = workdir({
    'ok.yaml': bp(group('iso-saved-ok')),
    'unparsed.yaml': 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: iso-saved-base\n',
    'maybe.yaml': bp(group('iso-saved-maybe', findParent('iso-saved-base'))),
    'server-only.yaml': bp(group('iso-saved-server', findParent('authentik Admins'))),
  });
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const plan = await runCli(['plan', 'bp', ...common, '--out', 'plan.json'], { cwd: w.dir, env });
    assert.equal(plan.code, 1, plan.stdout + plan.stderr);
    assert.match(plan.stdout, /maybe\.yaml:\d+:\d+: error AKB3090: [^\n]*unparsed\.yaml/, 'unsure: the unparsed file mentions the value the !Find looks for');
    assert.doesNotMatch(plan.stdout, /server-only\.yaml:\d+:\d+: error/, 'a !Find the broken file cannot answer does not block');
    const apply = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir, env });
    assert.equal(apply.code, 1, apply.stdout + apply.stderr);
    const names = groupsOnServer(w.dir);
    assert.ok(names.has('iso-saved-ok') && names.has('iso-saved-server'), [...names].join(', '));
    assert.ok(!names.has('iso-saved-maybe') && !names.has('iso-saved-base'), [...names].join(', '));
  } finally {
    w.done();
  }
});

/** A context that doubles per line: 23 lines build more values than compile's budget allows. */
function doubling(levels: number, name: string): string {
  const lines = ['version: 1', 'context:', "  c0: 'abcdefgh'"];
  for (let i = 1; i <= levels; i++) lines.push(`  c${i}: [!Context c${i - 1}, !Context c${i - 1}]`);
  lines.push('entries:', '  - model: authentik_core.group', `    identifiers: {name: ${name}}`, `    attrs: {attributes: {v: !Context c${levels}}}`);
  return `${lines.join('\n')}\n`;
}

test('a file whose compile fails (an evaluation error, the evaluation budget) blocks only itself and its dependents', async () => {
  const w = workdir({
    'a-healthy.yaml': bp(group('iso-ca')),
    // A computed argument: only evaluation shows it is no number.
    'b-format.yaml': `version: 1\ncontext: {word: abc}\nentries:\n${group('iso-cb')}${group('iso-cb2', "    attrs:\n      attributes: {n: !Format ['%d', !Context word]}\n")}`,
    'c-meta.yaml': bp(meta('b-format.yaml'), group('iso-cc')),
    'd-find.yaml': bp(group('iso-cd', findParent('iso-cb'))),
    'e-budget.yaml': doubling(23, 'iso-ce'),
    'f-find-healthy.yaml': bp(group('iso-cf', findParent('iso-ca'))),
  });
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const apply = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir, env });
    const shown = apply.stdout + apply.stderr;
    assert.equal(apply.code, 1, `the healthy files are applied and the run still fails\n${shown}`);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-ca', 'iso-cf']);
    assert.match(shown, /b-format\.yaml:9:\d+: error AKB3004: /, 'the evaluation error names file:line:col');
    assert.match(shown, /e-budget\.yaml:\d+:\d+: error AKB3080: /, 'so does the budget');
    assert.match(shown, /c-meta\.yaml:\d+:\d+: error AKB3090: [^\n]*b-format\.yaml failed to load, validate or compile/);
    assert.match(shown, /d-find\.yaml:\d+:\d+: error AKB3090: [^\n]*b-format\.yaml/, 'a !Find answered only by the failed file blocks its file');
    assert.match(shown, /AKB9106: 4 file\(s\) left out of this run: [^\n]*b-format\.yaml, [^\n]*c-meta\.yaml, [^\n]*d-find\.yaml, [^\n]*e-budget\.yaml/);

    const plan = await runCli(['plan', 'bp', ...common, '--detailed-exitcode'], { cwd: w.dir, env });
    assert.equal(plan.code, 1, 'an error wins over "changes"');

    w.write('b-format.yaml', bp(group('iso-cb'), group('iso-cb2')));
    w.write('e-budget.yaml', bp(group('iso-ce')));
    const fixed = await runCli(['apply', 'bp', ...common, '--yes'], { cwd: w.dir, env });
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.deepEqual([...groupsOnServer(w.dir)].sort(), ['iso-ca', 'iso-cb', 'iso-cb2', 'iso-cc', 'iso-cd', 'iso-ce', 'iso-cf']);
  } finally {
    w.done();
  }
});
