// `akbp export` as an administrator runs it into a git repository: stable output, a re-export
// after a change on the server shows up as a small git diff, their own files are left alone,
// and runtime models come out only when asked for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { git } from '../helpers/git.js';
import { rest, startServer, TOKEN } from './helpers.js';

test("exporting twice gives identical files; a change on the server is a one-file git diff; files of deleted objects go, the user's own stay", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-export-cli-'));
  const s = await startServer('2026.5');
  try {
    const target = ['--server', s.url, '--token', TOKEN];
    const flow = await rest(s, 'POST', '/flows/instances/', { slug: 'kiosk', name: 'Kiosk', title: 'Kiosk login', designation: 'authentication' });
    const app = await rest(s, 'POST', '/core/applications/', { slug: 'wiki', name: 'Wiki' });
    const out = join(dir, 'repo');
    const first = await runCli(['export', ...target, '--out', 'repo'], { cwd: dir });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /Exported \d+ object\(s\) .* into 3 file\(s\) in repo/);
    git(out, ['init', '-q']);
    writeFileSync(join(out, 'README.md'), 'our notes\n');
    writeFileSync(join(out, 'local-extra.yaml'), 'version: 1\nentries: []\n');
    git(out, ['add', '-A']);
    git(out, ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'export']);

    const twice = await runCli(['export', ...target, '--out', 'repo'], { cwd: dir });
    assert.equal(twice.code, 0, twice.stderr);
    assert.equal(git(out, ['status', '--porcelain']), '', 'a second export changes nothing');

    await rest(s, 'PATCH', `/flows/instances/${String(flow.slug)}/`, { title: 'Kiosk sign-in' });
    await rest(s, 'DELETE', `/core/applications/${String(app.slug)}/`);
    const third = await runCli(['export', ...target, '--out', 'repo'], { cwd: dir });
    assert.equal(third.code, 0, third.stderr);
    // git() trims, so the first line's leading status column is gone.
    assert.equal(git(out, ['status', '--porcelain']), 'D application-wiki.yaml\n M flow-kiosk.yaml');
    const diff = git(out, ['diff', '--', 'flow-kiosk.yaml']);
    assert.match(diff, /^-\s+title: Kiosk login$/m);
    assert.match(diff, /^\+\s+title: Kiosk sign-in$/m);
    assert.equal(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)).length, 2, diff);
    assert.ok(existsSync(join(out, 'README.md')) && existsSync(join(out, 'local-extra.yaml')), 'files akbp did not write stay');
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tokens are runtime data: left out by default, exported with --model and their key as !Env', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-export-cli-'));
  const s = await startServer('2026.5');
  try {
    const target = ['--server', s.url, '--token', TOKEN];
    const plain = await runCli(['export', ...target, '--out', 'a'], { cwd: dir });
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /Left out: \d+ managed by authentik, 1 runtime data/);
    const tokens = await runCli(['export', ...target, '--out', 'b', '--model', 'authentik_core.token'], { cwd: dir });
    assert.equal(tokens.code, 0, tokens.stderr);
    const text = readFileSync(join(dir, 'b', 'core.yaml'), 'utf8');
    assert.match(text, /model: authentik_core\.token/);
    assert.match(text, /key: !Env AKBP_EXPORT_TOKEN_[A-Z0-9_]+_KEY/);
    assert.ok(!text.includes(TOKEN), 'the token itself is never written');
    assert.match(readFileSync(join(dir, 'b', '.env.example'), 'utf8'), /^AKBP_EXPORT_TOKEN_[A-Z0-9_]+_KEY=$/m);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export --help names the options and an example', async () => {
  const r = await runCli(['export', '--help']);
  assert.equal(r.code, 0);
  for (const o of ['--out', '--model', '--match', '--single-file', '--all-fields', '--include-managed', '--authentik-version', 'Examples:'])
    assert.ok(r.stdout.includes(o), o);
});
