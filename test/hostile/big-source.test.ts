// A blueprint source far larger than any real blueprint (validating 50 MB took 2.1 GB) and a FIFO
// named as a source: refused before they are read, with the file and the cap named.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/registry.js';

let work: string;
const env = () => ({ PATH: process.env.PATH, HOME: work });
before(() => {
  work = tempDir('hostile-big');
  mkdirSync(join(work, 'bp'));
  writeFileSync(join(work, 'bp', 'small.yaml'), 'version: 1\nentries: []\n');
  // 5 MiB of entries: over the 4 MiB default, well under what --max-file-size 8MiB allows.
  const entry = '  - model: authentik_core.group\n    identifiers: {name: g}\n';
  writeFileSync(join(work, 'bp', 'huge.yaml'), `version: 1\nentries:\n${entry.repeat(Math.ceil((5 * 1024 * 1024) / entry.length))}`);
  execFileSync('mkfifo', [join(work, 'pipe.yaml')]);
});
after(() => rmSync(work, { recursive: true, force: true }));

test('a blueprint over --max-file-size (default 4 MiB) is refused before it is parsed, naming the file and the cap', async () => {
  const started = Date.now();
  const r = await runCli(['validate', 'bp'], { cwd: work, env: env() });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /AKB7005[^\n]*bp\/huge\.yaml: \d+ bytes, more than the limit of 4194304 bytes/);
  assert.ok(Date.now() - started < 5000);
});

test('--max-file-size raises the cap; a malformed value is a usage error', async () => {
  const r = await runCli(['validate', 'bp', '--max-file-size', '8MiB'], { cwd: work, env: env() });
  assert.doesNotMatch(r.stdout + r.stderr, /AKB7005/);
  const bad = await runCli(['validate', 'bp', '--max-file-size', 'lots'], { cwd: work, env: env() });
  assert.equal(bad.code, 2, 'a usage error exits 2');
  assert.match(bad.stderr, /--max-file-size lots is not a size/);
});

test('a FIFO named as a source is refused, not waited on', async () => {
  const r = await runCli(['validate', 'pipe.yaml'], { cwd: work, env: env() });
  assert.equal(r.code, 1);
  assert.match(r.stdout + r.stderr, /AKB7003[^\n]*pipe\.yaml: is not a regular file/);
});
