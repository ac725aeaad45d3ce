// A 100-entry apply killed (SIGKILL) right after the server took its k-th write, for 20 values of
// k across the run; then a re-run. It must converge with no duplicate objects, every object akbp
// created recorded as akbp's (not adopted: prune depends on it), and the next plan empty.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { listenHttp } from '../../src/sandbox/http.js';
import type { OwnershipState } from '../../src/model/index.js';
import { runCli } from '../helpers/cli.js';
import { akbpChildArgv } from '../helpers/child.js';

const TOKEN = 'akbp-crash-matrix-token-5e6f7a8b9c0d';
const GROUPS = 88;
const USERS = 12;

function blueprint(): string {
  const lines = ['version: 1', 'entries:'];
  for (let i = 0; i < GROUPS; i++)
    lines.push('  - model: authentik_core.group', `    id: g${i}`, `    identifiers: {name: crash-g${i}}`, `    attrs: {attributes: {n: ${i}}}`);
  for (let i = 0; i < USERS; i++) {
    lines.push(
      '  - model: authentik_core.user',
      `    identifiers: {username: crash-u${i}}`,
      `    attrs: {name: U${i}, groups: [!KeyOf g${i % GROUPS}], password: CANARY-pw-${i}}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Row {
  k: number;
  killedAfter: number;
  recoveredWrites: number;
  ok: boolean;
}

test('SIGKILL after write k of a 100-entry apply, 20 values of k: the re-run converges and akbp owns everything it created', { timeout: 900_000 }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'akbp-crash-'));
  const bp = blueprint();
  // First a clean run to learn how many writes a full apply makes.
  const total = await (async () => {
    const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
    const cwd = join(root, 'probe');
    mkdirSync(join(cwd, 'bp'), { recursive: true });
    writeFileSync(join(cwd, 'bp', 'crash.yaml'), bp);
    const http = await sandbox.listen();
    const env = { PATH: process.env.PATH, HOME: root, AUTHENTIK_URL: http.url, AUTHENTIK_TOKEN: TOKEN };
    const r = await runCli(['apply', 'bp', '--yes'], { cwd, env });
    await http.close();
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return sandbox.requestLog.filter((x) => MUTATING.has(x.method)).length;
  })();
  assert.ok(total >= GROUPS + USERS);
  const ks = [...new Set(Array.from({ length: 20 }, (_, i) => 1 + Math.round((i * (total - 2)) / 19)))];
  assert.ok(ks.length >= 20);
  const rows: Row[] = [];
  // Two k at a time: each has its own server and working directory.
  const queue = [...ks];
  const one = async (k: number): Promise<void> => {
    const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
    const cwd = join(root, `k${k}`);
    mkdirSync(join(cwd, 'bp'), { recursive: true });
    writeFileSync(join(cwd, 'bp', 'crash.yaml'), bp);
    let writes = 0;
    let proc: ChildProcess | undefined;
    let killedAfter = -1;
    // Kill the client the moment the server has taken write k, before its answer goes back.
    const http = await listenHttp(
      async (req) => {
        const res = await sandbox.handle(req);
        if (MUTATING.has(req.method.toUpperCase()) && ++writes === k && proc) {
          killedAfter = writes;
          proc.kill('SIGKILL');
        }
        return res;
      },
      '127.0.0.1',
      0,
    );
    const env = { PATH: process.env.PATH, HOME: root, AUTHENTIK_URL: http.url, AUTHENTIK_TOKEN: TOKEN };
    proc = spawn(process.execPath, akbpChildArgv(['apply', 'bp', '--yes', '--state', '.akbp/state.json']), { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => proc!.on('exit', (code, signal) => res({ code, signal })));
    assert.equal(exit.signal, 'SIGKILL', `k=${k}: the apply was killed mid-run (${stderr})`);

    const before = writes;
    const rerun = await runCli(['apply', 'bp', '--yes'], { cwd, env });
    assert.equal(rerun.code, 0, `k=${k}: ${rerun.stdout}${rerun.stderr}`);
    const plan = await runCli(['plan', 'bp', '--detailed-exitcode', '--prune'], { cwd, env });
    assert.equal(plan.code, 0, `k=${k}: the next plan is empty\n${plan.stdout}`);

    const list = async (model: string, prefix: string, field: string) =>
      (
        (await (await fetch(`${http.url}/api/v3/core/${model}/?page_size=1000`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
          results: Record<string, unknown>[];
        }
      ).results.filter((r) => String(r[field]).startsWith(prefix));
    assert.equal((await list('groups', 'crash-g', 'name')).length, GROUPS, `k=${k}: no duplicate groups`);
    assert.equal((await list('users', 'crash-u', 'username')).length, USERS, `k=${k}: no duplicate users`);
    const state = JSON.parse(readFileSync(join(cwd, '.akbp', 'state.json'), 'utf8')) as OwnershipState;
    const recs = Object.values(state.objects);
    assert.equal(recs.length, GROUPS + USERS, `k=${k}: every object recorded`);
    const adopted = Object.entries(state.objects)
      .filter(([, o]) => o.adopted)
      .map(([key]) => key);
    assert.deepEqual(adopted, [], `k=${k}: everything akbp created is owned, none recorded as adopted`);
    assert.equal(state.pending, undefined, `k=${k}: no announced create left unresolved`);
    rows.push({ k, killedAfter, recoveredWrites: writes - before, ok: true });
    await http.close();
  };
  try {
    await Promise.all(
      [0, 1].map(async () => {
        for (let k = queue.shift(); k !== undefined; k = queue.shift()) await one(k);
      }),
    );
  } finally {
    rows.sort((a, b) => a.k - b.k);
    rmSync(root, { recursive: true, force: true });
    // The matrix, for the record: k, writes before the kill, writes the re-run needed.
    process.stdout.write(`# crash matrix (full apply = ${total} writes): ${rows.map((r) => `k=${r.k}→${r.recoveredWrites}`).join(' ')}\n`);
  }
  assert.equal(rows.length, ks.length);
});
