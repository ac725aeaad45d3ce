// Two `akbp serve --apply` replicas on one postgres backend: one leads and applies, the other
// reports standby; SIGKILL the leader and the standby takes over. Zero concurrent applies,
// checked from the server's side: each replica talks to its own front-end of one sandbox, so the
// request log says who wrote what, and when.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox } from '../../src/sandbox/index.js';
import { listenHttp } from '../../src/sandbox/http.js';
import { akbpChildArgv } from '../helpers/child.js';
import { pgUnavailable, startPg, type PgCluster } from '../state/pg-cluster.js';

const skip = pgUnavailable();
let cluster: PgCluster | undefined;
before(async () => {
  if (!skip) cluster = await startPg();
});
after(async () => {
  await cluster?.stop();
});

const TOKEN = 'akbp-ha-token-3c4d5e6f7a8b9c0d';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const groups = (n: number) =>
  `version: 1\nentries:\n${Array.from({ length: n }, (_, i) => `  - model: authentik_core.group\n    identifiers: {name: ha-g${i}}\n`).join('')}`;

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('two akbp serve replicas on postgres: one leader, one standby; SIGKILL the leader, the standby takes over; never two writers', {
  skip,
  timeout: 120_000,
}, async () => {
  const sandbox = await createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN });
  const writes: { who: 'a' | 'b'; at: number; path: string }[] = [];
  const front = (who: 'a' | 'b') =>
    listenHttp(
      async (req) => {
        const res = await sandbox.handle(req);
        if (MUTATING.has(req.method.toUpperCase())) writes.push({ who, at: Date.now(), path: req.path });
        return res;
      },
      '127.0.0.1',
      0,
    );
  const fa = await front('a');
  const fb = await front('b');
  const dir = mkdtempSync(join(tmpdir(), 'akbp-ha-'));
  mkdirSync(join(dir, 'bp'));
  writeFileSync(join(dir, 'bp', 'groups.yaml'), groups(5));
  const procs: ChildProcess[] = [];
  const start = async (url: string): Promise<{ proc: ChildProcess; status: string }> => {
    const proc = spawn(
      process.execPath,
      akbpChildArgv([
        'serve',
        '--source',
        'bp',
        '--apply',
        '--interval',
        '1s',
        '--listen',
        '127.0.0.1:0',
        '--server',
        url,
        '--token',
        TOKEN,
        '--state',
        cluster!.url,
        '--workspace',
        'ha',
      ]),
      {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, CI: 'true', AKBP_STATE_KEY: 'CANARY-ha-key-0011223344', AKBP_WEBHOOK_SECRET: 'hook-secret' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    procs.push(proc);
    let err = '';
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const base = await until('serving on', async () => /serving on (http:\/\/\S+)/.exec(err)?.[1]);
    return { proc, status: `${base}/status` };
  };
  const role = async (status: string) => ((await (await fetch(status)).json()) as { role?: string }).role;
  const groupNames = async (): Promise<string[]> =>
    (
      (await (await fetch(`${fa.url}/api/v3/core/groups/?page_size=100`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
        results: { name: string }[];
      }
    ).results
      .map((g) => g.name)
      .filter((n) => n.startsWith('ha-g'));
  try {
    const a = await start(fa.url);
    await until('a leads', async () => ((await role(a.status)) === 'leader' ? true : undefined));
    const b = await start(fb.url);
    await until('b is standby', async () => ((await role(b.status)) === 'standby' ? true : undefined));
    await until('a applied the 5 groups', async () => ((await groupNames()).length === 5 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await role(b.status), 'standby', 'b stays standby while a lives');
    assert.equal(writes.filter((w) => w.who === 'b').length, 0, 'the standby wrote nothing');

    a.proc.kill('SIGKILL');
    const killedAt = Date.now();
    writeFileSync(join(dir, 'bp', 'groups.yaml'), groups(7));
    await until('b takes over', async () => ((await role(b.status)) === 'leader' ? true : undefined), 15_000);
    const tookOverMs = Date.now() - killedAt;
    await until('b applied the new groups', async () => ((await groupNames()).length === 7 ? true : undefined));

    const names = await groupNames();
    assert.equal(new Set(names).size, names.length, 'no duplicate objects');
    const lastA = Math.max(...writes.filter((w) => w.who === 'a').map((w) => w.at));
    const firstB = Math.min(...writes.filter((w) => w.who === 'b').map((w) => w.at));
    assert.ok(lastA <= killedAt && firstB >= killedAt, 'every write of a precedes the kill, every write of b follows it');
    const switches = writes.slice(1).filter((w, i) => w.who !== writes[i]!.who).length;
    assert.equal(switches, 1, 'the writers never interleave: zero concurrent applies');
    process.stdout.write(
      `# standby took over ${tookOverMs} ms after the leader was killed; writes a=${writes.filter((w) => w.who === 'a').length} b=${writes.filter((w) => w.who === 'b').length}\n`,
    );
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.on('exit', r)) : undefined)));
    await fa.close();
    await fb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
