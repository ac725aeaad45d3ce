// `akbp apply` on a real pseudo-terminal (tmux): it shows the plan and waits; "no" writes
// nothing, "yes" applies. Without a terminal and without --yes it refuses and writes nothing.
// The server is the sandbox over HTTP, so its request log shows every write the CLI made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'tty-test-token';

function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tmuxMissing = hasTmux() ? false : 'tmux is not installed (apt-get install tmux; .ci/run does)';
if (tmuxMissing && process.env.CI === 'true') throw new Error(tmuxMissing);

let dir: string;
let sandbox: Sandbox;
let server: { url: string; close(): Promise<void> };
let launcher: string;
const socket = `akbp-tty-${process.pid}`;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'akbp-tty-'));
  writeFileSync(
    join(dir, 'groups.yaml'),
    'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: tty-reviewers}\n  - model: authentik_core.group\n    identifiers: {name: tty-admins}\n',
  );
  sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  server = await sandbox.listen('127.0.0.1', 0);
  // bin/akbp.js runs the built dist/; the source CLI through tsx is the same program.
  launcher = join(dir, 'akbp.mjs');
  writeFileSync(
    launcher,
    `import { main } from ${JSON.stringify(pathToFileURL(join(root, 'src/cli/main.ts')).href)};\nmain(process.argv).then((c) => { process.exitCode = c; });\n`,
  );
});
after(async () => {
  await run('tmux', ['-L', socket, 'kill-server']).catch(() => undefined);
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const writes = () => sandbox.requestLog.filter((r) => r.method !== 'GET' && r.method !== 'HEAD');

function cliEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TERM: 'xterm',
    NO_COLOR: '1',
    NODE_OPTIONS: `--import=${pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href}`,
    NODE_NO_WARNINGS: '1',
    AUTHENTIK_URL: server.url,
    AUTHENTIK_TOKEN: TOKEN,
  };
}

const applyArgs = () => [launcher, 'apply', 'groups.yaml', '--state', join(dir, 'state.json')];
const sh = (args: string[]) => args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');

async function capture(): Promise<string> {
  return (await run('tmux', ['-L', socket, 'capture-pane', '-p', '-J', '-S', '-200', '-t', 'akbp'])).stdout;
}

async function waitForPane(what: RegExp, timeoutMs = 60_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await capture();
    if (what.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} on the terminal; it shows:\n${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs apply in a fresh tmux session (a real pty) and answers the prompt with `answer`. */
async function applyOnTerminal(answer: string): Promise<{ screen: string; code: number }> {
  const env = cliEnv();
  const exports = Object.entries(env)
    .map(([k, v]) => `${k}=${sh([v ?? ''])}`)
    .join(' ');
  // CI must be unset inside the terminal, or akbp (rightly) never prompts.
  const command = `cd ${sh([dir])} && env -u CI ${exports} ${sh([process.execPath, ...applyArgs()])}; echo "akbp-exit=$?"; sleep 600`;
  await run('tmux', ['-L', socket, 'new-session', '-d', '-s', 'akbp', '-x', '200', '-y', '50', command], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' },
  });
  try {
    const prompt = await waitForPane(/Apply these 2 changes\? \(yes\/no\)/);
    assert.match(prompt, /Plan: 2 to create, 0 to update, 0 to delete/, 'the plan is on screen before the question');
    assert.match(prompt, /tty-reviewers/);
    // It waits: nothing is written while the question is open.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(writes().length, 0, 'no write before the answer');
    await run('tmux', ['-L', socket, 'send-keys', '-t', 'akbp', answer, 'Enter']);
    const screen = await waitForPane(/akbp-exit=\d+/);
    return { screen, code: Number(/akbp-exit=(\d+)/.exec(screen)![1]) };
  } finally {
    await run('tmux', ['-L', socket, 'kill-session', '-t', 'akbp']).catch(() => undefined);
  }
}

test('apply on a real terminal shows the plan, waits, and "no" writes nothing', { skip: tmuxMissing }, async () => {
  sandbox.clearLog();
  const r = await applyOnTerminal('no');
  assert.equal(r.code, 1, r.screen);
  assert.match(r.screen, /Apply cancelled: nothing was written/);
  assert.deepEqual(writes(), [], 'the sandbox saw no write request');
  assert.ok(sandbox.requestLog.length > 0, 'the plan did read the server');
});

test('apply on a real terminal: "yes" applies', { skip: tmuxMissing }, async () => {
  sandbox.clearLog();
  const r = await applyOnTerminal('yes');
  assert.equal(r.code, 0, r.screen);
  assert.match(r.screen, /Apply succeeded/);
  assert.deepEqual(
    writes().map((w) => `${w.method} ${w.path} ${w.status}`),
    ['POST /core/groups/ 201', 'POST /core/groups/ 201'],
  );
});

test('apply with stdin closed and no --yes refuses with a clear message and writes nothing', async () => {
  writeFileSync(join(dir, 'more.yaml'), 'version: 1\nentries:\n  - model: authentik_core.group\n    identifiers: {name: tty-closed-stdin}\n');
  sandbox.clearLog();
  const child = spawn(process.execPath, [launcher, 'apply', 'more.yaml', '--state', join(dir, 'state-closed.json')], {
    cwd: dir,
    env: cliEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((res) => child.on('exit', (c) => res(c)));
  assert.equal(code, 1, stdout + stderr);
  assert.match(stdout, /Plan: 1 to create/, 'the plan is still shown');
  assert.match(stderr, /error asking for approval: no terminal to ask on.*--yes/s);
  assert.doesNotMatch(stderr, /internal error|at .*\.ts:\d+/);
  assert.deepEqual(writes(), []);

  // The same with --yes applies: the refusal was about approval only.
  sandbox.clearLog();
  const ok = await run(process.execPath, [launcher, 'apply', 'more.yaml', '--state', join(dir, 'state-closed.json'), '--yes'], { cwd: dir, env: cliEnv() });
  assert.match(ok.stdout, /Apply succeeded/);
  assert.equal(writes().length, 1);
});
