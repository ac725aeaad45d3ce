// The command line end to end, in-process: what a user types and what they see, exit codes
// included. The sandbox state file makes consecutive commands talk to the same "server".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const examples = fileURLToPath(new URL('../../examples/blueprints/', import.meta.url));
const CANARY = 'canary-Pa55w0rd-7f3e';

function workdir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-cli-'));
  cpSync(examples, join(dir, 'examples'), { recursive: true });
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('--help lists every command, each command has an example', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const c of ['validate', 'compile', 'plan', 'apply', 'sandbox', 'demo', 'schema']) assert.match(r.stdout, new RegExp(`\\b${c}\\b`), c);
  for (const c of ['validate', 'compile', 'plan', 'apply']) {
    const h = await runCli([c, '--help']);
    assert.equal(h.code, 0, c);
    assert.match(h.stdout, /Example/, `${c} --help shows an example`);
  }
});

test('validate examples/: zero errors, says which version it used', async () => {
  const r = await runCli(['validate', examples]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Validated 3 blueprint\(s\) against authentik 2026\.5 \(newest bundled; choose with --authentik-version\): 0 error\(s\)/);
});

test('validate: a broken file gives file:line:col, a stable code and exit 1; JSON output too', async () => {
  const w = workdir();
  try {
    const f = join(w.dir, 'bad.yaml');
    writeFileSync(f, 'version: 1\nentries:\n  - model: authentik_core.nosuchmodel\n    identifiers: {name: x}\n');
    const r = await runCli(['validate', f], { cwd: w.dir });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /bad\.yaml:3:\d+: error AKB\d{4}: .*nosuchmodel/);
    const j = await runCli(['validate', f, '--format', 'json'], { cwd: w.dir });
    assert.equal(j.code, 1);
    const doc = JSON.parse(j.stdout) as { errors: number; diagnostics: { code: string; location: { line: number } }[] };
    assert.ok(doc.errors >= 1);
    assert.equal(doc.diagnostics[0]!.location.line, 3);
  } finally {
    w.done();
  }
});

test('compile: context override and deferred references; the password is (sensitive)', async () => {
  const r = await runCli(['compile', '--format', 'json', '--context', 'team=payments', examples], { env: { EXAMPLE_BOT_PASSWORD: CANARY } });
  assert.equal(r.code, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as {
    entries: { model: string; identifiers: Record<string, unknown>; attrs: Record<string, unknown>; secrets?: Record<string, unknown> }[];
  };
  const team = doc.entries.find((e) => e.model === 'authentik_core.group' && e.identifiers.name === 'team-payments');
  assert.ok(team, 'context override applied');
  const user = doc.entries.find((e) => e.model === 'authentik_core.user')!;
  assert.equal(user.secrets?.password, '(sensitive)');
  assert.doesNotMatch(r.stdout + r.stderr, new RegExp(CANARY));
  const binding = doc.entries.find((e) => e.model === 'authentik_flows.flowstagebinding')!;
  assert.equal((binding.identifiers.target as { $keyOf: string }).$keyOf, 'flow');
});

test('plan → apply → plan on a persisted sandbox: second plan is empty, exit codes as documented, no secret printed', async () => {
  const w = workdir();
  const env = { EXAMPLE_BOT_PASSWORD: CANARY, PATH: process.env.PATH };
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const p1 = await runCli(['plan', 'examples', ...common, '--detailed-exitcode', '--out', 'plan.json'], { cwd: w.dir, env });
    assert.equal(p1.code, 2, p1.stdout + p1.stderr);
    assert.match(p1.stdout, /to create, 0 to update, 0 to delete/);
    assert.match(p1.stdout, /\(known after apply\)/);
    const saved = readFileSync(join(w.dir, 'plan.json'), 'utf8');
    assert.doesNotMatch(saved, new RegExp(CANARY));

    const a = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir, env });
    assert.equal(a.code, 0, a.stdout + a.stderr);
    assert.match(a.stdout, /Apply succeeded/);

    const p2 = await runCli(['plan', 'examples', ...common, '--detailed-exitcode'], { cwd: w.dir, env });
    assert.equal(p2.code, 0, p2.stdout);
    assert.match(p2.stdout, /Plan: 0 to create, 0 to update, 0 to delete/);

    const again = await runCli(['apply', 'plan.json', ...common], { cwd: w.dir, env });
    assert.equal(again.code, 1, 'a saved plan is refused once the server no longer matches it');

    const md = await runCli(['plan', 'examples', ...common, '--format', 'markdown'], { cwd: w.dir, env });
    assert.match(md.stdout, /^<!-- akbp-plan -->/);
    for (const out of [p1, a, p2, again, md]) assert.doesNotMatch(out.stdout + out.stderr, new RegExp(CANARY));
    assert.doesNotMatch(readFileSync(join(w.dir, 'state.json'), 'utf8'), new RegExp(CANARY));
  } finally {
    w.done();
  }
});

