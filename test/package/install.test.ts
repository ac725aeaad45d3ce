// The package as a user gets it: `npm pack` (which builds at prepack), then an install of that
// tarball into a temporary prefix with production dependencies only and install scripts
// disabled, and akbp run from there: --version, demo (needs examples/) and validate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; name: string; license: string; scripts: Record<string, string> };
let dir: string;
let tarball: string;
let files: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'akbp-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, npm_config_loglevel: 'error' },
  });
  // npm prints the prepack script's output before the JSON.
  const info = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
});
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the CLI, examples and an MIT LICENSE; no source maps, sources or tests', () => {
  for (const f of [
    'bin/akbp.js',
    'dist/cli/main.js',
    'dist/bundle/main.js',
    'LICENSE',
    'README.md',
    'package.json',
    'examples/blueprints/20-login-flow.yaml',
    'schemas/plan.schema.json',
  ]) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  assert.ok(
    files.some((f) => f.startsWith('examples/blueprints/')),
    'examples/ for akbp demo',
  );
  assert.ok(files.some((f) => f.startsWith('examples/blueprints-2023.6/')));
  assert.ok(
    files.some((f) => /^dist\/validate\/precompiled\/[0-9a-f]+\/authentik_core\.group\.cjs$/.test(f)),
    "validate's ahead-of-time validators",
  );
  assert.deepEqual(
    files.filter((f) => f.endsWith('.map')),
    [],
    'no source maps without their sources',
  );
  assert.deepEqual(
    files.filter((f) => /^(src|test|scripts)\//.test(f)),
    [],
  );
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /^MIT License/);
  assert.equal(pkg.scripts.prepare, undefined, "nothing builds on the user's machine");
  for (const s of ['preinstall', 'install', 'postinstall']) assert.equal(pkg.scripts[s], undefined, s);
});

test('installed from the tarball with production dependencies only and no scripts, akbp runs', async () => {
  const prefix = join(dir, 'prefix');
  await run('npm', ['install', '--prefix', prefix, '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--no-save', tarball], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.ok(!existsSync(join(prefix, 'node_modules', 'typescript')), 'no dev dependency installed');
  assert.ok(!existsSync(join(prefix, 'node_modules', 'tsx')));
  const akbp = join(prefix, 'node_modules', '.bin', 'akbp');
  const env = { PATH: process.env.PATH, HOME: dir };

  const v = await run(akbp, ['--version'], { cwd: dir, env });
  assert.equal(v.stdout.trim(), pkg.version);

  const demo = await run(akbp, ['demo'], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
  assert.match(demo.stdout, /Apply succeeded/);
  assert.match(demo.stdout, /second plan has 0 change\(s\)/);

  const examples = join(prefix, 'node_modules', pkg.name, 'examples', 'blueprints');
  const val = await run(akbp, ['validate', examples], { cwd: dir, env });
  assert.match(val.stdout, /Validated 3 blueprint\(s\) against authentik 2026\.5.*0 error\(s\)/s);
});
