// `akbp oci push DIR` walks the directory as a directory source does; several layers warn that
// authentik applies only the last; the help example is a push authentik reads as intended.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startRegistry, tempDir, type Registry } from '../helpers/registry.js';

const bp = (name: string): string => `version: 1\nmetadata:\n  name: ${name}\nentries: []\n`;
let reg: Registry;
let work: string;
const env = () => ({ PATH: process.env.PATH, HOME: work, AKBP_CACHE_DIR: join(work, 'cache') });

before(async () => {
  reg = await startRegistry();
  work = tempDir('oci-push-dir');
});
after(async () => {
  await reg?.stop();
  rmSync(work, { recursive: true, force: true });
});

test('oci push DIR pushes the blueprints a directory source would read, with their relative paths', async () => {
  const dir = join(work, 'bps');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, 'flows.yaml'), bp('flows'));
  writeFileSync(join(dir, 'sub', 'users.yml'), bp('users'));
  writeFileSync(join(dir, '.github', 'ci.yaml'), bp('hidden'));
  writeFileSync(join(dir, 'compose.yaml'), 'services: {}\n');
  writeFileSync(join(dir, 'README.md'), '# no\n');
  writeFileSync(join(work, 'outside.yaml'), bp('outside'));
  symlinkSync(join(work, 'outside.yaml'), join(dir, 'escape.yaml'));
  const ref = `oci://${reg.host}/dir/push:v1`;
  const push = await runCli(['oci', 'push', 'bps', ref], { cwd: work, env: env() });
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stderr, /warning AKB7021: pushed 2 blueprint layers; an authentik instance with this path applies only the last \(sub\/users\.yml\)/);
  const out = join(work, 'pulled');
  const pull = await runCli(['oci', 'pull', ref, '--out', out], { cwd: work, env: env() });
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, /  flows\.yaml\n.*  sub\/users\.yml\n/);
  assert.equal(readFileSync(join(out, 'sub', 'users.yml'), 'utf8'), bp('users'));
  assert.doesNotMatch(pull.stdout, /ci\.yaml|compose|escape|README/);
});

test('oci push of one file does not warn', async () => {
  writeFileSync(join(work, 'one.yaml'), bp('one'));
  const r = await runCli(['oci', 'push', 'one.yaml', `oci://${reg.host}/dir/one:v1`], { cwd: work, env: env() });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('oci push --help shows a one-file push for authentik and explains the directory case', async () => {
  const r = await runCli(['oci', 'push', '--help'], { cwd: work, env: env() });
  const examples = r.stdout.slice(r.stdout.indexOf('Example'));
  for (const line of examples.split('\n').filter((l) => l.trim().startsWith('akbp oci push'))) {
    const args = line.trim().split(/\s+/).slice(3, -1);
    assert.equal(args.length, 1, `one file or directory per example: ${line}`);
  }
  assert.match(examples, /authentik applies only\s+the last layer/);
});
