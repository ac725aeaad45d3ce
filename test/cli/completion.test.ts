// `akbp completion bash` run in a real bash: the script completes commands, a command's options
// and an option's choices, all taken from the registered commands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

function complete(script: string, line: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-compl-'));
  try {
    writeFileSync(join(dir, 'akbp.bash'), script);
    const words = line.split(' ');
    const driver = `source ${JSON.stringify(join(dir, 'akbp.bash'))}\nCOMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')})\nCOMP_CWORD=${words.length - 1}\n_akbp\nprintf '%s\\n' "\${COMPREPLY[@]}"\n`;
    return execFileSync('bash', ['--norc', '--noprofile', '-c', driver], { cwd: dir }).toString().split('\n').filter(Boolean).sort();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('bash completion: commands, options and choices come from the real command set', async () => {
  const r = await runCli(['completion', 'bash']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(complete(r.stdout, 'akbp pl'), ['plan']);
  assert.ok(complete(r.stdout, 'akbp ').includes('completion'));
  assert.deepEqual(complete(r.stdout, 'akbp plan --detailed'), ['--detailed-exitcode']);
  assert.deepEqual(complete(r.stdout, 'akbp apply --format '), ['json', 'markdown', 'text']);
  assert.deepEqual(complete(r.stdout, 'akbp oci p'), ['pull', 'push']);
  assert.ok(complete(r.stdout, 'akbp validate --').includes('--lenient'));
});

test('zsh and fish scripts are produced; an unknown shell is a usage error', async () => {
  const z = await runCli(['completion', 'zsh']);
  assert.match(z.stdout, /^#compdef akbp/);
  assert.match(z.stdout, /bashcompinit/);
  const f = await runCli(['completion', 'fish']);
  assert.match(f.stdout, /complete -c akbp -n "__fish_seen_subcommand_from plan" -l detailed-exitcode/);
  assert.match(f.stdout, /-l format .* -x -a 'text json markdown'/);
  const bad = await runCli(['completion', 'tcsh']);
  assert.equal(bad.code, 2);
});