test('apply on a terminal asks first; anything but "yes" cancels without writing', async () => {
  const w = workdir();
  try {
    const common = ['--sandbox', join(w.dir, 'sandbox.json'), '--state', join(w.dir, 'state.json')];
    const no = await runCli(['apply', 'examples', ...common], { cwd: w.dir, isTTY: true, answer: 'no', env: { NO_COLOR: '1' } });
    assert.equal(no.code, 1);
    assert.match(no.stderr, /Apply cancelled/);
    const p = await runCli(['plan', 'examples', ...common, '--detailed-exitcode'], { cwd: w.dir });
    assert.equal(p.code, 2, 'nothing was written');
  } finally {
    w.done();
  }
});

test('plan without a server says how to give one; never a stack trace', async () => {
  const r = await runCli(['plan', examples], { env: {} });
  assert.equal(r.code, 2, 'a missing target is a usage error');
  assert.match(r.stderr, /AUTHENTIK_URL|--server/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/);
});

test('demo: applies the examples to the embedded sandbox and the second plan is empty', async () => {
  const r = await runCli(['demo']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Apply succeeded/);
  assert.match(r.stdout, /second plan has 0 change\(s\)/);
});

test('secrets written in any form never reach validate, compile or plan output, even in code frames', async () => {
  const w = workdir();
  try {
    const f = join(w.dir, 'secrets.yaml');
    writeFileSync(
      f,
      [
        'version: 1',
        'entries:',
        '  - model: authentik_core.user',
        '    identifiers: {username: u1}',
        '    attrs: {name: U, password: [leak-one], bogus_field: 1}',
        '  - model: authentik_core.user',
        '    identifiers: {username: u2}',
        '    attrs:',
        '      password: !Env [UNSET_VAR_FOR_TEST, "leak-two"]',
        '      is_active: notabool',
        '  - model: authentik_sources_ldap.ldapsource',
        '    identifiers: {slug: l1}',
        '    attrs: {name: L, server_uri: "ldap://x", base_dn: "dc=x", bind_password: {leak-three: 1}}',
        '  - model: authentik_core.token',
        '    identifiers: {identifier: t1}',
        '    attrs: {key: 12345678901234567890123, intent: api}',
        '',
      ].join('\n'),
    );
    const runs = [
      await runCli(['validate', f], { cwd: w.dir }),
      await runCli(['validate', f, '--format', 'json'], { cwd: w.dir }),
      await runCli(['compile', f, '--format', 'json'], { cwd: w.dir }),
      await runCli(['plan', f, '--sandbox', '--format', 'json'], { cwd: w.dir }),
      await runCli(['plan', f, '--sandbox', '--format', 'markdown'], { cwd: w.dir }),
    ];
    assert.equal(runs[0]!.code, 1, 'the file has errors, so frames are printed');
    assert.match(runs[0]!.stdout, /\d+ \|/, 'code frames are shown');
    for (const r of runs) assert.doesNotMatch(r.stdout + r.stderr, /leak-one|leak-two|leak-three|12345678901234567890123/);
  } finally {
    w.done();
  }
});

test('demo on authentik 2023.6 (the reference server) uses the 2023.6 example set and converges too', async () => {
  const r = await runCli(['demo', '--authentik-version', '2023.6']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /blueprints-2023\.6/);
  assert.match(r.stdout, /authentik 2023\.6\.1/);
  assert.match(r.stdout, /second plan has 0 change\(s\)/);
});

test('--sandbox before the source: the source is not taken for a state file (state files end in .json)', async () => {
  const r = await runCli(['plan', '--sandbox', examples, '--detailed-exitcode']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stdout, /17 to create/);
  const w = workdir();
  try {
    const s = await runCli(['plan', '--sandbox', 'sb.json', 'examples', '--detailed-exitcode'], { cwd: w.dir });
    assert.equal(s.code, 2, s.stdout + s.stderr);
    assert.ok(existsSync(join(w.dir, 'sb.json')), 'the .json word is the sandbox state file');
  } finally {
    w.done();
  }
});
