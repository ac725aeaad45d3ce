// Injected faults (deterministic per seed, never half-applied) and the state file (atomic,
// always parseable, reloaded on start, corrupt files named in the error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundledRegistry } from '../../src/authentik/bundled.js';
import { createSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { serve, TOKEN } from './util.js';

const H = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function statuses(sb: Sandbox, n: number): Promise<(number | string)[]> {
  const out: (number | string)[] = [];
  for (let i = 0; i < n; i++) {
    try {
      out.push((await sb.handle({ method: 'GET', path: '/core/users/', headers: H })).status);
    } catch (err) {
      out.push((err as NodeJS.ErrnoException).code ?? 'error');
    }
  }
  return out;
}

test('faults are a deterministic function of the seed; other seeds differ', async () => {
  const opts = { registry: bundledRegistry('2023.6'), token: TOKEN, faultRate: 0.3 };
  const a = await statuses(await createSandbox({ ...opts, seed: 42 }), 60);
  const b = await statuses(await createSandbox({ ...opts, seed: 42 }), 60);
  const c = await statuses(await createSandbox({ ...opts, seed: 7 }), 60);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const faulted = a.filter((x) => x !== 200);
  assert.ok(faulted.length > 5 && faulted.length < 35, `about 30% faulted, got ${faulted.length}/60`);
  assert.ok(a.includes('ECONNRESET'), 'resets reject in-process with ECONNRESET');
});

test('429 carries Retry-After; a "before" fault leaves the state untouched', async () => {
  const sb = await createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN, faultRate: 1, faults: ['429'] });
  const r = await sb.handle({ method: 'POST', path: '/core/groups/', headers: H, body: JSON.stringify({ name: 'x' }) });
  assert.equal(r.status, 429);
  assert.equal(r.headers['retry-after'], '1');
  const groups = (sb.snapshot() as { records: { model: string }[] }).records.filter((x) => x.model === 'authentik_core.group');
  assert.equal(groups.length, 1, 'only the seeded group');
  assert.deepEqual(sb.requestLog, [{ method: 'POST', path: '/core/groups/', status: 429 }]);
});

test('over HTTP a reset after the write destroys the socket, yet the object exists (POST is not safe to replay)', async () => {
  const s = await serve('2023.6', { faultRate: 1, faults: ['reset'], faultPhase: { reset: 'after' } });
  try {
    await assert.rejects(
      fetch(`${s.url}/api/v3/core/groups/`, { method: 'POST', headers: H, body: JSON.stringify({ name: 'landed' }) }),
      (err: Error & { cause?: { code?: string } }) => /ECONNRESET|UND_ERR_SOCKET|other side closed/.test(`${err.cause?.code} ${err.cause}`),
    );
    const groups = (s.sb.snapshot() as { records: { model: string; data: { name?: string } }[] }).records.filter((x) => x.data.name === 'landed');
    assert.equal(groups.length, 1, 'the write happened exactly once');
    assert.equal(s.sb.requestLog.at(-1)?.status, 0);
  } finally {
    await s.close();
  }
});

test('latency is injected per request', async () => {
  const sb = await createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN, latencyMs: 40, jitterMs: 10, seed: 3 });
  const t0 = performance.now();
  await sb.handle({ method: 'GET', path: '/admin/version/', headers: H });
  assert.ok(performance.now() - t0 >= 35);
});

