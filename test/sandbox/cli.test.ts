// `akbp sandbox` as a user meets it: --help with an example, a server that answers with the
// printed token, clear errors for bad flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { register, runSandbox, type SandboxCliOptions } from '../../src/cli/commands/sandbox.js';
import type { CliContext } from '../../src/cli/context.js';

function ctx(): CliContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t) => out.push(t), stderr: (t) => err.push(t), isTTY: false }, env: {}, cwd: process.cwd(), exitCode: 0, out, err };
}

test('--help explains the seeded state and shows an example', async () => {
  const c = ctx();
  const program = new Command('akbp').exitOverride().configureOutput({ writeOut: (s) => c.out.push(s), writeErr: (s) => c.err.push(s) });
  register(program, c);
  await assert.rejects(program.parseAsync(['node', 'akbp', 'sandbox', '--help']), (e: { code?: string }) => e.code === 'commander.helpDisplayed');
  const help = c.out.join('');
  assert.match(help, /Examples:\n {2}akbp sandbox --listen 127\.0\.0\.1:9000/);
  assert.match(help, /akadmin/);
  assert.match(help, /--fault-rate/);
});

test('serves on the given address with the given token and stops when told', async () => {
  const c = ctx();
  let stop!: () => void;
  const until = new Promise<void>((r) => (stop = r));
  const opts: SandboxCliOptions = { listen: '127.0.0.1:0', token: 'cli-token', authentikVersion: '2023.6' };
  const running = runSandbox(opts, c, until);
  while (!c.out.join('').includes('Press Ctrl-C')) await new Promise((r) => setTimeout(r, 10));
  const printed = c.out.join('');
  const url = /URL: +(http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]!;
  assert.match(printed, /token: +cli-token/);
  const res = await fetch(`${url}/api/v3/core/users/`, { headers: { authorization: 'Bearer cli-token' } });
  assert.equal(res.status, 200);
  assert.equal(((await res.json()) as any).results[0].username, 'akadmin');
  stop();
  await running;
  assert.match(c.err.join(''), /stopped after 1 requests/);
});

test('bad flags are usage errors, not stack traces', async () => {
  const c = ctx();
  await assert.rejects(runSandbox({ listen: 'nowhere', authentikVersion: '2023.6' }, c, Promise.resolve()), /--listen wants HOST:PORT/);
  await assert.rejects(
    runSandbox({ listen: '127.0.0.1:0', authentikVersion: '2023.6', faultRate: '2' }, c, Promise.resolve()),
    /--fault-rate must be a number between 0 and 1/,
  );
  await assert.rejects(runSandbox({ listen: '127.0.0.1:0', authentikVersion: '2023.6', faults: '418' }, c, Promise.resolve()), /unknown fault "418"/);
});
