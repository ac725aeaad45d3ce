// Start-up: `akbp --help` and the offline commands load only what they use, so they start about
// as fast as node itself; every command's summary in `akbp --help` is its own description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildProgram, COMMANDS } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const HEAVY = ['undici', 'simple-git', 'chokidar', 'ajv'];

/** Runs the CLI from source in a child process and returns the npm packages it loaded. */
function packagesLoaded(args: string[]): { code: number | null; out: string; packages: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-startup-'));
  try {
    const hooks = join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `export async function resolve(s, c, next) {
  const r = await next(s, c);
  const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(r.url);
  if (m) process.stderr.write('PACKAGE ' + m[1] + '\\n');
  return r;
}\n`,
    );
    const register = join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const main = pathToFileURL(join(root, 'src/cli/main.ts')).href;
    const script = `const { main } = await import(${JSON.stringify(main)}); process.exitCode = await main(['node', 'akbp', ...${JSON.stringify(args)}]);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', pathToFileURL(register).href, '--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    const packages = new Set([...r.stderr.matchAll(/^PACKAGE (\S+)$/gm)].map((m) => m[1]!));
    return { code: r.status, out: r.stdout, packages };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('akbp --help lists every command without loading undici, simple-git, chokidar or ajv', () => {
  const r = packagesLoaded(['--help']);
  assert.equal(r.code, 0);
  for (const c of COMMANDS) assert.match(r.out, new RegExp(`\\b${c.name}\\b`));
  for (const p of HEAVY) assert.ok(!r.packages.has(p), `--help loaded ${p}`);
  assert.ok(r.packages.has('commander'), 'the hook saw the packages that were loaded');
});

test('akbp compile --help loads neither chokidar nor the server client', () => {
  const r = packagesLoaded(['compile', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /Examples:/);
  assert.ok(!r.packages.has('chokidar'), 'compile --help loaded chokidar');
});

test('akbp validate of a local file loads neither undici, simple-git, chokidar nor pg', () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-startup-bp-'));
  try {
    writeFileSync(join(dir, 'a.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: a}\n');
    const r = packagesLoaded(['validate', join(dir, 'a.yaml')]);
    assert.equal(r.code, 0, r.out);
    for (const p of ['undici', 'simple-git', 'chokidar', 'pg']) assert.ok(!r.packages.has(p), `validate loaded ${p}`);
    assert.ok(r.packages.has('yaml'), 'the hook saw the packages that were loaded');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the summary of each command in akbp --help is the description of the command itself', async () => {
  const ctx: CliContext = { io: { stdout: () => undefined, stderr: () => undefined, isTTY: false }, env: {}, cwd: root, exitCode: 0 };
  const program = await buildProgram(ctx, [], true);
  const described = new Map(program.commands.map((c) => [c.name(), c.description()]));
  assert.deepEqual(
    COMMANDS.map((c) => [c.name, c.summary]),
    COMMANDS.map((c) => [c.name, described.get(c.name)]),
  );
});