// authentik answers a request `latency` after it was sent, whatever else it is doing: the
// emulator's own CPU (one thread, requests one at a time) must not add to that. It used to wait
// first and then process the requests that woke together one after the other, so the last of
// 16 writes in flight waited 16 × its processing on top: apply looked slower than it is.
test('latency counts from the request: concurrent requests are not answered later for queueing behind each other', async () => {
  const big = JSON.stringify({ name: 'big', attributes: { blob: Array.from({ length: 15_000 }, (_, i) => ({ k: `v${i}`, n: i, t: 'x'.repeat(20) })) } });
  const heavy = (sb: Sandbox, i: number) =>
    sb.handle({ method: 'POST', path: '/core/groups/', headers: H, body: big.replace('"big"', `"big-${i}"`) }).then((r) => assert.equal(r.status, 201));
  // What the requests cost the sandbox one after the other, without latency.
  const plain = await createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN });
  await heavy(plain, 99);
  let t0 = performance.now();
  await Promise.all(Array.from({ length: 6 }, (_, i) => heavy(plain, i)));
  const busyMs = performance.now() - t0;
  const latencyMs = Math.max(200, Math.ceil(3 * busyMs));
  const slow = await createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN, latencyMs });
  await heavy(slow, 99);
  t0 = performance.now();
  await Promise.all(Array.from({ length: 6 }, (_, i) => heavy(slow, i)));
  const ms = performance.now() - t0;
  assert.ok(ms >= latencyMs - 1, `answered after ${ms.toFixed(0)} ms, before the ${latencyMs} ms latency`);
  assert.ok(
    ms < latencyMs + busyMs / 2,
    `answered after ${ms.toFixed(0)} ms: ${latencyMs} ms latency plus ${(ms - latencyMs).toFixed(0)} ms of queueing (the work takes ${busyMs.toFixed(0)} ms)`,
  );
});

test('state file: parseable after every request, reloaded on start, no temp files left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-sandbox-'));
  try {
    const statePath = join(dir, 'state.json');
    const sb = await createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN, statePath });
    JSON.parse(readFileSync(statePath, 'utf8'));
    // Concurrent writes: each persisted state must be complete JSON whenever it is read.
    const writes = Array.from({ length: 20 }, (_, i) =>
      sb.handle({ method: 'POST', path: '/core/groups/', headers: H, body: JSON.stringify({ name: `g${i}` }) }).then((r) => {
        assert.equal(r.status, 201);
        const parsed = JSON.parse(readFileSync(statePath, 'utf8'));
        assert.ok(parsed.records.length >= 4);
      }),
    );
    await Promise.all(writes);
    assert.equal((await sb.handle({ method: 'POST', path: '/core/users/1/set_password/', headers: H, body: '{"password":"pw-123"}' })).status, 204);
    assert.deepEqual(readdirSync(dir), ['state.json']);
    assert.ok(!readFileSync(statePath, 'utf8').includes('pw-123'));

    const again = await createSandbox({ registry: bundledRegistry('2023.6'), token: 'other-token', statePath });
    const list = await again.handle({ method: 'GET', path: '/core/groups/?page_size=50', headers: { authorization: 'Bearer other-token' } });
    assert.equal(JSON.parse(list.body).pagination.count, 21, 'groups survive a restart; the new token works');
    await assert.rejects(createSandbox({ registry: bundledRegistry('2026.5'), token: TOKEN, statePath }), /holds authentik 2023\.6\.1 data/);

    writeFileSync(statePath, '{"format": 1, "records": [');
    await assert.rejects(createSandbox({ registry: bundledRegistry('2023.6'), token: TOKEN, statePath }), (err: Error) => err.message.includes(statePath));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGKILL in the middle of writing leaves a complete state file that loads', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'akbp-sandbox-kill-'));
  try {
    const statePath = join(dir, 'state.json');
    const script = new URL('./fixtures/writer.ts', import.meta.url).pathname;
    for (let round = 0; round < 2; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, statePath], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, 50 + round * 70));
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid!, 'SIGKILL');
      await exited;
      const parsed = JSON.parse(readFileSync(statePath, 'utf8'));
      assert.ok(parsed.records.length > 20, `round ${round}: ${parsed.records.length} records`);
      const reopened = await createSandbox({ registry: bundledRegistry('2023.6'), token: 't', statePath });
      assert.ok((reopened.snapshot() as { records: unknown[] }).records.length >= parsed.records.length);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
